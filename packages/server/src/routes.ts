import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '@modelgate/core';
import { admin } from './admin.ts';
import type { RouteContext } from './context.ts';
import { allow, HttpError, noRoute, sendError } from './http.ts';
import { oip } from './oip.ts';

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
    const path = query === -1 ? url : url.slice(0, query);
    segments = path.split('/').filter(Boolean);
    // Most paths (every infer of a plainly named model) have nothing to decode.
    if (path.includes('%')) segments = segments.map(decodeURIComponent);
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
