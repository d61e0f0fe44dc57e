import { describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../config/file.ts';
import { actionInput, cliOption } from '../../kernel/options.ts';
import { DEFAULT_TELEMETRY_INTERVAL_SECONDS } from '../../training/settings.ts';
import {
  type RawTrainOptions,
  trainSettingsFrom as settingsWithFile,
  trainOptionsFromConfig,
  trainOptionsWithConfig,
  trainSettingsFromFlags,
} from './settings.ts';

const NO_FILE: ConfigFile = { path: '.modelgate.yml', config: {} };
const trainSettingsFrom = (raw: RawTrainOptions, namer: typeof cliOption) =>
  settingsWithFile(raw, NO_FILE, namer);

describe('trainSettingsFrom', () => {
  it('fills the defaults', () => {
    expect(trainSettingsFrom({ command: 'python train.py' }, cliOption)).toEqual({
      command: 'python train.py',
      workingDirectory: '.',
      modelPath: 'model.onnx',
      params: {},
      gpus: { kind: 'all' },
      requireGpu: false,
      telemetryIntervalSeconds: DEFAULT_TELEMETRY_INTERVAL_SECONDS,
      gpuWaitMinutes: 0,
      killGraceSeconds: 5,
      cachePaths: [],
      allowForkPrs: false,
    });
  });

  it('reads gpus as all, none or a count', () => {
    const gpus = (value: string) => trainSettingsFrom({ command: 'x', gpus: value }, cliOption).gpus;
    expect(gpus('all')).toEqual({ kind: 'all' });
    expect(gpus('none')).toEqual({ kind: 'none' });
    expect(gpus('0')).toEqual({ kind: 'none' });
    expect(gpus('2')).toEqual({ kind: 'count', count: 2 });
    expect(() => gpus('two')).toThrow(
      "--gpus 'two' is not valid; expected all, none, or a number of GPUs like 2",
    );
    expect(() => gpus('1.5')).toThrow(/--gpus '1.5' is not valid/);
  });

  it('names each bad input the way the user wrote it', () => {
    expect(() => trainSettingsFrom({}, actionInput)).toThrow("input 'command' is required");
    expect(() => trainSettingsFrom({ command: 'x', 'timeout-minutes': '0' }, cliOption)).toThrow(
      "--timeout-minutes '0' is not valid; expected a number above 0 and up to 35791",
    );
    // Node timers overflow past 24.8 days and would fire at once.
    expect(() => trainSettingsFrom({ command: 'x', 'timeout-minutes': '50000' }, cliOption)).toThrow(
      "--timeout-minutes '50000' is not valid",
    );
    expect(() =>
      trainSettingsFrom({ command: 'x', 'telemetry-interval-seconds': '0.001' }, cliOption),
    ).toThrow("--telemetry-interval-seconds '0.001' is not valid; expected a number from 0.05 up to 3600");
    expect(() => trainSettingsFrom({ command: 'x', 'require-gpu': 'yes' }, actionInput)).toThrow(
      "input 'require-gpu' is 'yes'; expected true or false",
    );
    expect(() => trainSettingsFrom({ command: 'x', 'cache-paths': ['ckpt'] }, actionInput)).toThrow(
      "input 'cache-paths' needs input 'cache-key'",
    );
    expect(() => trainSettingsFrom({ command: 'x', 'cache-key': 'k' }, actionInput)).toThrow(
      "input 'cache-key' needs input 'cache-paths'",
    );
  });

  it('keeps the command exactly as written and allows fractional minutes', () => {
    const settings = trainSettingsFrom(
      { command: '  python train.py \\\n  --fast\n', 'timeout-minutes': '0.5', 'allow-fork-prs': 'true' },
      actionInput,
    );
    expect(settings.command).toBe('  python train.py \\\n  --fast\n');
    expect(settings.timeoutMinutes).toBe(0.5);
    expect(settings.allowForkPrs).toBe(true);
  });
});

describe('the config file train: section', () => {
  it('gives defaults in the input names, params as a mapping or text', () => {
    expect(
      trainOptionsFromConfig(
        {
          command: 'python train.py',
          gpus: 2,
          require_gpu: true,
          params: { lr: 0.1 },
          cache_paths: ['data', 'ckpt'],
        },
        '.modelgate.yml',
      ),
    ).toEqual({
      command: 'python train.py',
      gpus: '2',
      'require-gpu': true,
      params: '{"lr":0.1}',
      'cache-paths': ['data', 'ckpt'],
    });
  });

  it('refuses allow_fork_prs: a fork brings its own copy of the file', () => {
    expect(() => trainOptionsFromConfig({ allow_fork_prs: true }, '.modelgate.yml')).toThrow(
      "config file .modelgate.yml: 'train.allow_fork_prs' cannot be set in the config file",
    );
  });

  it('suggests the key meant', () => {
    expect(() => trainOptionsFromConfig({ comand: 'x' }, 'c.yml')).toThrow(
      "config file c.yml: unknown key 'train.comand'",
    );
    try {
      trainOptionsFromConfig({ comand: 'x' }, 'c.yml');
    } catch (error) {
      expect((error as { hint?: string }).hint).toBe("did you mean 'command'?");
    }
  });
});

describe('train options with the config file', () => {
  it('take each option from the flag, then the train: section', () => {
    const { raw, fromFile } = trainOptionsWithConfig(
      { command: 'python train.py', gpus: undefined, 'cache-paths': [] },
      {
        path: 'c.yml',
        config: { train: { command: 'make', gpus: 2, model_path: 'm.onnx', cache_paths: ['x'] } },
      },
    );
    expect(raw).toEqual({
      command: 'python train.py',
      gpus: '2',
      'model-path': 'm.onnx',
      'cache-paths': ['x'],
    });
    expect([...fromFile].sort()).toEqual(['cache-paths', 'gpus', 'model-path']);
  });

  it("name a bad value by the caller's name when the caller gave it, and by the file's key otherwise", () => {
    const file: ConfigFile = { path: 'ci/modelgate.yml', config: { train: { command: 'x', gpus: 'two' } } };
    const line =
      "'train.gpus' in ci/modelgate.yml 'two' is not valid; expected all, none, or a number of GPUs like 2";
    expect(() => settingsWithFile({}, file, cliOption)).toThrow(line);
    expect(() => settingsWithFile({}, file, actionInput)).toThrow(line);
    expect(() => settingsWithFile({ gpus: 'three' }, file, actionInput)).toThrow(/^input 'gpus' 'three'/);
    // A flag that overrides the bad value makes it moot.
    expect(settingsWithFile({ gpus: '1' }, file, cliOption).gpus).toEqual({ kind: 'count', count: 1 });
  });
});

describe('the command line’s flags', () => {
  it('take --out as the model path, and require it (or the file’s model_path), where the action defaults to model.onnx', () => {
    expect(trainSettingsFromFlags({ command: 'x', out: 'out/m.onnx' }, NO_FILE).modelPath).toBe('out/m.onnx');
    expect(() => trainSettingsFromFlags({ command: 'x' }, NO_FILE)).toThrow(
      "--out is required: where the training command writes the model (or 'train.model_path' in .modelgate.yml)",
    );
    const file: ConfigFile = { path: '.modelgate.yml', config: { train: { model_path: 'm.onnx' } } };
    expect(trainSettingsFromFlags({ command: 'x' }, file).modelPath).toBe('m.onnx');
    expect(settingsWithFile({ command: 'x' }, NO_FILE, actionInput).modelPath).toBe('model.onnx');
  });

  it('name a bad value as the flag, and the model path as --out', () => {
    expect(() =>
      trainSettingsFromFlags({ command: 'x', out: 'm.onnx', 'timeout-minutes': '-1' }, NO_FILE),
    ).toThrow(/^--timeout-minutes '-1' is not valid/);
    expect(() => trainSettingsFromFlags({ out: 'm.onnx' }, NO_FILE)).toThrow(/^--command is required/);
  });
});
