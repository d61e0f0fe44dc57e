import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../kernel/errors.ts';

/** The environment variable `serve` and `deploy` both read the admin token from (CONTRACT.md). */
export const ADMIN_TOKEN_ENV = 'MODELGATE_ADMIN_TOKEN';
/** Where `modelgate serve` writes a generated token when the variable is unset, under its cwd. */
export const ADMIN_TOKEN_FILE = join('.modelgate', 'admin-token');

/**
 * The admin token for the built-in server: MODELGATE_ADMIN_TOKEN, else the file a local `serve`
 * generated in this directory (they "may share a generated one"). Never logged.
 */
export async function readAdminToken(env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const fromEnv = env[ADMIN_TOKEN_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const path = join(cwd, ADMIN_TOKEN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InputError(`cannot read the admin token file ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw new InputError(
      `the server target needs the model server's admin token: ${ADMIN_TOKEN_ENV} is not set and ${path} does not exist`,
      {
        hint: `set ${ADMIN_TOKEN_ENV} to the token the server was started with (in a workflow, from a secret)`,
      },
    );
  }
  const token = text.trim();
  if (token === '') throw new InputError(`the admin token file ${path} is empty`);
  return token;
}
