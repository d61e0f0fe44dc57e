import { describe, expect, it } from 'vitest';
import { actionInput, cliOption } from '../kernel/options.ts';
import { trainOptionsFromConfig } from './config.ts';
import { DEFAULT_TELEMETRY_INTERVAL_SECONDS, trainSettingsFrom } from './settings.ts';

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
