import type { ConfigFile } from '../../config/file.ts';
import { evaluateSettingsWithConfig, SCORING_OPTIONS } from '../../evaluation/config.ts';
import type { Shard } from '../../evaluation/evaluate.ts';
import type { EvaluateSettings } from '../../evaluation/settings.ts';
import { InputError } from '../../kernel/errors.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of `modelgate evaluate` and the evaluate action. */
export const EVALUATE_OPTIONS = {
  ...SCORING_OPTIONS,
  predictions: 'string',
  out: 'string',
  shard: 'string',
} as const satisfies OptionTable;

export interface EvaluateStepSettings {
  readonly evaluate: EvaluateSettings;
  /** Where the record goes; without it the CLI prints the record on stdout. */
  readonly out: string | undefined;
  /** Part K of N of the rows (`--shard K/N`): the step then writes a part record for `merge`. */
  readonly shard?: Shard;
}

/** Bounds a matrix of shards: GitHub runs at most 256 jobs per matrix. */
export const MAX_SHARDS = 256;

/** `K/N` with 1 ≤ K ≤ N: which part of the rows this job evaluates. Blank means the whole file. */
export function parseShard(value: string | undefined, namer: OptionNamer): Shard | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= MAX_SHARDS)) {
    throw new InputError(
      `${namer('shard')} '${value}' is not valid; expected K/N, part K of N (N from 1 to ${MAX_SHARDS}), like 2/4`,
    );
  }
  if (!(index >= 1 && index <= count)) {
    throw new InputError(
      `${namer('shard')} '${value}' is not valid: the part K must be from 1 to ${count} (the parts are numbered 1…N)`,
    );
  }
  return { index, count };
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
  const { out, shard, ...options } = raw;
  const blank = out === undefined || out.trim() === '';
  const part = parseShard(shard, namer);
  return {
    evaluate: evaluateSettingsWithConfig(options, config, namer),
    out: blank ? undefined : out,
    ...(part === undefined ? {} : { shard: part }),
  };
}
