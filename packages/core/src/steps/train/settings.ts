import { z } from 'zod';
import type { ConfigFile } from '../../config/file.ts';
import { didYouMean, InputError } from '../../kernel/errors.ts';
import { cliOption, type OptionNamer, parseBoolean } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';
import type { GpuRequest } from '../../training/gpu/assign.ts';
import { parseParams } from '../../training/params.ts';
import {
  DEFAULT_KILL_GRACE_SECONDS,
  DEFAULT_MODEL_PATH,
  DEFAULT_TELEMETRY_INTERVAL_SECONDS,
  type TrainSettings,
} from '../../training/settings.ts';

/** Every input of the train action (action.yml documents each). */
export const TRAIN_OPTIONS = {
  command: 'string',
  'working-directory': 'string',
  params: 'string',
  gpus: 'string',
  'require-gpu': 'boolean',
  'gpu-wait-minutes': 'string',
  'model-path': 'string',
  'metrics-file': 'string',
  'cache-paths': 'strings',
  'cache-key': 'string',
  'timeout-minutes': 'string',
  'telemetry-interval-seconds': 'string',
  'allow-fork-prs': 'boolean',
} as const satisfies OptionTable;

const { 'model-path': _modelPath, 'allow-fork-prs': _allowForkPrs, ...SHARED } = TRAIN_OPTIONS;

/**
 * Every flag of `modelgate train`: the action's inputs, but `--out` (required) for model-path, as
 * CONTRACT.md promises, and no allow-fork-prs: no pull request runs on a laptop.
 */
export const TRAIN_FLAGS = { ...SHARED, out: 'string' } as const satisfies OptionTable;

export type RawTrainOptions = RawOptions<typeof TRAIN_OPTIONS>;
export type RawTrainFlags = RawOptions<typeof TRAIN_FLAGS>;

/** The command line's names: `--out` is model-path there. */
export const trainFlag: OptionNamer = (name) => (name === 'model-path' ? '--out' : cliOption(name));

/** Faster than this, sampling itself would load the driver. */
const MIN_TELEMETRY_INTERVAL_SECONDS = 0.05;
const MAX_TELEMETRY_INTERVAL_SECONDS = 3600;
/** Node timers overflow past 2^31 - 1 ms (24.8 days) and then fire at once. */
const MAX_TIMER_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/**
 * The only reader of the train action's inputs: each input, else the config file's `train:`
 * section, else the default. An error names a value as its giver does (`input 'gpus'`, or
 * `'train.gpus' in .modelgate.yml`).
 */
export function trainSettingsFrom(
  raw: RawTrainOptions,
  config: ConfigFile,
  namer: OptionNamer,
): TrainSettings {
  return settingsFrom(raw, config, namer, false);
}

/**
 * The same reader for `modelgate train`'s flags: `--out` (or the file's `train.model_path`) is
 * required, where the action writes model.onnx by default.
 */
export function trainSettingsFromFlags(flags: RawTrainFlags, config: ConfigFile): TrainSettings {
  const { out, ...shared } = flags;
  return settingsFrom({ ...shared, 'model-path': out }, config, trainFlag, true);
}

function settingsFrom(
  given: RawTrainOptions,
  config: ConfigFile,
  callerNamer: OptionNamer,
  modelPathRequired: boolean,
): TrainSettings {
  const { raw, fromFile } = trainOptionsWithConfig(given, config);
  const namer: OptionNamer = (name) =>
    fromFile.has(name) ? `'train.${name.replaceAll('-', '_')}' in ${config.path}` : callerNamer(name);
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  if (modelPathRequired && blank(raw['model-path']) === undefined) {
    throw new InputError(
      `${callerNamer('model-path')} is required: where the training command writes the model (or 'train.model_path' in ${config.path})`,
      { hint: "see 'modelgate train --help'" },
    );
  }
  // The command is taken verbatim: leading spaces or a trailing newline are the user's business.
  const command = raw.command === undefined || raw.command.trim() === '' ? undefined : raw.command;
  if (command === undefined) {
    throw new InputError(
      `${namer('command')} is required: the training command to run, e.g. "python train.py"`,
    );
  }
  const cachePaths = (raw['cache-paths'] ?? []).map((p) => p.trim()).filter((p) => p !== '');
  const cacheKey = blank(raw['cache-key']);
  if (cachePaths.length > 0 && cacheKey === undefined) {
    throw new InputError(
      `${namer('cache-paths')} needs ${namer('cache-key')}: the key the paths are saved under`,
    );
  }
  if (cacheKey !== undefined && cachePaths.length === 0) {
    throw new InputError(
      `${namer('cache-key')} needs ${namer('cache-paths')}: the paths to restore and save`,
    );
  }
  if (cacheKey?.includes(',')) {
    throw new InputError(`${namer('cache-key')} '${cacheKey}' holds a comma, which cache keys cannot`);
  }
  const timeout = parseNumber('timeout-minutes', raw['timeout-minutes'], namer, {
    min: 0,
    exclusive: true,
    max: MAX_TIMER_MINUTES,
  });
  const metricsFile = blank(raw['metrics-file']);
  return {
    command,
    workingDirectory: blank(raw['working-directory']) ?? '.',
    modelPath: blank(raw['model-path']) ?? DEFAULT_MODEL_PATH,
    ...(metricsFile === undefined ? {} : { metricsFile }),
    params: parseParams(raw.params, namer),
    gpus: gpuRequest(blank(raw.gpus), namer),
    requireGpu: parseBoolean('require-gpu', raw['require-gpu'], namer) ?? false,
    ...(timeout === undefined ? {} : { timeoutMinutes: timeout }),
    telemetryIntervalSeconds:
      parseNumber('telemetry-interval-seconds', raw['telemetry-interval-seconds'], namer, {
        min: MIN_TELEMETRY_INTERVAL_SECONDS,
        max: MAX_TELEMETRY_INTERVAL_SECONDS,
      }) ?? DEFAULT_TELEMETRY_INTERVAL_SECONDS,
    gpuWaitMinutes:
      parseNumber('gpu-wait-minutes', raw['gpu-wait-minutes'], namer, { min: 0, max: MAX_TIMER_MINUTES }) ??
      0,
    killGraceSeconds: DEFAULT_KILL_GRACE_SECONDS,
    cachePaths,
    ...(cacheKey === undefined ? {} : { cacheKey }),
    allowForkPrs: parseBoolean('allow-fork-prs', raw['allow-fork-prs'], namer) ?? false,
  };
}

