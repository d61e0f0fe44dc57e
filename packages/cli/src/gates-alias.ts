import { resolve } from 'node:path';
import { cliOption, InputError, type OptionNamer } from '@modelgate/core';

/**
 * compare's `--gates` is `--config` by its older name (CONTRACT.md): the config file to read,
 * named in its messages by the flag the user typed. Both given must name the same file, or which
 * one wins would be a guess.
 */
export function configFromGates(
  config: string | undefined,
  gates: string | undefined,
  cwd: string,
): { config: string | undefined; namer: OptionNamer } {
  if (config !== undefined && gates !== undefined && resolve(cwd, config) !== resolve(cwd, gates)) {
    throw new InputError(
      `--gates '${gates}' and --config '${config}' disagree: --gates is another name for --config`,
      { hint: 'give one of them' },
    );
  }
  const namer: OptionNamer = (option) =>
    option === 'config' && config === undefined && gates !== undefined ? '--gates' : cliOption(option);
  return { config: config ?? gates, namer };
}
