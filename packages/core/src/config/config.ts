import { readFile } from 'node:fs/promises';
import { InputError } from '../kernel/errors.ts';
import type { ModelgateConfig } from './parse.ts';

export type { ModelgateConfig } from './parse.ts';

/**
 * Reads the config file. A missing file is an empty config only when the path is the default
 * one (`required: false`); a file given on purpose must exist. Messages name it as `name`, the
 * way the user wrote it, when the file is read from elsewhere than the working directory.
 */
export async function loadConfig(
  file: string,
  {
    required,
    name,
  }: { required: boolean /** How messages name the file (default: `file`). */; name?: string },
): Promise<ModelgateConfig> {
  const path = name ?? file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return {};
    throw new InputError(`config file not found: ${path}`, { cause: error });
  }
  // The parser and the schemas load only now: most runs have no config file.
  const { parseConfig } = await import('./parse.ts');
  return parseConfig(text, path);
}

export * from '../evaluation/config.ts';
export * from './file.ts';
