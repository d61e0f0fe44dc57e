import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ADMIN_TOKEN_ENV, InputError } from '@modelgate/core';

/** The environment variable that `serve` and `deploy` both read the admin token from (CONTRACT.md). */
export { ADMIN_TOKEN_ENV };
/** Where a generated token is kept, under the working directory; `modelgate deploy` reads it from there. */
export const DEFAULT_ADMIN_TOKEN_FILE = join('.modelgate', 'admin-token');

/** The admin token and where it came from (for the start-up message; the token itself is never logged). */
export interface AdminToken {
  readonly token: string;
  /** `MODELGATE_ADMIN_TOKEN`, or the file's absolute path. */
  readonly source: string;
  /** True when this start generated it. */
  readonly generated: boolean;
}

export interface AdminTokenOptions {
  readonly env: NodeJS.ProcessEnv;
  /** `--admin-token-file`: read the token from here. */
  readonly file?: string | undefined;
  readonly cwd: string;
}

/**
 * Finds the admin token: `MODELGATE_ADMIN_TOKEN` when set; else the file given; else the one in
 * `.modelgate/admin-token` under the working directory, generated (mode 0600) when there is none,
 * so that `serve` and `deploy` run from the same directory share it with no set-up.
 */
export async function resolveAdminToken(options: AdminTokenOptions): Promise<AdminToken> {
  const fromEnv = options.env[ADMIN_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { token: fromEnv.trim(), source: ADMIN_TOKEN_ENV, generated: false };
  }
  if (options.file !== undefined) {
    const path = resolve(options.cwd, options.file);
    const token = await readTokenFile(path);
    if (token === undefined) {
      throw new InputError(`admin token file ${path} not found`, {
        hint: `write a token into it (e.g. openssl rand -hex 32 > ${options.file}), or set ${ADMIN_TOKEN_ENV}`,
      });
    }
    return { token, source: path, generated: false };
  }
  const path = resolve(options.cwd, DEFAULT_ADMIN_TOKEN_FILE);
  const existing = await readTokenFile(path);
  if (existing !== undefined) return { token: existing, source: path, generated: false };
  return { ...(await generateTokenFile(path)), source: path };
}

/** The token in a file (trimmed), or undefined when there is no file; an empty file is an error. */
async function readTokenFile(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the admin token file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const token = text.trim();
  if (token === '') {
    throw new InputError(`admin token file ${path} is empty`, {
      hint: `write a token into it, delete it to have one generated, or set ${ADMIN_TOKEN_ENV}`,
    });
  }
  // Anyone who can read the token can deploy: keep it to its owner even if it was created loosely.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600).catch(() => undefined);
  return token;
}

/**
 * Writes a new random token to `path` (mode 0600). It is written beside the target and linked
 * into place, which fails when the file exists: two servers starting together in one directory
 * end up with the same token, the first one written.
 */
async function generateTokenFile(path: string): Promise<{ token: string; generated: boolean }> {
  const token = randomBytes(32).toString('base64url');
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, `${token}\n`, { mode: 0o600 });
    await link(temporary, path);
    return { token, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const other = await readTokenFile(path);
      if (other !== undefined) return { token: other, generated: false };
    }
    throw new InputError(`cannot write the admin token file ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: `set ${ADMIN_TOKEN_ENV}, or pass --admin-token-file`,
    });
  } finally {
    await rm(temporary, { force: true });
  }
}

/** How an `Authorization` header stands against the token. */
export type AuthCheck = 'ok' | 'missing' | 'wrong';

/** Checks `Authorization: Bearer <token>` in constant time (hashing first hides the length too). */
export function checkBearer(header: string | undefined, token: string): AuthCheck {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) return 'missing';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token)) ? 'ok' : 'wrong';
}