function gpuRequest(value: string | undefined, namer: OptionNamer): GpuRequest {
  if (value === undefined || value.toLowerCase() === 'all') return { kind: 'all' };
  if (value.toLowerCase() === 'none' || value === '0') return { kind: 'none' };
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count)) {
    throw new InputError(
      `${namer('gpus')} '${value}' is not valid; expected all, none, or a number of GPUs like 2`,
    );
  }
  return { kind: 'count', count };
}

/** A number in a range, fractions allowed (0.5 minutes); the kernel's parseInteger takes whole ones only. */
function parseNumber(
  name: string,
  value: string | undefined,
  namer: OptionNamer,
  { min, max, exclusive = false }: { min: number; max: number; exclusive?: boolean },
): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  if (!Number.isFinite(n) || (exclusive ? n <= min : n < min) || n > max) {
    throw new InputError(
      `${namer(name)} '${value}' is not valid; expected a number ${exclusive ? 'above' : 'from'} ${min}${exclusive ? ' and' : ''} up to ${max}`,
    );
  }
  return n;
}

const scalar = z.union([z.string(), z.number()]).transform((v) => String(v));
const stringList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split('\n') : v));

/** The `train:` section of `.modelgate.yml`: defaults for train's options, `_` for `-`. */
export const trainSection = z
  .object({
    command: z.string().optional(),
    working_directory: z.string().optional(),
    params: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    gpus: scalar.optional(),
    require_gpu: z.boolean().optional(),
    model_path: z.string().optional(),
    metrics_file: z.string().optional(),
    cache_paths: stringList.optional(),
    cache_key: z.string().optional(),
    timeout_minutes: scalar.optional(),
    telemetry_interval_seconds: scalar.optional(),
    gpu_wait_minutes: scalar.optional(),
  })
  .strict();

/**
 * Reads the config's `train:` section into train's options. `allow_fork_prs` is refused here on
 * purpose: a fork's pull request carries its own copy of the config file, so the switch that
 * lets forks run must live in the workflow, as the action input.
 */
export function trainOptionsFromConfig(section: unknown, path: string): RawTrainOptions {
  if (section === undefined || section === null) return {};
  if (typeof section === 'object' && !Array.isArray(section) && 'allow_fork_prs' in section) {
    throw new InputError(`config file ${path}: 'train.allow_fork_prs' cannot be set in the config file`, {
      hint: "a fork's pull request brings its own copy of this file; set the train action's allow-fork-prs input in the workflow instead",
    });
  }
  const result = trainSection.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const known = Object.keys(trainSection.shape);
      const guess = didYouMean(key, known);
      throw new InputError(`config file ${path}: unknown key 'train.${key}'`, {
        hint: guess === undefined ? `known keys: ${known.join(', ')}` : `did you mean '${guess}'?`,
      });
    }
    const where = ['train', ...(issue?.path ?? [])].join('.');
    throw new InputError(`config file ${path}: '${where}' ${issue?.message ?? 'is not valid'}`);
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result.data)) {
    if (value === undefined) continue;
    // A mapping of params is handed on as JSON text, which parseParams reads as YAML.
    raw[key.replaceAll('_', '-')] =
      key === 'params' && typeof value !== 'string' ? JSON.stringify(value) : value;
  }
  return raw as RawTrainOptions;
}

/** Train's options after the config file filled in what the caller left out. */
export interface MergedTrainOptions {
  readonly raw: RawTrainOptions;
  /** The options whose value came from the file, so an error about one names the file's key. */
  readonly fromFile: ReadonlySet<string>;
}

/**
 * The one precedence of every train option, for the CLI and the action alike: the flag or input,
 * then the config file's `train:` section, then the default. `allow-fork-prs` never comes from
 * the file: a fork's pull request brings its own copy of it.
 */
export function trainOptionsWithConfig(given: RawTrainOptions, file: ConfigFile): MergedTrainOptions {
  const merged: Record<string, unknown> = { ...trainOptionsFromConfig(file.config.train, file.path) };
  const fromFile = new Set(Object.keys(merged));
  for (const [option, value] of Object.entries(given)) {
    const isGiven =
      value !== undefined &&
      (typeof value === 'string' ? value.trim() !== '' : !Array.isArray(value) || value.length > 0);
    if (!isGiven) continue;
    merged[option] = value;
    fromFile.delete(option);
  }
  return { raw: merged as RawTrainOptions, fromFile };
}
