import type { ConfigFile } from '../../config/file.ts';
import { evaluateSettingsWithConfig } from '../../evaluation/config.ts';
import type { EvaluateSettings } from '../../evaluation/settings.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** The options that choose and score a model; compare's paired mode takes the same ones. */
export const SCORING_OPTIONS = {
  model: 'string',
  data: 'string',
  label: 'string',
  task: 'string',
  classes: 'string',
  features: 'string',
  output: 'string',
  'slice-by': 'strings',
  bootstrap: 'string',
  confidence: 'string',
  seed: 'string',
  provider: 'string',
  'batch-size': 'string',
} as const satisfies OptionTable;

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
