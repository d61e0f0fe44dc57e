import { DeployCheckError } from './types.ts';

/** How long one call to a model server may take before it counts as failed. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  readonly body: unknown;
}

/** The network failed (refused, reset, timed out): no HTTP answer at all. */
export class UnreachableError extends DeployCheckError {
  override readonly name = 'UnreachableError';
}

/**
 * One JSON call over HTTP with a timeout. Never throws for an HTTP status: the caller decides
 * what each status means. Throws {@link UnreachableError} when no answer came.
 */
export async function callJson(
  method: 'GET' | 'POST',
  url: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${Math.round((options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS) / 1000)} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new UnreachableError(`${method} ${url} failed: ${why}`, { cause: error });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page, plain text): keep the text for the message.
  }
  return { status: response.status, headers: response.headers, body };
}

/** The `error` (or `message`) a server put in an error body, else the start of the body. */
export function errorText(answer: HttpAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null) {
    const record = body as { error?: unknown; message?: unknown };
    if (typeof record.error === 'string') return record.error;
    if (typeof record.message === 'string') return record.message;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A base URL with no trailing slash. */
export function trimUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
