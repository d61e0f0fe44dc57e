import type { ConfigFile } from '../../config/file.ts';
import { evaluateSettingsWithConfig, SCORING_OPTIONS } from '../../evaluation/config.ts';
import type { EvaluateSettings } from '../../evaluation/settings.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of `modelgate evaluate` and the evaluate action. */
export const EVALUATE_OPTIONS = {
  ...SCORING_OPTIONS,
  predictions: 'string',
  out: 'string',
} as const satisfies OptionTable;

export interface EvaluateStepSettings {
  readonly evaluate: EvaluateSettings;
  /** Where the record goes; without it the CLI prints the record on stdout. */
  readonly out: string | undefined;
}

/**
 * The only reader of evaluate's options: each flag or input, else the config file's `evaluate:`
 * section, else the default. An error names a value as its giver does (`--data`, `input 'data'`,
 * or `'evaluate.data' in .modelgate.yml`).
 */
export function evaluateStepSettingsFrom(
  raw: RawOptions<typeof EVALUATE_OPTIONS>,
  config: ConfigFile,
  namer: OptionNamer,
): EvaluateStepSettings {
  const { out, ...options } = raw;
  const blank = out === undefined || out.trim() === '';
  return { evaluate: evaluateSettingsWithConfig(options, config, namer), out: blank ? undefined : out };
}
