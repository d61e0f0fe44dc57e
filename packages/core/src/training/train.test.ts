import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { sha256 } from '../kernel/fs.ts';
import { directoryCache } from './cache.ts';
import type { RunnerFacts } from './fork-safety.ts';
import { GpuLocks } from './gpu/locks.ts';
import { nvidiaSmi } from './gpu/nvidia-smi.ts';
import {
  MODEL_FIXTURE,
  noGpuEnv,
  recordingLogger,
  scratch,
  standInEnv,
  type TestSettings,
  trainSettings,
} from './testing.ts';
import { type TrainOutcome, type TrainPorts, train } from './train.ts';

const MODEL_SHA256 = sha256(readFileSync(MODEL_FIXTURE));

/** A training command in Node: records what it was given, then writes a real ONNX model. */
const NODE_TRAINER = `node -e '
const fs = require("fs");
const seen = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
  /^(MODELGATE_|CUDA_|INPUT_|ACTIONS_RUNTIME_TOKEN$)/.test(k)));
seen.paramsFile = JSON.parse(fs.readFileSync(process.env.MODELGATE_PARAMS_FILE, "utf8"));
fs.writeFileSync("seen.json", JSON.stringify(seen));
fs.copyFileSync(${JSON.stringify(MODEL_FIXTURE)}, process.env.MODELGATE_MODEL_PATH);
'`;

interface Setup {
  dir: string;
  lockDir: string;
  logger: ReturnType<typeof recordingLogger>;
  run(settings: TestSettings, ports?: Partial<TrainPorts>): Promise<TrainOutcome>;
}

function setup(env: NodeJS.ProcessEnv = standInEnv()): Setup {
  const dir = scratch();
  const lockDir = join(dir, 'locks');
  const logger = recordingLogger();
  return {
    dir,
    lockDir,
    logger,
    run: (settings, ports = {}) =>
      train(trainSettings(settings), {
        logger,
        env,
        cwd: dir,
        output: () => {},
        locks: new GpuLocks(lockDir),
        cache: directoryCache(join(dir, 'cache')),
        ...ports,
      }),
  };
}

function trained(outcome: TrainOutcome) {
  if (outcome.kind !== 'trained') throw new Error(`expected a trained model, got: ${outcome.message}`);
  return outcome;
}

function seen(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8')) as Record<string, unknown>;
}

