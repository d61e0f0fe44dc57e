import { InputError } from './errors.ts';

/**
 * How an option is named to the user: `--bootstrap` on the command line, `input 'bootstrap'` in
 * an action. The same validation serves both, so the rules live in one place.
 */
export type OptionNamer = (name: string) => string;

export const cliOption: OptionNamer = (name) => `--${name}`;
export const actionInput: OptionNamer = (name) => `input '${name}'`;

/** A comma-separated list (`a,b,c`), trimmed, with no empty items. */
export function parseList(name: string, value: string | undefined, namer: OptionNamer): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new InputError(
      `${namer(name)} '${value}' has an empty item; expected a comma-separated list like a,b,c`,
    );
  }
  return items;
}

/** An integer within bounds, naming the option and the accepted range when it is not. */
export function parseInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  namer: OptionNamer,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new InputError(`${namer(name)} '${value}' is not valid; expected ${range}`);
  }
  return n;
}

/** A number strictly between two bounds. */
export function parseFraction(
  name: string,
  value: string | undefined,
  fallback: number,
  namer: OptionNamer,
): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!(n > 0 && n < 1))
    throw new InputError(
      `${namer(name)} '${value}' is not valid; expected a number between 0 and 1, like 0.95`,
    );
  return n;
}

/** One of a fixed set of values. */
export function parseChoice<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  namer: OptionNamer,
): T | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(`${namer(name)} '${value}' is not valid; expected one of ${choices.join(', ')}`);
  }
  return value as T;
}

/**
 * `true` or `false` (YAML 1.2's core schema spellings, as core.getBooleanInput reads them), from
 * a flag, an input or the config file; a boolean passes through. Anything else names the option
 * and its value.
 */
export function parseBoolean(
  name: string,
  value: string | boolean | undefined,
  namer: OptionNamer,
): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  throw new InputError(`${namer(name)} is '${value}'; expected true or false`);
}
