import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../kernel/errors.ts';

/**
 * A lineage map (training params, training telemetry) given as YAML/JSON text, or as the path of
 * a YAML/JSON file: `{lr: 0.01}` inline, or `params.json` that the train step wrote.
 */
export async function parseLineageMap(
  text: string,
  what: string,
  cwd: string,
): Promise<Record<string, unknown>> {
  const inline = parseMap(text);
  if (inline !== undefined) return inline;
  const path = isAbsolute(text) ? text : resolve(cwd, text);
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${what} is neither a YAML/JSON mapping nor a file that can be read: ${text}`, {
      cause: error,
      hint: `give it inline, e.g. '{"lr": 0.01}', or the path of a JSON file`,
    });
  }
  const fromFile = parseMap(content);
  if (fromFile === undefined) throw new InputError(`${what} file ${path} does not hold a YAML/JSON mapping`);
  return fromFile;
}

function parseMap(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
