import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsRegistry, type ModelVersion } from '@modelgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { webhookExample } from './emulator/index.ts';
import { type ActionRun, type CliResult, cli, ROOT, runBuiltAction, tempDir } from './helpers.ts';
import { MODEL_A, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * `modelgate register` and the register action decide the same thing on the same inputs: both
 * store the same version record, or both refuse with the same message, the option named as
 * each caller names it (`--alias`, `input 'alias'`). Both take the lineage from the same run.
 */
const work = tempDir('modelgate-register-parity-');
let records: RegistryRecords;
let env: NodeJS.ProcessEnv;
let registries = 0;

beforeAll(async () => {
  records = await makeRecords(work);
  const payload = webhookExample('push');
  const eventPath = join(work, 'push.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  env = {
    GITHUB_ACTIONS: 'true',
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

interface Both {
  cli: CliResult;
  action: ActionRun;
  /** Each side's own registry folder. */
  cliRegistry: string;
  actionRegistry: string;
}

type Inputs = Record<string, string | true>;

/**
 * The same inputs to both, each into a registry of its own (`own` gives a side's own inputs
 * naming it; by default `registry`): `true` is a bare flag on the command line, `'true'` as an input.
 */
async function registerBoth(
  inputs: Inputs,
  own = (registry: string): Inputs => ({ registry: `fs:${registry}` }),
): Promise<Both> {
  const n = ++registries;
  const cliRegistry = join(work, `cli-${n}`);
  const actionRegistry = join(work, `action-${n}`);
  const args = Object.entries({ ...inputs, ...own(cliRegistry) }).flatMap(([name, value]) =>
    value === true ? [`--${name}`] : [`--${name}`, value],
  );
  const fromCli = await cli(['register', ...args], work, env);
  const fromAction = await runBuiltAction(join(ROOT, 'actions', 'register', 'dist', 'index.js'), {
    cwd: work,
    actionYml: join(ROOT, 'actions', 'register', 'action.yml'),
    inputs: Object.fromEntries(
      Object.entries({ ...inputs, ...own(actionRegistry) }).map(([name, value]) => [name, String(value)]),
    ),
    env,
  });
  return { cli: fromCli, action: fromAction, cliRegistry, actionRegistry };
}

/** The CLI's error line with its flags written as the action names its inputs. */
function asAction(stderr: string): string {
  const line = stderr.split('\n')[0] ?? '';
  expect(line).toMatch(/^modelgate: error: /);
  return line.replace(/^modelgate: error: /, '').replace(/--([a-z][a-z-]*)/g, "input '$1'");
}

/** The action's one error line, without its hint. */
function actionError(run: ActionRun): string {
  const line = run.log.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return line.replace(/^::error::/, '').split('%0A')[0] ?? '';
}

/** A version as stored, less what differs between any two registers: the time and where it is. */
async function stored(root: string, name: string): Promise<Omit<ModelVersion, 'created_at' | 'url'>> {
  const { created_at: _, url: __, ...rest } = await createFsRegistry(root).resolve(name, 'latest');
  return rest;
}

function expectSameRefusal(both: Both): void {
  expect(both.cli.code).toBe(2);
  expect(both.action.code).toBe(1);
  expect(actionError(both.action)).toBe(asAction(both.cli.stderr));
  expect(existsSync(both.cliRegistry)).toBe(false);
  expect(existsSync(both.actionRegistry)).toBe(false);
}

describe('modelgate register and the register action decide alike', () => {
  it('store the same version, with the run as lineage, and move the alias', async () => {
    const both = await registerBoth({
      name: 'cancer',
      model: MODEL_A,
      evaluation: records.evalA,
      verdict: records.passA,
      alias: 'production',
      params: '{"lr": 0.01}',
    });
    expect(both.cli.code, both.cli.stderr).toBe(0);
    expect(both.action.log).not.toMatch(/::error::/);
    expect(both.action.code).toBe(0);
    const fromCli = await stored(both.cliRegistry, 'cancer');
    expect(fromCli).toMatchObject({ version: 1, aliases: ['production'], lineage: { params: { lr: 0.01 } } });
    expect(fromCli.lineage.commit).toBe(env.GITHUB_SHA);
    expect(await stored(both.actionRegistry, 'cancer')).toEqual(fromCli);
    expect(both.action.outputs.version).toBe('1');
    expect(both.cli.stdout).toContain(`sha256   ${both.action.outputs.sha256}`);
  });

  it('refuse a verdict that did not pass, with the same message, and store it only when told to', async () => {
    const failing = { name: 'cancer', model: MODEL_A, evaluation: records.evalA, verdict: records.failA };
    const refused = await registerBoth(failing);
    expectSameRefusal(refused);
    expect(actionError(refused.action)).toMatch(
      /^refusing to register .*model\.onnx: verdict .*did not pass/,
    );

    const kept = await registerBoth({ ...failing, 'require-passed': 'false' });
    expect(kept.cli.code, kept.cli.stderr).toBe(0);
    expect(kept.action.code).toBe(0);
    expect(await stored(kept.actionRegistry, 'cancer')).toEqual(await stored(kept.cliRegistry, 'cancer'));
  });

  it('refuse the same bad options, each naming the option as its caller wrote it', async () => {
    const inputs = { name: 'cancer', model: MODEL_A, evaluation: records.evalA, verdict: records.passA };
    const downgrade = await registerBoth({ ...inputs, 'allow-downgrade': true });
    expectSameRefusal(downgrade);
    expect(actionError(downgrade.action)).toBe("input 'allow-downgrade' only goes with input 'alias'");
    const notBoolean = await registerBoth({ ...inputs, 'require-passed': 'no' });
    expectSameRefusal(notBoolean);
    expect(actionError(notBoolean.action)).toBe("input 'require-passed' is 'no'; expected true or false");
    const { name: _, ...nameless } = inputs;
    expectSameRefusal(await registerBoth(nameless));
  });

  it("take the name and the registry from the config file's model: and registry:", async () => {
    const inputs = { model: MODEL_A, evaluation: records.evalA, verdict: records.passA };
    const both = await registerBoth(inputs, (registry) => {
      const config = `${registry}.yml`;
      writeFileSync(config, `model: configured\nregistry: { backend: fs, path: ${registry} }\n`);
      return { config };
    });
    expect(both.cli.code, both.cli.stderr).toBe(0);
    expect(both.action.log).not.toMatch(/::error::/);
    const fromCli = await stored(both.cliRegistry, 'configured');
    expect(fromCli.name).toBe('configured');
    expect(await stored(both.actionRegistry, 'configured')).toEqual(fromCli);
  });
});
