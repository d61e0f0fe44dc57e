import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean, InputError } from '@modelgate/core';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags strictly. Unknown flags, missing values and stray arguments are
 * usage errors (exit 2) that name the flag and suggest the closest known one.
 */
export function parseFlags<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const known = Object.keys(options).map((name) => `--${name}`);
      const guess = didYouMean(unknown, known);
      throw new InputError(`unknown option ${unknown} for 'modelgate ${command}'`, {
        hint: guess === undefined ? `see 'modelgate ${command} --help'` : `did you mean ${guess}?`,
      });
    }
    const ambiguous = /Option '(--[^']+)' argument is ambiguous/.exec(message)?.[1];
    if (ambiguous !== undefined) {
      throw new InputError(
        `${ambiguous} needs a value; a value that starts with '-' is written ${ambiguous}=-…`,
        {
          hint: `see 'modelgate ${command} --help'`,
        },
      );
    }
    throw new InputError(`${message.split('\n')[0]?.replace(/\.$/, '')} (modelgate ${command})`, {
      hint: `see 'modelgate ${command} --help'`,
      cause: error,
    });
  }
}
