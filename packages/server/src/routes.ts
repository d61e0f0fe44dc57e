import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError, VERSION } from '@modelgate/core';
import { type ModelHost, type ModelSlot, notLoaded } from './host.ts';
import { HttpError, readJson, sendError, sendJson } from './http.ts';
import type { ServerLogger } from './logger.ts';
import { NO_VERSION, type ServerMetrics } from './metrics.ts';
import type { VersionRunner } from './runner.ts';
import { oipDatatype, oipShape, parseInferRequest } from './tensors.ts';
import { checkBearer } from './token.ts';

/** The header that says which version answered an infer request (primary or canary). */
export const VERSION_HEADER = 'x-modelgate-version';

export interface RouteContext {
  readonly host: ModelHost;
  readonly metrics: ServerMetrics;
  readonly logger: ServerLogger;
  readonly adminToken: string;
}

/** Handles one request: the OIP v2 endpoints, /metrics, and the token-guarded admin API. */
export async function handle(
  context: RouteContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  let segments: string[];
  try {
    segments = (query === -1 ? url : url.slice(0, query)).split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    sendError(response, new HttpError(400, `the path ${url} is not valid URL encoding`));
    return;
  }
  const method = request.method ?? 'GET';
  try {
    if (segments[0] === 'v2') await oip(context, method, segments.slice(1), request, response, started);
    else if (segments[0] === 'admin') await admin(context, method, segments.slice(1), request, response);
    else if (segments.length === 1 && segments[0] === 'metrics') {
      allow(method, 'GET');
      const text = await context.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': context.metrics.registry.contentType });
      response.end(text);
    } else throw noRoute(method, url);
  } catch (error) {
    respondWithError(context, response, error);
  }
}

async function oip(
  context: RouteContext,
  method: string,
  path: string[],
  request: IncomingMessage,
  response: ServerResponse,
  started: number,
): Promise<void> {
  const { host } = context;
  const [first, name, ...rest] = path;
  if (path.length === 0) {
    allow(method, 'GET');
    sendJson(response, 200, { name: 'modelgate', version: VERSION, extensions: [] });
    return;
  }
  if (first === 'health' && path.length === 2 && (name === 'live' || name === 'ready')) {
    allow(method, 'GET');
    if (name === 'live') sendJson(response, 200, { live: true });
    else sendJson(response, host.ready() ? 200 : 503, { ready: host.ready() });
    return;
  }
  if (first !== 'models' || name === undefined) throw noRoute(method, request.url);

  // /v2/models/{name}[/versions/{v}][/ready|/infer]
  let pinned: number | undefined;
  let action = rest;
  if (rest[0] === 'versions' && rest[1] !== undefined) {
    pinned = parseVersion(rest[1]);
    action = rest.slice(2);
  }
  if (action.length === 1 && action[0] === 'infer') {
    allow(method, 'POST');
    await infer(context, name, pinned, request, response, started);
    return;
  }
  if (action.length > 1 || (action.length === 1 && action[0] !== 'ready')) throw noRoute(method, request.url);
  allow(method, 'GET');
  const slot = host.slot(name);
  if (slot === undefined) throw notLoaded(name, host.names());
  const runner = pinned === undefined ? slot.primary : pinnedRunner(slot, pinned);
  if (action[0] === 'ready') {
    sendJson(response, 200, {
      name,
      ...(pinned === undefined ? {} : { version: String(pinned) }),
      ready: true,
    });
    return;
  }
  sendJson(response, 200, metadata(slot, runner));
}

