import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { InputError } from '../kernel/errors.ts';
import type { OptionNamer } from '../kernel/options.ts';

/** Training parameters: a mapping from name to any YAML/JSON value. */
export type TrainParams = Readonly<Record<string, unknown>>;

/** Every parameter also reaches the command as `MODELGATE_PARAM_<NAME>`. */
export const PARAM_ENV_PREFIX = 'MODELGATE_PARAM_';

/**
 * Parses the `params` option: YAML or JSON text (JSON is YAML), or `@path` to read a file. The
 * document must be a mapping, because every key becomes a variable name. Nothing here ever
 * reaches a shell string: params travel as a file and as environment variables only.
 */
export function parseParams(value: string | undefined, namer: OptionNamer): TrainParams {
  if (value === undefined || value.trim() === '') return {};
  let text = value;
  let source = namer('params');
  if (value.trimStart().startsWith('@')) {
    // '@' cannot start a YAML plain scalar, so this never takes away a valid document.
    const path = value.trimStart().slice(1).trim();
    source = `${namer('params')} file ${path}`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new InputError(`${source} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InputError(`${source} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
      hint: 'give a mapping, like {"lr": 0.01, "epochs": 5} or lr: 0.01',
    });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new InputError(
      `${source} must be a mapping of names to values, not ${Array.isArray(document) ? 'a list' : `the ${typeof document} ${JSON.stringify(document)}`}`,
      { hint: 'give a mapping, like {"lr": 0.01, "epochs": 5} or lr: 0.01' },
    );
  }
  const params = document as Record<string, unknown>;
  // Validate the variable names now, so a clash is a usage error before anything runs.
  paramEnvironment(params, source);
  return params;
}

/** `learning-rate` → `MODELGATE_PARAM_LEARNING_RATE`: upper case, anything but A-Z and 0-9 becomes `_`. */
export function paramEnvName(name: string): string {
  return `${PARAM_ENV_PREFIX}${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The `MODELGATE_PARAM_<NAME>` variables. Strings pass through untouched (quotes, spaces and all);
 * numbers and booleans as written by JSON; null as ''; lists and mappings as JSON.
 */
export function paramEnvironment(params: TrainParams, source = 'params'): Record<string, string> {
  const env: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (name.trim() === '') throw new InputError(`${source} has an empty parameter name`);
    const variable = paramEnvName(name);
    const clash = owner.get(variable);
    if (clash !== undefined) {
      throw new InputError(`${source}: parameters '${clash}' and '${name}' both become ${variable}`, {
        hint: 'rename one of them; names are upper-cased and every other character becomes _',
      });
    }
    owner.set(variable, name);
    const text = paramText(value);
    if (text.includes('\0')) {
      throw new InputError(
        `${source}: parameter '${name}' holds a NUL character, which no environment variable can carry`,
        {
          hint: 'read it from the file named by MODELGATE_PARAMS_FILE instead, or drop the character',
        },
      );
    }
    env[variable] = text;
  }
  return env;
}

function paramText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}
