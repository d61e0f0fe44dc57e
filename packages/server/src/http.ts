import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError, SERVE_DEFAULTS } from '@modelgate/core';

/**
 * The default cap on an infer request's body (SERVE_DEFAULTS.maxBodyBytes, 32 MiB). Parsing
 * holds about four times the body at once (the bytes, the text, the numbers, the tensor), so this
 * also bounds what one unauthenticated request can make the server hold to about 130 MB.
 */
export const DEFAULT_MAX_BODY_BYTES: number = SERVE_DEFAULTS.maxBodyBytes;

/** How a client that needs more is told to ask for it (the 413's last words). */
const RAISE_LIMIT =
  "send fewer rows per request, or raise the limit with 'modelgate serve --max-body-bytes N' (the server option maxBodyBytes)";

/** The 413 for a body over `limit`: it says the limit and how to raise it, and closes the connection. */
export function bodyTooLarge(limit: number, declared?: number): HttpError {
  const size = declared === undefined ? 'request body is' : `request body of ${declared} bytes is`;
  return new HttpError(
    413,
    `${size} over this server's limit of ${limit} bytes (${mebibytes(limit)}); ${RAISE_LIMIT}`,
    {
      // The rest of the body is never read: closing is the only way to stop it arriving.
      headers: { connection: 'close' },
    },
  );
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB`;
}

/** The Content-Length a request declares, or undefined when it has none (a chunked body). */
export function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isFinite(length) ? length : undefined;
}

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

/**
 * Reads a request body whole, refusing anything above `limit` bytes with 413: at once when the
 * Content-Length says so, else as soon as the streamed bytes pass it, keeping none of the rest.
 */
export function readBody(request: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = declaredLength(request);
    if (declared !== undefined && declared > limit) {
      reject(bodyTooLarge(limit, declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        chunks.length = 0;
        // Discard whatever arrives until the 413 is sent and the connection closes.
        request.resume();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
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
export async function readJson(request: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const body = await readBody(request, limit);
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
  sendJsonText(response, status, JSON.stringify(body), headers);
}

/** Sends a response whose JSON text is already written. */
export function sendJsonText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
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
