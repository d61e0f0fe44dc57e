import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../kernel/errors.ts';
import { sha256, writeJsonAtomic } from '../kernel/fs.ts';
import type { Logger } from '../kernel/ports.ts';
import { type CommandEnd, type CommandResult, runCommand } from '../kernel/process/run-command.ts';
import { VERSION } from '../kernel/version.ts';
import type { CachePath, CacheStore } from './cache.ts';
import { assertForkAllowed, type RunnerFacts } from './fork-safety.ts';
import { assignGpus, type GpuAssignment } from './gpu/assign.ts';
import { GpuLocks, gpuLockDir, lockOwner } from './gpu/locks.ts';
import { type GpuProbe, nvidiaSmi } from './gpu/nvidia-smi.ts';
import { PARAM_ENV_PREFIX, paramEnvironment } from './params.ts';
import { type GpuSummary, gpuSummary, TRAIN_RECORD_FILE, TRAIN_SCHEMA, type TrainRecord } from './record.ts';
import type { TrainSettings } from './settings.ts';
import { startTelemetry, type TelemetrySampler } from './telemetry.ts';

/** The side effects training needs, passed in so the CLI, the action and tests each bring their own. */
export interface TrainPorts {
  readonly logger: Logger;
  /** The command's output, chunk by chunk as it arrives (live). */
  readonly output: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /**
   * The environment the command inherits; nvidia-smi is found on its PATH and the lock directory
   * comes from its MODELGATE_GPU_LOCK_DIR.
   */
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths start here; default: the current directory. */
  readonly cwd?: string;
  /** Default: nvidia-smi on env.PATH. */
  readonly probe?: GpuProbe;
  /** Default: the host-wide lock directory. */
  readonly locks?: GpuLocks;
  /** Needed when the settings name cache paths. */
  readonly cache?: CacheStore;
  /** Wraps the command's run, e.g. in a collapsible log group. */
  readonly group?: <T>(title: string, body: () => Promise<T>) => Promise<T>;
  /** Cancellation: the command's process group is stopped, GPUs released, the cache saved. */
  readonly signal?: AbortSignal;
  /** The workflow run, for the fork check; undefined outside GitHub Actions. */
  readonly runner?: RunnerFacts;
}

/** A command that did not succeed: every way but `exited 0`. */
export type TrainFailure = Exclude<CommandEnd, { kind: 'exited'; code: 0 }>;

export type TrainOutcome =
  | {
      kind: 'trained';
      record: TrainRecord;
      /** The model, as a path from the current directory (what later steps take as `model`). */
      modelPath: string;
      /** modelgate-train.json, next to the model. */
      recordPath: string;
      /** The command's metrics file, when one was named. */
      metricsPath?: string;
    }
  | { kind: 'failed'; failure: TrainFailure; message: string; durationSeconds: number; gpu: GpuSummary };

/** Variables of the step's own that the user's command must not inherit (a `run:` step never sees them). */
const PRIVATE_VARIABLES = new Set([
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
]);

/**
 * Trains: refuses an untrusted fork PR on a self-hosted runner before anything of it runs,
 * claims GPUs, restores the cache, runs the user's command (params as a file and variables,
 * GPUs in CUDA_VISIBLE_DEVICES, telemetry sampled), then always releases the GPUs and saves the
 * cache, and on success checks the model and writes modelgate-train.json next to it.
 *
 * A command that fails is an outcome, not an exception: the caller reports its exit code. Bad
 * settings, a missing model and "no GPU" with require-gpu throw InputError.
 */
