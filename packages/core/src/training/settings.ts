import type { GpuRequest } from './gpu/assign.ts';
import type { TrainParams } from './params.ts';

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
