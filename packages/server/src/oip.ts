import type { IncomingMessage, ServerResponse } from 'node:http';
import { VERSION } from '@modelgate/core';
import {
  BINARY_EXTENSION,
  type BinaryResponse,
  binaryOutputs,
  HEADER_LENGTH,
  joinResponse,
  refuseStrayBinary,
  splitRequest,
} from './binary-extension.ts';
import type { RouteContext } from './context.ts';
import { type ModelSlot, notLoaded } from './host.ts';
import { allow, noRoute, readBody, readJson, sendJson, sendJsonText, statusOf } from './http.ts';
import type { VersionRunner } from './runner.ts';
import { inferResponseJson, parseInferRequest } from './tensors.ts';
import { countInfer, modelMetadata, parseVersion, pinnedRunner } from './versions.ts';

/** The header that says which version answered an infer request (primary or canary). */
export const VERSION_HEADER = 'x-modelgate-version';

/** The Open Inference Protocol (KServe v2) endpoints under /v2: health, metadata and infer. */
export async function oip(
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
    sendJson(response, 200, { name: 'modelgate', version: VERSION, extensions: [BINARY_EXTENSION] });
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
    const body = await readInferBody(request, context.maxBodyBytes);
    const slot = host.slot(name);
    if (slot === undefined) throw notLoaded(name, host.names());
    // Chosen and referenced with no await in between: a swap that happens from here on leaves
    // this request on the version it was given, whose session lives until the request is done.
    runner = pinned === undefined ? slot.pick() : pinnedRunner(slot, pinned);
    runner.acquire();
    try {
      const parsed = parseInferRequest(body, runner.model);
      const binary = binaryOutputs(body, parsed.outputs, runner.model);
      const outputs = await runner.infer(parsed);
      const version = runner.versionLabel;
      const headers = { [VERSION_HEADER]: version };
      if (binary.size === 0) {
        sendJsonText(response, 200, inferResponseJson(name, version, parsed.id, outputs), headers);
      } else {
        const answer = {
          model_name: name,
          model_version: version,
          ...(parsed.id === undefined ? {} : { id: parsed.id }),
          outputs,
        };
        sendBinary(response, joinResponse(answer, binary), headers);
      }
      context.requestLog?.record(name, version, runner.featureNames, parsed.inputs, outputs);
    } finally {
      runner.release();
    }
  } catch (error) {
    status = statusOf(error);
    throw error;
  } finally {
    countInfer(metrics, host, name, runner, status, started);
  }
}

/**
 * An infer request's body: JSON, or with Inference-Header-Content-Length, the binary tensor data
 * extension's JSON part with its inputs' bytes decoded into `data`. Both are capped alike.
 */
async function readInferBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const headerLength = request.headers[HEADER_LENGTH];
  if (headerLength !== undefined) return splitRequest(await readBody(request, limit), headerLength);
  const body = await readJson(request, limit);
  refuseStrayBinary(body);
  return body;
}

function sendBinary(response: ServerResponse, answer: BinaryResponse, headers: Record<string, string>): void {
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': answer.body.length,
    [HEADER_LENGTH]: answer.headerLength,
    ...headers,
  });
  response.end(answer.body);
}

/** OIP model metadata, plus what modelgate adds: the loaded version's digest and the canary. */
function metadata(slot: ModelSlot, runner: VersionRunner): unknown {
  const canary = slot.canary;
  return {
    ...modelMetadata(slot, runner),
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
