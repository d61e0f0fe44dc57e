import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webhookExample } from './emulator/index.ts';
import { FIXTURES, ROOT, runBuiltAction, tempDir } from './helpers.ts';

const ACTION = join(ROOT, 'actions', 'train');
const STAND_IN = join(ROOT, 'test', 'fixtures', 'nvidia-smi');
const MODEL = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
const WRITE_MODEL = `cp '${MODEL}' "$MODELGATE_MODEL_PATH"`;

/** A self-hosted GPU runner: the stand-in nvidia-smi, its own lock directory, and the event of the run. */
function runner(
  event: { name: string; payload: unknown; repository: string },
  extra: NodeJS.ProcessEnv = {},
) {
  const dir = tempDir('modelgate-train-action-');
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const env: NodeJS.ProcessEnv = {
    PATH: `${STAND_IN}:${process.env.PATH ?? ''}`,
    MODELGATE_GPU_LOCK_DIR: join(dir, 'locks'),
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: dir,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: event.repository,
    GITHUB_RUN_ID: '4242',
    ...extra,
  };
  const run = (inputs: Record<string, string>) =>
    runBuiltAction(join(ACTION, 'dist', 'index.js'), {
      cwd: dir,
      env,
      inputs,
      actionYml: join(ACTION, 'action.yml'),
    });
  return { dir, run };
}

function push() {
  const payload = webhookExample('push');
  return { name: 'push', payload, repository: payload.repository.full_name };
}

/** A real pull_request "opened" payload whose head branch lives in someone else's fork. */
function forkPullRequest() {
  const payload = webhookExample('pull_request', 'opened');
  const head = payload.pull_request.head.repo;
  if (head === null) throw new Error('the example has a head repository');
  head.owner.login = 'mallory';
  head.full_name = `mallory/${head.name}`;
  head.fork = true;
  return { name: 'pull_request', payload, repository: payload.repository.full_name };
}

describe('the train action', () => {
  it('trains on a self-hosted GPU runner and sets its outputs and the job summary', async () => {
    const { dir, run } = runner(push(), { FAKE_NVIDIA_SMI_UTIL: '88', FAKE_NVIDIA_SMI_MEMORY_USED: '30000' });
    const result = await run({
      command: `echo "lr is $MODELGATE_PARAM_LR"; ${WRITE_MODEL}`,
      params: 'lr: 0.05',
      gpus: '2',
      'model-path': 'out/model.onnx',
      'telemetry-interval-seconds': '0.05',
    });
    expect(result.log).not.toMatch(/::error::/);
    expect(result.code).toBe(0);
    // The command's output, live, inside a log group.
    expect(result.log).toMatch(
      /::group::Training: echo "lr is \$MODELGATE_PARAM_LR".*\nlr is 0\.05\n::endgroup::/,
    );
    expect(result.log).toContain('artifact: not uploaded: not on a GitHub Actions runner');
    const record = JSON.parse(readFileSync(join(dir, 'out', 'modelgate-train.json'), 'utf8'));
    expect(result.outputs).toEqual({
      model: 'out/model.onnx',
      sha256: record.model.sha256,
      'duration-seconds': String(record.duration_seconds),
      'gpu-count': '2',
      'gpu-summary': JSON.stringify(record.gpu),
      record: 'out/modelgate-train.json',
    });
    expect(JSON.parse(result.outputs['gpu-summary'] as string)).toMatchObject({
      count: 2,
      model: 'NVIDIA H100 80GB HBM3',
      cuda_version: '12.2',
      telemetry: { utilization_percent: { avg: 88, peak: 88 }, memory_used_mib: { avg: 30000, peak: 30000 } },
    });
    expect(result.summary).toMatch(/^### modelgate train: `out\/model\.onnx`/);
    expect(result.summary).toMatch(
      /\| GPUs +\| 2 × NVIDIA H100 80GB HBM3 \(GPUs 0,1; driver 535\.104\.05, CUDA 12\.2\) +\|/,
    );
    expect(result.summary).toMatch(/\| GPU utilisation +\| avg 88 %, peak 88 % +\|/);
    expect(result.summary).toContain(record.model.sha256);
  });

  it('refuses a fork pull request on a self-hosted runner, and the command never runs', async () => {
    const { dir, run } = runner(forkPullRequest());
    const result = await run({ command: `touch ran; ${WRITE_MODEL}` });
    expect(result.code).toBe(1);
    expect(result.log).toMatch(
      /::error::refusing to train: pull request #2 \(pull_request\) comes from mallory\/Hello-World, not Codertocat\/Hello-World, and this job runs on a self-hosted runner/,
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 'locks'))).toBe(false);
    expect(result.outputs).toEqual({});
  });

  it('runs the fork pull request when the workflow sets allow-fork-prs: true', async () => {
    const { dir, run } = runner(forkPullRequest());
    const result = await run({ command: `touch ran; ${WRITE_MODEL}`, 'allow-fork-prs': 'true' });
    expect(result.code).toBe(0);
    expect(result.log).toContain(
      '::warning::running the training command of pull request #2 from mallory/Hello-World',
    );
    expect(existsSync(join(dir, 'ran'))).toBe(true);
  });

  it('takes its defaults from the config file’s train: section, and inputs override them', async () => {
    const { dir, run } = runner(push());
    writeFileSync(
      join(dir, '.modelgate.yml'),
      `train:\n  command: ${JSON.stringify(`echo "gpus=$CUDA_VISIBLE_DEVICES"; ${WRITE_MODEL}`)}\n  model_path: models/churn.onnx\n  gpus: 3\n  params: { lr: 0.2 }\n`,
    );
    const result = await run({ gpus: '1' });
    expect(result.log).not.toMatch(/::error::/);
    expect(result.log).toContain('gpus=0\n');
    expect(result.outputs.model).toBe('models/churn.onnx');
    expect(JSON.parse(readFileSync(join(dir, 'models', 'modelgate-train.json'), 'utf8')).params).toEqual({
      lr: 0.2,
    });
  });

  it('fails the step with the command’s exit code, and still reports the GPUs', async () => {
    const { run } = runner(push());
    const result = await run({ command: 'exit 3', gpus: '1' });
    expect(result.code).toBe(1);
    expect(result.log).toMatch(/::error::training command exited with code 3 after [\d.]+ s/);
    expect(result.outputs['gpu-count']).toBe('1');
    expect(result.summary).toMatch(/^### modelgate train: failed\n\ntraining command exited with code 3/);
  });
});
