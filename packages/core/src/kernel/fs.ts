import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from './errors.ts';

/** Hex sha256 of a byte buffer. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * half-written file: write a temporary sibling, then rename over the target (atomic on POSIX).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new InputError(`cannot create the output directory ${directory}`, { cause: error });
  }
  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new InputError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Writes a JSON document atomically, with a trailing newline. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Reads a file, turning "not found" and friends into an InputError that names the file and its
 * role. In one synchronous read: fs.promises.readFile makes a thread-pool round trip per step
 * (open, stat, each 512 KiB, close), which cost 5 ms on a 2-core runner for evaluate's small
 * model file, and a command has nothing else for this thread to do meanwhile.
 */
export async function readInputFile(path: string, role: string): Promise<Buffer> {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${role} not found: ${path}`, { cause: error });
    if (code === 'EISDIR')
      throw new InputError(`${role} is a directory, expected a file: ${path}`, { cause: error });
    throw new InputError(`cannot read ${role} ${path}: ${(error as Error).message}`, { cause: error });
  }
}
