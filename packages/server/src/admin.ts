import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteContext } from './context.ts';
import { allow, HttpError, noRoute, readJson, sendJson, statusOf } from './http.ts';
import { checkBearer } from './token.ts';

/**
 * The admin API under /admin (every call needs the admin token): the models' state, and load,
 * canary, promote and rollback.
 */
export async function admin(
  context: RouteContext,
  method: string,
  path: string[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const auth = checkBearer(request.headers.authorization, context.adminToken);
  if (auth === 'missing') {
    throw new HttpError(401, 'the admin API needs an admin token: send Authorization: Bearer <token>', {
      headers: { 'www-authenticate': 'Bearer realm="modelgate-admin"' },
    });
  }
  if (auth === 'wrong') throw new HttpError(403, 'the admin token is not valid for this server');

  const { host, metrics } = context;
  if (path.length === 1 && path[0] === 'models') {
    allow(method, 'GET');
    sendJson(response, 200, { models: host.states() });
    return;
  }
  const [models, name, operation] = path;
  if (models !== 'models' || name === undefined || operation === undefined || path.length !== 3) {
    throw noRoute(method, request.url);
  }
  if (!['load', 'canary', 'promote', 'rollback'].includes(operation)) throw noRoute(method, request.url);
  allow(method, 'POST');
  let status = 200;
  try {
    const body = await readJson(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'the request body must be a JSON object');
    }
    const fields = body as Record<string, unknown>;
    let state: unknown;
    if (operation === 'load') {
      const version = fields.version;
      if (!Number.isSafeInteger(version) || (version as number) < 1) {
        throw new HttpError(
          400,
          `"version" must be a version number (1, 2, …); got ${JSON.stringify(version)}`,
        );
      }
      const percent = fields.canary_percent;
      if (percent !== undefined) checkPercent(percent, 'canary_percent');
      state = await host.load(name, version as number, percent as number | undefined);
    } else if (operation === 'canary') {
      checkPercent(fields.percent, 'percent');
      state = await host.setCanary(name, fields.percent as number);
    } else if (operation === 'promote') {
      state = await host.promote(name);
    } else {
      state = await host.rollback(name);
    }
    sendJson(response, 200, state);
  } catch (error) {
    status = statusOf(error);
    if (status < 500)
      context.logger.warn(`admin ${operation} ${name}: refused (${status}): ${(error as Error).message}`);
    throw error;
  } finally {
    metrics.adminOperations.inc({ model: name, operation, status: String(status) });
  }
}

function checkPercent(value: unknown, field: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
    throw new HttpError(400, `"${field}" must be a number from 0 to 100; got ${JSON.stringify(value)}`);
  }
}