describe('train', () => {
  it('gives the command its params intact, quotes and spaces included, as a file and as variables', async () => {
    const { dir, run } = setup();
    const params = { lr: 0.01, 'run name': `it's "quoted"  and spaced $HOME; echo pwned`, layers: [64, 32] };
    trained(await run({ command: NODE_TRAINER, params }));
    const got = seen(dir);
    expect(got.paramsFile).toEqual(params);
    expect(got.MODELGATE_PARAM_RUN_NAME).toBe(`it's "quoted"  and spaced $HOME; echo pwned`);
    expect(got.MODELGATE_PARAM_LR).toBe('0.01');
    expect(got.MODELGATE_PARAM_LAYERS).toBe('[64,32]');
  });

  it('returns the model with its sha256 and writes modelgate-train.json next to it', async () => {
    const { dir, run } = setup(
      standInEnv({
        FAKE_NVIDIA_SMI_UTIL: '35 95 60',
        FAKE_NVIDIA_SMI_MEMORY_USED: '2048 4096',
        FAKE_NVIDIA_SMI_STATE: join(scratch(), 'readings'),
      }),
    );
    mkdirSync(join(dir, 'project'));
    const outcome = trained(
      await run({
        command: `${NODE_TRAINER} && sleep 0.3`,
        workingDirectory: 'project',
        modelPath: 'out/model.onnx',
        gpus: { kind: 'count', count: 2 },
        params: { epochs: 3 },
      }),
    );
    expect(outcome.modelPath).toBe(join('project', 'out', 'model.onnx'));
    expect(outcome.recordPath).toBe(join('project', 'out', 'modelgate-train.json'));
    const record = JSON.parse(readFileSync(join(dir, outcome.recordPath), 'utf8'));
    expect(record).toEqual(outcome.record);
    expect(record).toMatchObject({
      schema: 'modelgate/train@1',
      command: `${NODE_TRAINER} && sleep 0.3`,
      working_directory: 'project',
      model: { path: 'out/model.onnx', sha256: MODEL_SHA256, bytes: readFileSync(MODEL_FIXTURE).length },
      params: { epochs: 3 },
      gpu: {
        count: 2,
        model: 'NVIDIA H100 80GB HBM3',
        driver_version: '535.104.05',
        cuda_version: '12.2',
        devices: [{ index: 0 }, { index: 1 }],
      },
      tool: { name: 'modelgate' },
    });
    expect(record.duration_seconds).toBeGreaterThanOrEqual(0.3);
    expect(record.gpu.telemetry.samples).toBeGreaterThanOrEqual(3);
    expect(record.gpu.telemetry.utilization_percent.peak).toBe(95);
    expect(record.gpu.telemetry.memory_used_mib.peak).toBe(4096);
    expect(seen(join(dir, 'project'))).toMatchObject({
      CUDA_VISIBLE_DEVICES: '0,1',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      MODELGATE_GPU_COUNT: '2',
    });
  });

  it('hands the command the environment of a run: step, not the action’s own variables or an outer run’s params', async () => {
    const { dir, run } = setup(
      standInEnv({ INPUT_COMMAND: 'x', ACTIONS_RUNTIME_TOKEN: 'secret', MODELGATE_PARAM_STALE: 'old' }),
    );
    trained(await run({ command: NODE_TRAINER, gpus: { kind: 'none' } }));
    const got = seen(dir);
    expect(got).not.toHaveProperty('INPUT_COMMAND');
    expect(got).not.toHaveProperty('ACTIONS_RUNTIME_TOKEN');
    expect(got).not.toHaveProperty('MODELGATE_PARAM_STALE');
    expect(got).toMatchObject({ CUDA_VISIBLE_DEVICES: '', MODELGATE_GPU_COUNT: '0' });
  });

  it('reports a failing command with its exit code, releases the GPUs and writes no record', async () => {
    const { dir, lockDir, run } = setup();
    const outcome = await run({
      command: 'echo "CUDA error: out of memory" >&2; exit 3',
      gpus: { kind: 'count', count: 1 },
    });
    expect(outcome).toMatchObject({ kind: 'failed', failure: { kind: 'exited', code: 3 } });
    if (outcome.kind !== 'failed') return;
    expect(outcome.message).toMatch(
      /^training command exited with code 3 after [\d.]+ s; its last stderr line: CUDA error: out of memory$/,
    );
    expect(outcome.gpu.count).toBe(1);
    expect(readdirSync(lockDir)).toEqual([]);
    expect(existsSync(join(dir, 'modelgate-train.json'))).toBe(false);
  });

  it('stops a command that runs past timeout-minutes and says so', async () => {
    const { lockDir, run } = setup();
    const outcome = await run({
      command: 'sleep 30',
      timeoutMinutes: 0.005,
      gpus: { kind: 'count', count: 1 },
    });
    expect(outcome).toMatchObject({ kind: 'failed', failure: { kind: 'timed-out' } });
    if (outcome.kind === 'failed') {
      expect(outcome.message).toMatch(
        /^training command ran past timeout-minutes \(0\.005\) and was stopped after [\d.]+ s, with every process it started$/,
      );
      expect(outcome.durationSeconds).toBeLessThan(5);
    }
    expect(readdirSync(lockDir)).toEqual([]);
  });

  it('names model-path when a successful command wrote no model', async () => {
    const { lockDir, run } = setup();
    await expect(run({ command: 'true', modelPath: 'out/m.onnx' })).rejects.toThrow(
      'the training command succeeded but wrote no model at model-path out/m.onnx',
    );
    expect(readdirSync(lockDir)).toEqual([]);
  });

  it('does not pass off a model left by an earlier job as this run’s', async () => {
    const { dir, run } = setup();
    writeFileSync(join(dir, 'model.onnx'), readFileSync(MODEL_FIXTURE));
    await expect(run({ command: 'true', gpus: { kind: 'none' } })).rejects.toThrow(
      'the training command succeeded but did not write model-path model.onnx: the file there is the one from before this run',
    );
  });

  it('refuses a fork PR on a self-hosted runner before the command, or anything else, runs', async () => {
    const { dir, lockDir, run } = setup();
    const runner: RunnerFacts = {
      runnerEnvironment: 'self-hosted',
      eventName: 'pull_request',
      repository: 'acme/widgets',
      pullRequest: { number: 7, headRepoFullName: 'mallory/widgets', isFork: true },
    };
    const command = `touch ran && ${NODE_TRAINER}`;
    await expect(run({ command }, { runner })).rejects.toThrow(/^refusing to train: pull request #7/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(lockDir)).toBe(false);
    trained(await run({ command, allowForkPrs: true }, { runner }));
    expect(existsSync(join(dir, 'ran'))).toBe(true);
  });

  describe('without a GPU', () => {
    it('runs on the CPU and says why', async () => {
      const { dir, logger, run } = setup(noGpuEnv());
      const outcome = trained(await run({ command: NODE_TRAINER }));
      expect(outcome.record.gpu).toEqual({
        count: 0,
        devices: [],
        note: 'nvidia-smi is not on PATH, so this runner has no NVIDIA GPU (or no NVIDIA driver)',
      });
      expect(seen(dir).CUDA_VISIBLE_DEVICES).toBe('');
      expect(logger.text()).toMatch(
        /info: no GPU for this training: nvidia-smi is not on PATH.*runs on the CPU/,
      );
    });

    it('fails fast with require-gpu, and the command never runs', async () => {
      const { dir, run } = setup(noGpuEnv());
      const error = await run({ command: 'touch ran', requireGpu: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(
        'require-gpu is set, but nvidia-smi is not on PATH, so this runner has no NVIDIA GPU (or no NVIDIA driver)',
      );
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });

    it('says the driver is broken, in nvidia-smi’s words, when nvidia-smi fails', async () => {
      const { logger, run } = setup(standInEnv({ FAKE_NVIDIA_SMI_FAIL: 'driver' }));
      await expect(run({ command: 'touch ran', requireGpu: true })).rejects.toThrow(
        "require-gpu is set, but the NVIDIA driver does not work on this runner: nvidia-smi failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      );
      trained(await run({ command: NODE_TRAINER }));
      expect(logger.text()).toMatch(
        /warning: no GPU for this training: the NVIDIA driver does not work on this runner/,
      );
    });

    it('fails fast with require-gpu when other jobs hold every GPU, naming them', async () => {
      const { dir, lockDir, run } = setup(standInEnv({ FAKE_NVIDIA_SMI_GPUS: '1' }));
      const inventory = await nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_GPUS: '1' }) }).inventory();
      if (inventory.kind !== 'found') throw new Error('the stand-in lists a GPU');
      const other = await new GpuLocks(lockDir).tryClaim(inventory.devices, 1);
      if (other.kind !== 'claimed') throw new Error('the lock directory is empty');
      await expect(run({ command: 'touch ran', requireGpu: true })).rejects.toThrow(
        `require-gpu is set, but 0 of 1 GPUs free, at least 1 needed; other jobs hold GPU 0 (pid ${process.pid}`,
      );
      expect(existsSync(join(dir, 'ran'))).toBe(false);
      // With gpu-wait-minutes it waits for the other job to give the GPU back.
      setTimeout(() => other.claim.release(), 300);
      const outcome = trained(await run({ command: NODE_TRAINER, requireGpu: true, gpuWaitMinutes: 0.5 }));
      expect(outcome.record.gpu.count).toBe(1);
    });
  });

  it('keeps the cache paths after a failed run and brings them back for the next', async () => {
    const { dir, logger, run } = setup();
    const cache = { cachePaths: ['checkpoints'], cacheKey: 'resnet-v1', gpus: { kind: 'none' } } as const;
    const failed = await run({
      command: 'mkdir -p checkpoints && echo epoch-3 > checkpoints/last.ckpt && exit 1',
      ...cache,
    });
    expect(failed.kind).toBe('failed');
    expect(logger.text()).toContain('cache: saved checkpoints to the local cache');
    // A fresh workspace, as on another runner: only the cache has the checkpoint.
    rmSync(join(dir, 'checkpoints'), { recursive: true });
    trained(
      await run({ command: `test "$(cat checkpoints/last.ckpt)" = epoch-3 && ${NODE_TRAINER}`, ...cache }),
    );
    expect(logger.text()).toContain('cache: restored checkpoints from the local cache');
  });

  it('stops the command on cancellation, releases the GPUs and still saves the cache', async () => {
    const { dir, lockDir, logger, run } = setup();
    const controller = new AbortController();
    setTimeout(() => controller.abort('received SIGTERM'), 400);
    const outcome = await run(
      {
        command: 'mkdir -p ckpt && echo 1 > ckpt/step && sleep 30',
        gpus: { kind: 'count', count: 2 },
        cachePaths: ['ckpt'],
        cacheKey: 'k',
      },
      { signal: controller.signal },
    );
    expect(outcome).toMatchObject({
      kind: 'failed',
      failure: { kind: 'cancelled', reason: 'received SIGTERM' },
    });
    if (outcome.kind === 'failed') {
      expect(outcome.message).toMatch(
        /^training was cancelled \(received SIGTERM\) after [\d.]+ s; the command and every process it started were stopped$/,
      );
    }
    expect(readdirSync(lockDir)).toEqual([]);
    expect(logger.text()).toContain('cache: saved ckpt');
    expect(existsSync(join(dir, 'cache'))).toBe(true);
  });

  it('keeps the command’s metrics file in the record', async () => {
    const { run } = setup();
    const outcome = trained(
      await run({
        command: `echo '{"val_loss": 0.21}' > metrics.json && ${NODE_TRAINER}`,
        metricsFile: 'metrics.json',
        gpus: { kind: 'none' },
      }),
    );
    expect(outcome.record.metrics).toEqual({ val_loss: 0.21 });
    expect(outcome.metricsPath).toBe('metrics.json');
  });
});
