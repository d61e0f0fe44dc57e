import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../kernel/errors.ts';
import type { OptionNamer } from '../kernel/options.ts';
import { DEFAULT_REGISTRY_SPEC, registrySpecFromConfig } from '../registry/open.ts';
import { loadConfig, type ModelgateConfig } from './config.ts';

/** The config file every step reads when none is named: present or not, it is optional. */
export const DEFAULT_CONFIG_FILE = '.modelgate.yml';

/** A step's config file, read: the path as the caller named it, and its parsed contents. */
export interface ConfigFile {
  /** As the user wrote it (relative to the working directory); errors name it this way. */
  readonly path: string;
  readonly config: ModelgateConfig;
}

/**
 * Reads the config file a step was given (`--config` / input `config`), or the default
 * `.modelgate.yml` when there is one in `cwd`. A file named on purpose must exist: a missing one
 * is a usage error naming the option, never silently an empty config.
 */
export async function readConfigFile(
  given: string | undefined,
  cwd: string,
  namer: OptionNamer,
): Promise<ConfigFile> {
  const named = given === undefined || given.trim() === '' ? undefined : given.trim();
  const path = named ?? DEFAULT_CONFIG_FILE;
  const absolute = resolve(cwd, path);
  if (named !== undefined && !existsSync(absolute)) {
    throw new InputError(`${namer('config')} '${named}': no such file`, {
      hint: `leave ${namer('config')} out to use ${DEFAULT_CONFIG_FILE} when there is one`,
    });
  }
  return { path, config: await loadConfig(absolute, { required: named !== undefined, name: path }) };
}

/**
 * The registry a step uses, with the one precedence: the flag or input, then the file's
 * `registry:` section, then `fs:.modelgate/registry`.
 */
export function registrySpecFrom(given: string | undefined, file: ConfigFile): string {
  const named = given === undefined || given.trim() === '' ? undefined : given.trim();
  return named ?? registrySpecFromConfig(file.config.registry, file.path) ?? DEFAULT_REGISTRY_SPEC;
}

/** A step's registry: its spec, and how to name where the spec came from in a message. */
export interface RegistryChoice {
  readonly spec: string;
  /** `--registry` / `input 'registry'` when the caller gave it, else `registry` (the file's or the default). */
  readonly what: string;
}

/** {@link registrySpecFrom}, remembering whether the caller named it, for messages. */
export function registryChoice(
  given: string | undefined,
  file: ConfigFile,
  namer: OptionNamer,
): RegistryChoice {
  const named = given !== undefined && given.trim() !== '';
  return { spec: registrySpecFrom(given, file), what: named ? namer('registry') : 'registry' };
}
