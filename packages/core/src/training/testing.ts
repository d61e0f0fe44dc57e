/**
 * Shared by the training tests: the stand-in nvidia-smi, a real ONNX model to "train", scratch
 * folders, and a logger that keeps what it was told.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recordingLogger, scratch } from '../kernel/testing.ts';
import { DEFAULT_MODEL_PATH, type TrainSettings } from './settings.ts';

export type { RecordingLogger } from '../kernel/testing.ts';
export { recordingLogger, scratch };

/** test/fixtures/nvidia-smi: put it first on PATH and it answers as a host with FAKE_NVIDIA_SMI_GPUS GPUs. */
export const STAND_IN_DIR = fileURLToPath(new URL('../../../../test/fixtures/nvidia-smi', import.meta.url));
export const MODEL_FIXTURE = fileURLToPath(
  new URL('../../../../test/fixtures/models/binary-sigmoid/model.onnx', import.meta.url),
);

/** The process environment with the stand-in nvidia-smi first on PATH, and the stand-in's knobs. */
export function standInEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${STAND_IN_DIR}:${process.env.PATH ?? ''}` };
  for (const name of Object.keys(env)) if (name.startsWith('FAKE_NVIDIA_SMI_')) delete env[name];
  return { ...env, ...extra };
}

/** PATH without any nvidia-smi: what a CPU-only runner has. */
export function noGpuEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: '/usr/bin:/bin', ...extra };
}

/** The pid of a process that has exited: a claimer that died. */
export function deadPid(): number {
  const child = spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

/** What a test of the engine says about its settings: the command, and whatever it changes. */
export type TestSettings = Partial<TrainSettings> & Pick<TrainSettings, 'command'>;

/**
 * Settings as the train step's reader fills them in, with a test's pace: telemetry every 50 ms
 * (its fastest) and 0.3 s between SIGTERM and SIGKILL.
 */
export function trainSettings(settings: TestSettings): TrainSettings {
  return {
    workingDirectory: '.',
    modelPath: DEFAULT_MODEL_PATH,
    params: {},
    gpus: { kind: 'all' },
    requireGpu: false,
    telemetryIntervalSeconds: 0.05,
    gpuWaitMinutes: 0,
    killGraceSeconds: 0.3,
    cachePaths: [],
    allowForkPrs: false,
    ...settings,
  };
}
