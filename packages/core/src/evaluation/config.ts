import type { ConfigFile } from '../config/file.ts';
import type { OptionNamer } from '../kernel/options.ts';
import type { OptionTable } from '../kernel/step.ts';
import { evaluateSettingsFrom, type RawEvaluateOptions } from './inputs.ts';
import type { EvaluateSettings } from './settings.ts';

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

type EvaluateSection = NonNullable<ConfigFile['config']['evaluate']>;

/** An evaluate option and its key in the `evaluate:` section. */
const SECTION_KEYS = {
  data: 'data',
  predictions: 'predictions',
  label: 'label',
  task: 'task',
  classes: 'classes',
  features: 'features',
  output: 'output',
  'slice-by': 'slice_by',
  bootstrap: 'bootstrap',
  confidence: 'confidence',
  seed: 'seed',
  provider: 'provider',
  'batch-size': 'batch_size',
} as const satisfies Partial<Record<keyof RawEvaluateOptions, keyof EvaluateSection>>;

type SectionOption = keyof typeof SECTION_KEYS;

/** The evaluate options after the config file filled in what the caller left out. */
export interface MergedEvaluateOptions {
  readonly raw: RawEvaluateOptions;
  /** The options whose value came from the file, so an error about one names the file's key. */
  readonly fromFile: ReadonlySet<string>;
}

const given = (value: string | readonly string[] | undefined): boolean =>
  value !== undefined && (typeof value === 'string' ? value.trim() !== '' : value.length > 0);

/**
 * The one precedence of every evaluate option, for the CLI and the actions alike: the flag or
 * input, then the config file's `evaluate:` section, then the default (the defaults are applied
 * by `evaluateSettingsFrom`). A model given by the caller means the section's predictions file
 * is not meant. The section's data stays with a predictions file: the record names it as the
 * rows the predictions were made on.
 */
export function evaluateOptionsWithConfig(
  raw: RawEvaluateOptions,
  section: EvaluateSection | undefined,
): MergedEvaluateOptions {
  const merged: RawEvaluateOptions = { ...raw };
  const fromFile = new Set<string>();
  const file = section ?? {};
  for (const option of Object.keys(SECTION_KEYS) as SectionOption[]) {
    if (given(raw[option])) continue;
    const value = file[SECTION_KEYS[option]];
    if (value === undefined) continue;
    if (option === 'predictions' && given(raw.model)) continue;
    if (option === 'slice-by')
      merged['slice-by'] = Array.isArray(value) ? value.map(String) : [String(value)];
    else if (Array.isArray(value)) merged[option] = value.join(',');
    else merged[option] = String(value);
    fromFile.add(option);
  }
  // A model given by the caller replaces the file's predictions file, whoever set it.
  if (given(raw.model) && !given(raw.predictions)) delete merged.predictions;
  return { raw: merged, fromFile };
}

/**
 * Evaluate settings from the caller's options and the config file: the flag or input, then the
 * file's `evaluate:` section, then the default. An error about a value the caller gave names it
 * as the caller does (`--data`, `input 'data'`); one about a value from the file names its key
 * there (`'evaluate.data' in .modelgate.yml`).
 */
export function evaluateSettingsWithConfig(
  raw: RawEvaluateOptions,
  file: ConfigFile,
  namer: OptionNamer,
): EvaluateSettings {
  const merged = evaluateOptionsWithConfig(raw, file.config.evaluate);
  return evaluateSettingsFrom(merged.raw, fileAwareNamer(merged.fromFile, file.path, namer));
}

/** Names an option the caller gave as the caller does, and one from the file by its key there. */
export function fileAwareNamer(fromFile: ReadonlySet<string>, path: string, namer: OptionNamer): OptionNamer {
  return (name) =>
    fromFile.has(name) ? `'evaluate.${SECTION_KEYS[name as SectionOption] ?? name}' in ${path}` : namer(name);
}