async function infer(
  context: RouteContext,
  name: string,
  pinned: number | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  started: number,
): Promise<void> {
  const { host, metrics } = context;
  let runner: VersionRunner | undefined;
  let status = 200;
  try {
    if (request.headers['inference-header-content-length'] !== undefined) {
      throw new HttpError(
        400,
        'the binary tensor extension is not supported: send tensors as JSON "data" arrays',
      );
    }
    const body = await readJson(request);
    const slot = host.slot(name);
    if (slot === undefined) throw notLoaded(name, host.names());
    // Chosen and referenced with no await in between: a swap that happens from here on leaves
    // this request on the version it was given, whose session lives until the request is done.
    runner = pinned === undefined ? slot.pick() : pinnedRunner(slot, pinned);
    runner.acquire();
    try {
      const parsed = parseInferRequest(body, runner.model);
      const outputs = await runner.infer(parsed);
      sendJson(
        response,
        200,
        {
          model_name: name,
          model_version: String(runner.version),
          ...(parsed.id === undefined ? {} : { id: parsed.id }),
          outputs,
        },
        { [VERSION_HEADER]: String(runner.version) },
      );
    } finally {
      runner.release();
    }
  } catch (error) {
    status = error instanceof HttpError ? error.status : error instanceof InputError ? 400 : 500;
    throw error;
  } finally {
    const known = host.slot(name) !== undefined || runner !== undefined;
    const labels = {
      model: known ? name : 'unknown',
      version: runner === undefined ? NO_VERSION : String(runner.version),
    };
    metrics.requests.inc({ ...labels, status: String(status) });
    metrics.latency.observe(labels, (performance.now() - started) / 1000);
  }
}

async function admin(
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
    status = error instanceof HttpError ? error.status : error instanceof InputError ? 400 : 500;
    if (status < 500)
      context.logger.warn(`admin ${operation} ${name}: refused (${status}): ${(error as Error).message}`);
    throw error;
  } finally {
    metrics.adminOperations.inc({ model: name, operation, status: String(status) });
  }
}

/** OIP model metadata, plus what modelgate adds: the loaded version's digest and the canary. */
function metadata(slot: ModelSlot, runner: VersionRunner): unknown {
  const canary = slot.canary;
  const describe = (values: typeof runner.model.inputs) =>
    values.map((v) => ({ name: v.name, datatype: oipDatatype(v.type), shape: oipShape(v.shape) }));
  return {
    name: slot.name,
    versions: [String(runner.version)],
    platform: 'onnxruntime_onnx',
    inputs: describe(runner.model.inputs),
    outputs: describe(runner.model.outputs),
    modelgate: {
      version: runner.version,
      sha256: runner.sha256,
      canary:
        canary === null
          ? null
          : { version: canary.runner.version, sha256: canary.runner.sha256, percent: canary.split.percent },
    },
  };
}

function pinnedRunner(slot: ModelSlot, version: number): VersionRunner {
  const runner = slot.pinned(version);
  if (runner === undefined) {
    throw new HttpError(
      404,
      `model '${slot.name}' has no version ${version} taking traffic (${slot.serving()})`,
    );
  }
  return runner;
}

function parseVersion(text: string): number {
  const version = /^v?(\d{1,9})$/.exec(text)?.[1];
  if (version === undefined || Number(version) < 1) {
    throw new HttpError(400, `'${text}' is not a version number`);
  }
  return Number(version);
}

function checkPercent(value: unknown, field: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
    throw new HttpError(400, `"${field}" must be a number from 0 to 100; got ${JSON.stringify(value)}`);
  }
}

function allow(method: string, expected: string): void {
  if (method !== expected) {
    throw new HttpError(405, `use ${expected} here, not ${method}`, { headers: { allow: expected } });
  }
}

function noRoute(method: string, url: string | undefined): HttpError {
  return new HttpError(404, `no such endpoint: ${method} ${url ?? '/'}`);
}

function respondWithError(context: RouteContext, response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendError(response, error);
    return;
  }
  if (error instanceof InputError) {
    const hint = error.hint === undefined ? '' : ` (hint: ${error.hint})`;
    sendError(response, new HttpError(400, `${error.message}${hint}`));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  context.logger.error(`internal error: ${error instanceof Error && error.stack ? error.stack : message}`);
  sendError(response, new HttpError(500, `internal error: ${message.split('\n')[0]}`));
}
