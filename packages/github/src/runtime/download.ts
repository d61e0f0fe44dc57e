import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpClient } from '@actions/http-client';

/** What became of one tarball download. */
export type DownloadOutcome =
  /** The file holds exactly the bytes the lockfile's digest names. */
  | { readonly kind: 'verified'; readonly bytes: number }
  /** No tarball came: the registry could not be reached, or it answered with an error status. */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** A tarball came, but not the one the lockfile pins; the file is already deleted. */
  | { readonly kind: 'mismatch'; readonly actual: string };

// Transient registry answers (502, 503, 504) are worth two more tries; a refused connection is not.
const MAX_RETRIES = 2;

/**
 * Downloads `url` to `file`, hashing as it streams, and keeps the file only when its sha512 equals
 * `integrity` (the lockfile's `sha512-<base64>`). Goes through @actions/http-client so a runner's
 * `https_proxy` / `no_proxy` apply, and drops the token on a redirect to another host.
 */
export async function downloadVerified(
  url: string,
  file: string,
  integrity: string,
  authToken?: string,
): Promise<DownloadOutcome> {
  const client = new HttpClient('modelgate', [], { allowRetries: true, maxRetries: MAX_RETRIES });
  const hash = createHash('sha512');
  let bytes = 0;
  try {
    const response = await client.get(
      url,
      authToken === undefined ? {} : { authorization: `Bearer ${authToken}` },
    );
    const status = response.message.statusCode ?? 0;
    if (status !== 200) {
      response.message.resume();
      return { kind: 'unreachable', reason: `HTTP ${status}${statusText(response.message.statusMessage)}` };
    }
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(response.message, tap, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    return { kind: 'unreachable', reason: reasonOf(error) };
  } finally {
    client.dispose();
  }
  const actual = `sha512-${hash.digest('base64')}`;
  if (actual !== integrity) {
    await rm(file, { force: true });
    return { kind: 'mismatch', actual };
  }
  return { kind: 'verified', bytes };
}

function statusText(message: string | undefined): string {
  return message === undefined || message === '' ? '' : ` ${message}`;
}

/** A network error's code and message (ECONNREFUSED …), which is what a user can act on. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = (error instanceof Error ? error.message : String(error)).trim();
  if (typeof code !== 'string' || message.includes(code)) return message || 'the connection failed';
  // Node's AggregateError (every address of a host refused) has a code but an empty message.
  return message === '' ? code : `${code} ${message}`;
}
