import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsRegistry } from '@modelgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { webhookExample } from './emulator/index.ts';
import { ROOT, runBuiltAction, tempDir } from './helpers.ts';
import { DATA, MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * The built register and compare-to-baseline actions, run as the runner runs them on a push to
 * main: register stores the version with the run's lineage and sets `version`, `sha256` and
 * `url`; compare-to-baseline's default `registry:production` then gates the next model against it.
 */
const work = tempDir('modelgate-registry-actions-');
const registerMain = join(ROOT, 'actions', 'register', 'dist', 'index.js');
const compareMain = join(ROOT, 'actions', 'compare-to-baseline', 'dist', 'index.js');
let records: RegistryRecords;
let env: NodeJS.ProcessEnv;
let payload: ReturnType<typeof webhookExample<'push'>>;
const registryPath = join(work, 'registry');

beforeAll(async () => {
  records = await makeRecords(work);
  payload = webhookExample('push');
  const eventPath = join(work, 'push.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  env = {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: payload.repository.full_name,
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '77',
    RUNNER_ENVIRONMENT: 'self-hosted',
  };
});

function register(inputs: Record<string, string>) {
  return runBuiltAction(registerMain, {
    cwd: work,
    actionYml: join(ROOT, 'actions', 'register', 'action.yml'),
    inputs: { name: 'cancer', registry: `fs:${registryPath}`, ...inputs },
    env,
  });
}

function compareToBaseline(inputs: Record<string, string>) {
  return runBuiltAction(compareMain, {
    cwd: work,
    actionYml: join(ROOT, 'actions', 'compare-to-baseline', 'action.yml'),
    inputs: { gates: records.gates, registry: `fs:${registryPath}`, ...inputs },
    env,
  });
}

describe('the register action', () => {
  it('refuses a failed verdict, failing the step and leaving the registry empty', async () => {
    const run = await register({ model: MODEL_A, evaluation: records.evalA, verdict: records.failA });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      /::error::refusing to register .*model\.onnx: verdict .*fail-a\.json did not pass/,
    );
    expect(run.outputs).toEqual({});
    expect(existsSync(registryPath)).toBe(false);
  });

  it('takes allow-downgrade only with an alias, naming the input', async () => {
    const run = await register({
      model: MODEL_A,
      evaluation: records.evalA,
      verdict: records.passA,
      'allow-downgrade': 'true',
    });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/::error::input 'allow-downgrade' only goes with input 'alias'/);
    const bad = await register({
      model: MODEL_A,
      evaluation: records.evalA,
      verdict: records.passA,
      alias: 'production',
      'allow-downgrade': 'yes',
    });
    expect(bad.log).toMatch(/::error::input 'allow-downgrade' is 'yes'; expected true or false/);
    expect(existsSync(registryPath)).toBe(false);
  });

  it('registers with the run as lineage, moves the alias, and sets version, sha256 and url', async () => {
    const run = await register({
      model: MODEL_A,
      evaluation: records.evalA,
      verdict: records.passA,
      alias: 'production',
      params: 'lr: 0.01\nepochs: 5\n',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    const sha256 = createHash('sha256').update(readFileSync(MODEL_A)).digest('hex');
    expect(run.outputs).toEqual({
      version: '1',
      sha256,
      url: join(registryPath, 'models', 'cancer', 'versions', '1.json'),
    });
    expect(run.summary).toMatch(/registered cancer v1/);
    const stored = await createFsRegistry(registryPath).resolve('cancer', 'production');
    expect(stored.lineage).toEqual({
      commit: env.GITHUB_SHA,
      ref: 'refs/heads/main',
      run_url: `https://github.com/${payload.repository.full_name}/actions/runs/77`,
      pr: null,
      parent_version: null,
      data_sha256: stored.evaluation?.data.sha256,
      params: { lr: 0.01, epochs: 5 },
      training: null,
    });
  });
});

describe('compare-to-baseline with its default baseline, registry:production', () => {
  it('scores the registered production model paired on the data, and names it in the verdict', async () => {
    const run = await compareToBaseline({
      model: MODEL_B,
      data: DATA,
      label: 'target',
      'slice-by': 'size',
      bootstrap: '100',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    const verdict = JSON.parse(readFileSync(join(work, run.outputs.verdict as string), 'utf8'));
    expect(verdict.paired).toBe(true);
    expect(verdict.baseline.ref).toBe('production');
    expect(verdict.notes[0]).toMatch(/^baseline: cancer v1 \(production\)/);
    expect(run.summary).toMatch(/`production`, `fs:.*\/registry\/cancer@1`/);
  });

  it("fails the step when it does not know the model's registry name, rather than never finding a baseline", async () => {
    const gates = join(work, 'anonymous.yml');
    writeFileSync(gates, 'gates:\n  accuracy: { min: 0.9 }\n');
    const run = await compareToBaseline({ candidate: records.evalB, gates });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      /::error::input 'baseline' is 'registry:production', which needs the model's registry name: set input 'name' or 'model:' in \.modelgate\.yml/,
    );
  });

  it('fails the step, naming what exists, on a misspelt alias or model name, as the CLI does', async () => {
    const alias = await compareToBaseline({ candidate: records.evalB, baseline: 'registry:prod' });
    expect(alias.code).toBe(1);
    expect(alias.log).toContain(
      "::error::model 'cancer' has no alias 'prod' (aliases: production → v1)%0Ahint: did you mean 'production'?",
    );
    expect(alias.outputs).toEqual({});
    const name = await compareToBaseline({ candidate: records.evalB, name: 'cancr' });
    expect(name.code).toBe(1);
    expect(name.log).toMatch(
      /::error::no model named 'cancr' in the registry fs:.*registry \(models: cancer\)%0Ahint: did you mean 'cancer'\?/,
    );
  });

  it('is the first model when the registry holds no models yet', async () => {
    const run = await compareToBaseline({
      candidate: records.evalB,
      registry: `fs:${join(work, 'empty-registry')}`,
    });
    expect(run.code).toBe(0);
    const verdict = JSON.parse(readFileSync(join(work, run.outputs.verdict as string), 'utf8'));
    expect(verdict.baseline).toBeNull();
    expect(verdict.notes[0]).toMatch(
      /^no baseline: the registry fs:.*empty-registry holds no model 'cancer' yet/,
    );
  });
});
