import { resolve } from 'node:path';
import type { OptionNamer } from '../kernel/options.ts';
import { loadConfig, type ModelgateConfig } from './config.ts';
import { type ConfigFile, readConfigFile } from './file.ts';

/** What compare reads from its config: the file itself, the gate spec's path and the model name. */
export interface CompareConfig {
  readonly file: ConfigFile;
  /** The gate spec, resolved against the working directory. */
  readonly gatesPath: string;
  /** The gate spec as the caller named it, for messages. */
  readonly gatesName: string;
  /** The gate spec's own contents, for its `model:` (the config file itself when they are one). */
  readonly gatesConfig: ModelgateConfig;
  /** The registry name: the flag or input, then `model:` in the gate spec, then in the config. */
  readonly name: string | undefined;
}

/**
 * The one resolution of compare's files, for the CLI and the action: the config file (given, or
 * `.modelgate.yml` when there is one), the gate spec (given apart, else the config file itself),
 * and the model name (the flag or input, then the gate spec's `model:`, then the config's).
 */
export async function readCompareConfig(
  given: { config?: string | undefined; gates?: string | undefined; name?: string | undefined },
  cwd: string,
  namer: OptionNamer,
): Promise<CompareConfig> {
  const file = await readConfigFile(given.config, cwd, namer);
  const gates = given.gates === undefined || given.gates.trim() === '' ? undefined : given.gates.trim();
  const gatesName = gates ?? file.path;
  const gatesPath = resolve(cwd, gatesName);
  const gatesConfig =
    gates === undefined || gatesPath === resolve(cwd, file.path)
      ? file.config
      : await loadConfig(gatesPath, { required: true, name: gatesName });
  const name = blank(given.name) ?? gatesConfig.model ?? file.config.model;
  return { file, gatesPath, gatesName, gatesConfig, name };
}

const blank = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
