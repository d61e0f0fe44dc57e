import { InputError } from '../kernel/errors.ts';
import type { OptionNamer } from '../kernel/options.ts';
import type { GpuRequest } from './gpu/assign.ts';
import { parseParams, type TrainParams } from './params.ts';

/** The train options as the user typed them (CLI flags, action inputs, or the config's `train:`). */
export interface RawTrainOptions {
  command?: string;
  'working-directory'?: string;
  params?: string;
  gpus?: string;
  'require-gpu'?: string | boolean;
  'model-path'?: string;
  'metrics-file'?: string;
  'cache-paths'?: string[];
  'cache-key'?: string;
  'timeout-minutes'?: string;
  'allow-fork-prs'?: string | boolean;
  'telemetry-interval-seconds'?: string;
  'gpu-wait-minutes'?: string;
}

/** Everything a training run needs, validated. */
export interface TrainSettings {
  /** The user's command line, run by bash (or sh) as written. */
  readonly command: string;
  /** Where the command runs; relative paths are from the current directory. */
  readonly workingDirectory: string;
  /** Where the command writes the model, relative to the working directory. */
  readonly modelPath: string;
  /** A JSON file of training metrics the command writes, relative to the working directory. */
  readonly metricsFile?: string;
  readonly params: TrainParams;
  readonly gpus: GpuRequest;
  readonly requireGpu: boolean;
  readonly timeoutMinutes?: number;
  readonly telemetryIntervalSeconds: number;
  /** How long to wait for GPUs other jobs hold before giving up (0: do not wait). */
  readonly gpuWaitMinutes: number;
  /** Between SIGTERM and SIGKILL when the command is stopped. */
  readonly killGraceSeconds: number;
  /** Relative to the working directory. */
  readonly cachePaths: readonly string[];
  readonly cacheKey?: string;
  readonly allowForkPrs: boolean;
}

export const DEFAULT_MODEL_PATH = 'model.onnx';
/** Often enough to see a run's shape, rare enough that nvidia-smi (tens of ms) costs nothing. */
export const DEFAULT_TELEMETRY_INTERVAL_SECONDS = 5;
/**
 * On cancellation the runner sends SIGINT, then SIGTERM 7.5 s later, then kills the step; 5 s
 * leaves time to release the GPUs and save the cache before that.
 */
export const DEFAULT_KILL_GRACE_SECONDS = 5;
/** Faster than this, sampling itself would load the driver. */
const MIN_TELEMETRY_INTERVAL_SECONDS = 0.05;
const MAX_TELEMETRY_INTERVAL_SECONDS = 3600;
/** Node timers overflow past 2^31 - 1 ms (24.8 days) and then fire at once. */
const MAX_TIMER_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/** Validates raw train options into settings; every error names the option. */
export function trainSettingsFrom(raw: RawTrainOptions, namer: OptionNamer): TrainSettings {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
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
  const timeout = number('timeout-minutes', raw['timeout-minutes'], namer, {
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
    requireGpu: boolean('require-gpu', raw['require-gpu'], namer),
    ...(timeout === undefined ? {} : { timeoutMinutes: timeout }),
    telemetryIntervalSeconds:
      number('telemetry-interval-seconds', raw['telemetry-interval-seconds'], namer, {
        min: MIN_TELEMETRY_INTERVAL_SECONDS,
        max: MAX_TELEMETRY_INTERVAL_SECONDS,
      }) ?? DEFAULT_TELEMETRY_INTERVAL_SECONDS,
    gpuWaitMinutes:
      number('gpu-wait-minutes', raw['gpu-wait-minutes'], namer, { min: 0, max: MAX_TIMER_MINUTES }) ?? 0,
    killGraceSeconds: DEFAULT_KILL_GRACE_SECONDS,
    cachePaths,
    ...(cacheKey === undefined ? {} : { cacheKey }),
    allowForkPrs: boolean('allow-fork-prs', raw['allow-fork-prs'], namer),
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

function boolean(name: string, value: string | boolean | undefined, namer: OptionNamer): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  if (/^(true|True|TRUE)$/.test(value.trim())) return true;
  if (/^(false|False|FALSE|)$/.test(value.trim())) return false;
  throw new InputError(`${namer(name)} is '${value}'; expected true or false`);
}

function number(
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
