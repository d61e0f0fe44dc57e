import { trainOptionsFromConfig } from '../train/config.ts';
import type { RawTrainOptions } from '../train/settings.ts';
import type { ConfigFile } from './file.ts';

/**
 * The one precedence of every train option, for the CLI and the action alike: the flag or input,
 * then the config file's `train:` section, then the default (applied by `trainSettingsFrom`).
 * `allow-fork-prs` never comes from the file: a fork's pull request brings its own copy of it.
 */
export function trainOptionsWithConfig(raw: RawTrainOptions, file: ConfigFile): RawTrainOptions {
  const fromFile = trainOptionsFromConfig(file.config.train, file.path);
  const merged: RawTrainOptions = { ...fromFile };
  for (const [option, value] of Object.entries(raw) as Array<[keyof RawTrainOptions, unknown]>) {
    const given =
      value !== undefined &&
      (typeof value === 'string' ? value.trim() !== '' : !Array.isArray(value) || value.length > 0);
    if (given) Object.assign(merged, { [option]: value });
  }
  return merged;
}
