/**
 * `modelgate train` and the train action read their options in one place
 * (packages/core/src/steps/train/settings.ts): on the same inputs and the same `.modelgate.yml`
 * they run the same training, and refuse the same bad value with the same line, each naming an
 * option the way its user wrote it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webhookExample } from './emulator/index.ts';
import { bin, FIXTURES, ROOT, runBuiltAction, tempDir } from './helpers.ts';

const ACTION = join(ROOT, 'actions', 'train');
const STAND_IN = join(ROOT, 'test', 'fixtures', 'nvidia-smi');
const MODEL = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
const WRITE_MODEL = `cp '${MODEL}' "$MODELGATE_MODEL_PATH"`;

/** A 4-GPU host (the stand-in nvidia-smi) with a project folder holding `config` as .modelgate.yml. */
function project(config: string) {
  const dir = tempDir('modelgate-train-parity-');
  writeFileSync(join(dir, '.modelgate.yml'), config);
  const payload = webhookExample('push');
  writeFileSync(join(dir, 'push.json'), JSON.stringify(payload));
  const env: NodeJS.ProcessEnv = {
    PATH: `${STAND_IN}:${process.env.PATH ?? ''}`,
    MODELGATE_GPU_LOCK_DIR: join(dir, 'locks'),
    FAKE_NVIDIA_SMI_GPUS: '4',
  };
  const action = (inputs: Record<string, string>) =>
    runBuiltAction(join(ACTION, 'dist', 'index.js'), {
      cwd: dir,
      actionYml: join(ACTION, 'action.yml'),
      inputs,
      env: {
        ...env,
        RUNNER_TEMP: dir,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: join(dir, 'push.json'),
        GITHUB_REPOSITORY: payload.repository.full_name,
      },
    });
  const cli = (args: string[]) => bin(['train', ...args], dir, env);
  return { dir, action, cli };
}

/** The record without what differs between any two runs: the times, and what the GPUs did meanwhile. */
function decided(path: string): unknown {
  const { duration_seconds, started_at, finished_at, gpu, ...record } = JSON.parse(
    readFileSync(path, 'utf8'),
  );
  const { telemetry, ...gpus } = gpu;
  return { ...record, gpu: gpus };
}

/** The error line of a CLI run or an action's log, without its hint (the runner encodes the newline as %0A). */
const errorLine = (text: string) =>
  /^(?:modelgate: error: |::error::)(.*)$/m.exec(text)?.[1]?.split('%0Ahint:')[0];

/** The one error line each gives, after checking that the CLI exits 2 and the action fails its step. */
async function refusals(config: string, args: string[] = [], inputs: Record<string, string> = {}) {
  const { action, cli } = project(config);
  const fromCli = cli(['--out', 'm.onnx', ...args]);
  expect(fromCli.code).toBe(2);
  const fromAction = await action(inputs);
  expect(fromAction.code).toBe(1);
  return { cli: errorLine(fromCli.stderr), action: errorLine(fromAction.log) };
}

describe('modelgate train and the train action decide the same thing on the same inputs', () => {
  it('run the same training from the same config file and the same overrides', async () => {
    const command = `echo "lr=$MODELGATE_PARAM_LR gpus=$CUDA_VISIBLE_DEVICES"; ${WRITE_MODEL}`;
    const { dir, action, cli } = project(
      `train:\n  command: ${JSON.stringify(command)}\n  gpus: 3\n  params: { lr: 0.2, epochs: 5 }\n  telemetry_interval_seconds: 0.05\n`,
    );
    const fromCli = cli(['--out', 'cli/model.onnx', '--gpus', '2', '--params', '{"lr": 0.5}']);
    expect(fromCli.code, fromCli.stderr).toBe(0);
    const fromAction = await action({ 'model-path': 'action/model.onnx', gpus: '2', params: '{"lr": 0.5}' });
    expect(fromAction.log).not.toMatch(/::error::/);
    expect(fromAction.code).toBe(0);

    // The flag or input over the file, the file over the default, in both.
    expect(fromCli.stdout).toBe('lr=0.5 gpus=0,1\n');
    expect(fromAction.log).toContain('lr=0.5 gpus=0,1\n');
    const cliRecord = decided(join(dir, 'cli', 'modelgate-train.json')) as { model: { path: string } };
    const actionRecord = decided(join(dir, 'action', 'modelgate-train.json')) as { model: { path: string } };
    expect(cliRecord).toMatchObject({
      params: { lr: 0.5 },
      gpu: { count: 2 },
      model: { path: 'cli/model.onnx' },
    });
    expect({ ...cliRecord, model: { ...cliRecord.model, path: 'model.onnx' } }).toEqual({
      ...actionRecord,
      model: { ...actionRecord.model, path: 'model.onnx' },
    });
    // The line the terminal shows is the action's log line.
    const trained = /^modelgate: trained .*$/m.exec(fromAction.log)?.[0];
    expect(trained).toMatch(
      /^modelgate: trained action\/model\.onnx \(sha256 [0-9a-f]{64}, [\d,]+ bytes\) in [\d.,]+ s on 2 × /,
    );
    expect(fromCli.stderr).toMatch(
      /^modelgate: trained cli\/model\.onnx \(sha256 [0-9a-f]{64}, [\d,]+ bytes\) in [\d.,]+ s on 2 × /m,
    );
  });

  it('refuse a bad value from the file with the same line, naming its key there', async () => {
    const line =
      "'train.gpus' in .modelgate.yml 'two' is not valid; expected all, none, or a number of GPUs like 2";
    expect(await refusals('train:\n  command: "true"\n  gpus: two\n')).toEqual({ cli: line, action: line });
  });

  it('refuse a bad value the user gave with the same line, naming the flag or the input', async () => {
    const expected = "'0' is not valid; expected a number above 0 and up to 35791";
    expect(
      await refusals('train:\n  command: "true"\n', ['--timeout-minutes', '0'], { 'timeout-minutes': '0' }),
    ).toEqual({ cli: `--timeout-minutes ${expected}`, action: `input 'timeout-minutes' ${expected}` });
  });

  it('refuse allow_fork_prs in the file, which a fork’s pull request could change', async () => {
    const line = "config file .modelgate.yml: 'train.allow_fork_prs' cannot be set in the config file";
    expect(await refusals('train:\n  command: "true"\n  allow_fork_prs: true\n')).toEqual({
      cli: line,
      action: line,
    });
  });

  it('fail a failing command the same way: exit 1, its exit code in the one line', async () => {
    const { action, cli } = project('train:\n  command: "exit 3"\n  gpus: none\n');
    const fromCli = cli(['--out', 'm.onnx']);
    expect(fromCli.code).toBe(1);
    expect(fromCli.stderr).toMatch(
      /^modelgate: training failed: training command exited with code 3 after [\d.]+ s$/m,
    );
    const fromAction = await action({});
    expect(fromAction.code).toBe(1);
    expect(errorLine(fromAction.log)).toMatch(/^training command exited with code 3 after [\d.]+ s$/);
    expect(fromAction.outputs['gpu-count']).toBe('0');
  });
});
