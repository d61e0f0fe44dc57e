import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '@modelgate/core';

/**
 * Request bodies above this are refused with 413 before they are buffered: a JSON tensor of
 * 1M float32 values is about 20 MB, so this leaves room for large batches while keeping one
 * client from exhausting the server's memory.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** An error that becomes an HTTP response: the status and a message the client can act on. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** Reads a request body whole, refusing anything above `limit` bytes with 413. */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      reject(new HttpError(413, `request body of ${declared} bytes is over the ${limit}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new HttpError(413, `request body is over the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    request.on('error', reject);
    // A client that hangs up mid-body gets no answer, but the request must not wait forever.
    request.on('close', () => {
      if (!request.complete)
        reject(new HttpError(400, 'the client closed the connection before sending the whole body'));
    });
  });
}

/** Parses a JSON request body; an empty body reads as `{}`. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Sends a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Sends `{ "error": message }`, the one shape every 4xx and 5xx answer has. */
export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, { error: error.message }, error.headers);
}

/** Refuses a request that uses the wrong method for its endpoint (405). */
export function allow(method: string, expected: string): void {
  if (method !== expected) {
    throw new HttpError(405, `use ${expected} here, not ${method}`, { headers: { allow: expected } });
  }
}

/** 404 for a path that is no endpoint. */
export function noRoute(method: string, url: string | undefined): HttpError {
  return new HttpError(404, `no such endpoint: ${method} ${url ?? '/'}`);
}

/** The HTTP status an error becomes: its own, 400 for a user error, else 500 (a bug). */
export function statusOf(error: unknown): number {
  return error instanceof HttpError ? error.status : error instanceof InputError ? 400 : 500;
}