export async function train(settings: TrainSettings, ports: TrainPorts): Promise<TrainOutcome> {
  const { logger } = ports;
  const forkWarning = assertForkAllowed(ports.runner, settings.allowForkPrs);
  if (forkWarning !== undefined) logger.warning(forkWarning);

  const base = ports.cwd ?? process.cwd();
  const workDir = resolve(base, settings.workingDirectory);
  await requireDirectory(workDir, settings.workingDirectory);
  const shown = (path: string) => (isAbsolute(path) ? path : join(settings.workingDirectory, path));
  const modelFile = resolve(workDir, settings.modelPath);
  const paramEnv = paramEnvironment(settings.params);

  const probe = ports.probe ?? nvidiaSmi({ env: ports.env });
  const cachePaths: CachePath[] = settings.cachePaths.map((p) => ({
    path: p,
    absolute: resolve(workDir, p),
  }));
  const scratch = await mkdtemp(join(ports.env.RUNNER_TEMP || tmpdir(), 'modelgate-train-'));
  let assignment: GpuAssignment | undefined;
  let sampler: TelemetrySampler | undefined;
  let telemetry: GpuSummary['telemetry'];
  let before: Awaited<ReturnType<typeof stat>> | undefined;
  let started: Date | undefined;
  let result: CommandResult;
  try {
    assignment = await assignGpus({
      request: settings.gpus,
      requireGpu: settings.requireGpu,
      waitMs: settings.gpuWaitMinutes * 60_000,
      probe,
      locks: ports.locks ?? new GpuLocks(gpuLockDir(ports.env), lockOwner(runLabel(ports.env))),
      logger,
      ...(ports.signal === undefined ? {} : { signal: ports.signal }),
    });
    const claimed = assignment;
    const paramsFile = join(scratch, 'params.json');
    await writeFile(paramsFile, `${JSON.stringify(settings.params, null, 2)}\n`);
    await restoreCache(settings, ports, cachePaths);
    before = await stat(modelFile).catch(() => undefined);
    // So the command can write straight to $MODELGATE_MODEL_PATH.
    await mkdir(dirname(modelFile), { recursive: true });
    const env = commandEnvironment(ports.env, {
      ...paramEnv,
      MODELGATE_PARAMS_FILE: paramsFile,
      MODELGATE_MODEL_PATH: modelFile,
      ...gpuEnvironment(claimed),
    });
    if (claimed.kind === 'gpus') {
      const indices = claimed.devices.map((d) => d.index);
      sampler = startTelemetry(probe, indices, settings.telemetryIntervalSeconds, logger);
    }
    const run = () =>
      runCommand({
        command: settings.command,
        cwd: workDir,
        env,
        ...(settings.timeoutMinutes === undefined ? {} : { timeoutMs: settings.timeoutMinutes * 60_000 }),
        killGraceMs: settings.killGraceSeconds * 1000,
        ...(ports.signal === undefined ? {} : { signal: ports.signal }),
        onOutput: ports.output,
        onStart: (pgid) => {
          if (claimed.kind !== 'gpus') return;
          try {
            claimed.claim.attachProcessGroup(pgid);
          } catch (error) {
            // The claim stands; only an orphaned training (modelgate SIGKILLed) would lose its lock early.
            logger.warning(
              `could not record the training's process group in the GPU locks: ${(error as Error).message}`,
            );
          }
        },
      });
    started = new Date();
    result = await (ports.group ?? ((_title, body) => body()))(`Training: ${settings.command}`, run);
  } finally {
    telemetry = await sampler?.stop();
    if (assignment?.kind === 'gpus') {
      assignment.claim.release();
      const indices = assignment.devices.map((d) => d.index).join(',');
      logger.info(`released GPU${assignment.devices.length === 1 ? '' : 's'} ${indices}`);
    }
    // Once the command has run, even if it failed or was cancelled: its last checkpoint is what
    // the next run resumes from.
    if (started !== undefined) await saveCache(settings, ports, cachePaths);
    await rm(scratch, { recursive: true, force: true });
  }

  const gpu = gpuSummary(assignment, telemetry);
  const durationSeconds = Math.round(result.durationMs) / 1000;
  if (result.leftovers) {
    logger.warning(
      'the training command left processes running after it exited; they were stopped so its GPUs could be released',
    );
  }
  const end = result.end;
  if (end.kind !== 'exited' || end.code !== 0) {
    const failure = end as TrainFailure;
    return {
      kind: 'failed',
      failure,
      message: failureMessage(failure, durationSeconds, settings, result.stderrTail),
      durationSeconds,
      gpu,
    };
  }

  const after = await stat(modelFile).catch(() => undefined);
  if (after === undefined || !after.isFile()) {
    throw new InputError(
      `the training command succeeded but wrote no model at model-path ${shown(settings.modelPath)}`,
      {
        hint: `have the command write the model to $MODELGATE_MODEL_PATH (${modelFile}), or set model-path to where it writes it (relative to the working directory ${settings.workingDirectory})`,
      },
    );
  }
  if (
    before !== undefined &&
    before.ino === after.ino &&
    before.mtimeMs === after.mtimeMs &&
    before.size === after.size
  ) {
    throw new InputError(
      `the training command succeeded but did not write model-path ${shown(settings.modelPath)}: the file there is the one from before this run`,
      {
        hint: 'a self-hosted runner keeps files between jobs; have the command write the model to $MODELGATE_MODEL_PATH',
      },
    );
  }
  const bytes = await readFile(modelFile);
  const metricsPath = settings.metricsFile === undefined ? undefined : resolve(workDir, settings.metricsFile);
  const metrics =
    metricsPath === undefined ? undefined : await readMetrics(metricsPath, shown(settings.metricsFile ?? ''));
  const record: TrainRecord = {
    schema: TRAIN_SCHEMA,
    command: settings.command,
    working_directory: settings.workingDirectory,
    model: { path: settings.modelPath, sha256: sha256(bytes), bytes: bytes.length },
    params: settings.params,
    ...(metrics === undefined ? {} : { metrics }),
    duration_seconds: durationSeconds,
    started_at: started.toISOString(),
    finished_at: new Date(started.getTime() + result.durationMs).toISOString(),
    gpu,
    tool: { name: 'modelgate', version: VERSION },
  };
  const recordFile = join(dirname(modelFile), TRAIN_RECORD_FILE);
  await writeJsonAtomic(recordFile, record);
  const modelShown = shown(settings.modelPath);
  return {
    kind: 'trained',
    record,
    modelPath: modelShown,
    recordPath: isAbsolute(modelShown) ? recordFile : join(dirname(modelShown), TRAIN_RECORD_FILE),
    ...(settings.metricsFile === undefined ? {} : { metricsPath: shown(settings.metricsFile) }),
  };
}

async function requireDirectory(absolute: string, given: string): Promise<void> {
  const found = await stat(absolute).catch(() => undefined);
  if (found === undefined) throw new InputError(`working-directory ${given} does not exist`);
  if (!found.isDirectory()) throw new InputError(`working-directory ${given} is not a directory`);
}

/** "runner gpu-box-2, run 1234" for the lock files, so a person can tell whose claim it is. */
function runLabel(env: NodeJS.ProcessEnv): string | undefined {
  const parts = [
    env.RUNNER_NAME === undefined ? undefined : `runner ${env.RUNNER_NAME}`,
    env.GITHUB_REPOSITORY === undefined || env.GITHUB_RUN_ID === undefined
      ? undefined
      : `run ${env.GITHUB_REPOSITORY}#${env.GITHUB_RUN_ID}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * The claimed GPUs by nvidia-smi index. CUDA numbers devices fastest-first unless told
 * otherwise; PCI_BUS_ID order is nvidia-smi's, so the indices mean the GPUs that were locked.
 * No GPU: an empty CUDA_VISIBLE_DEVICES hides every device, so nothing uses a GPU it did not claim.
 */
function gpuEnvironment(assignment: GpuAssignment): Record<string, string> {
  if (assignment.kind === 'none') return { CUDA_VISIBLE_DEVICES: '', MODELGATE_GPU_COUNT: '0' };
  return {
    CUDA_VISIBLE_DEVICES: assignment.devices.map((d) => d.index).join(','),
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    MODELGATE_GPU_COUNT: String(assignment.devices.length),
  };
}

function commandEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    // Params of an outer run must not leak in beside this run's; INPUT_* are the action's own.
    if (PRIVATE_VARIABLES.has(name) || name.startsWith('INPUT_') || name.startsWith(PARAM_ENV_PREFIX))
      continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

async function restoreCache(settings: TrainSettings, ports: TrainPorts, paths: CachePath[]): Promise<void> {
  if (settings.cacheKey === undefined) return;
  if (ports.cache === undefined) throw new Error('cache paths are set but no cache store was given');
  try {
    const restored = await ports.cache.restore(settings.cacheKey, paths);
    ports.logger.info(
      restored.kind === 'hit'
        ? `cache: restored ${settings.cachePaths.join(', ')} from ${ports.cache.description} (key ${restored.key})`
        : `cache: nothing restored for key ${settings.cacheKey} from ${ports.cache.description}`,
    );
  } catch (error) {
    ports.logger.warning(
      `cache: restoring from ${ports.cache.description} failed, training without it: ${(error as Error).message}`,
    );
  }
}

async function saveCache(settings: TrainSettings, ports: TrainPorts, paths: CachePath[]): Promise<void> {
  if (settings.cacheKey === undefined || ports.cache === undefined) return;
  try {
    const saved = await ports.cache.save(settings.cacheKey, paths);
    ports.logger.info(
      saved.kind === 'saved'
        ? `cache: saved ${settings.cachePaths.join(', ')} to ${ports.cache.description} (key ${saved.key})`
        : `cache: not saved: ${saved.reason}`,
    );
  } catch (error) {
    ports.logger.warning(`cache: saving to ${ports.cache.description} failed: ${(error as Error).message}`);
  }
}

async function readMetrics(path: string, shownPath: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`the training command succeeded but wrote no metrics-file ${shownPath}`, {
      cause: error,
      hint: 'have the command write it, or leave metrics-file out',
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`metrics-file ${shownPath} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** Says how the command ended, with its exit code as it was, and the last line it wrote to stderr. */
export function failureMessage(
  failure: TrainFailure,
  durationSeconds: number,
  settings: Pick<TrainSettings, 'timeoutMinutes'>,
  stderrTail = '',
): string {
  const after = `after ${durationSeconds} s`;
  let message: string;
  switch (failure.kind) {
    case 'exited': {
      const signal = failure.code > 128 ? SIGNAL_NAMES.get(failure.code - 128) : undefined;
      message = `training command exited with code ${failure.code} ${after}${signal === undefined ? '' : ` (a shell's code for a process killed by ${signal})`}`;
      break;
    }
    case 'signalled':
      message = `training command was killed by ${failure.signal} ${after}${failure.signal === 'SIGKILL' ? " (the kernel's out-of-memory killer sends SIGKILL)" : ''}`;
      break;
    case 'timed-out':
      message = `training command ran past timeout-minutes (${settings.timeoutMinutes}) and was stopped ${after}, with every process it started`;
      break;
    case 'cancelled':
      message = `training was cancelled (${failure.reason}) ${after}; the command and every process it started were stopped`;
      break;
  }
  const last = stderrTail
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
  return last === undefined ? message : `${message}; its last stderr line: ${last.slice(0, 300)}`;
}
