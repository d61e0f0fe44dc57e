import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { webhookExample } from './emulator/index.ts';
import { bin, type CliResult, cli, tempDir } from './helpers.ts';
import { MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * `modelgate register` and `modelgate registry list/show/alias/fetch` as a user runs them: the
 * version record of CONTRACT.md, lineage from the GitHub Actions environment or from git, and
 * exit code 2 with one `modelgate: error:` line for every bad input.
 */
const dir = tempDir('modelgate-registry-cli-');
let records: RegistryRecords;
let work = 0;

beforeAll(async () => {
  records = await makeRecords(dir);
});

/** A fresh working directory, so each test gets its own default registry (.modelgate/registry). */
function workdir(): string {
  const path = join(dir, `work-${++work}`);
  mkdirSync(path);
  return path;
}

function registerArgs(model: string, evaluation: string, verdict: string, ...extra: string[]): string[] {
  return [
    'register',
    '--name',
    'cancer',
    '--model',
    model,
    '--evaluation',
    evaluation,
    '--verdict',
    verdict,
    ...extra,
  ];
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Exit code 2 and one error line (plus at most a hint), naming the problem; no stack trace. */
function expectBadInput(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^modelgate: error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^hint: /);
}

describe('modelgate register and registry', () => {
  it('registers with lineage from the GitHub Actions run, and show --json prints the model-version@1 record', async () => {
    const cwd = workdir();
    const payload = webhookExample('pull_request', 'opened');
    const eventPath = join(cwd, 'event.json');
    writeFileSync(eventPath, JSON.stringify(payload));
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: payload.repository.full_name,
      GITHUB_SHA: 'c0ffee'.padEnd(40, '0'),
      GITHUB_REF: `refs/pull/${payload.pull_request.number}/merge`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1234',
    };
    const registered = await cli(
      registerArgs(
        MODEL_A,
        records.evalA,
        records.passA,
        '--alias',
        'production',
        '--params',
        '{"lr": 0.01}',
      ),
      cwd,
      env,
    );
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toMatch(/^registered cancer v1 in fs:\.modelgate\/registry\n/);
    expect(registered.stdout).toContain(`sha256   ${sha(MODEL_A)}`);
    expect(registered.stdout).toContain(`PR #${payload.pull_request.number}`);

    const shown = await cli(['registry', 'show', 'cancer@production', '--json'], cwd);
    expect(shown.code, shown.stderr).toBe(0);
    const record = JSON.parse(shown.stdout);
    expect(Object.keys(record).sort()).toEqual(
      [
        'aliases',
        'bytes',
        'created_at',
        'evaluation',
        'lineage',
        'name',
        'schema',
        'sha256',
        'url',
        'verdict',
        'version',
      ].sort(),
    );
    expect(record).toMatchObject({
      schema: 'modelgate/model-version@1',
      name: 'cancer',
      version: 1,
      sha256: sha(MODEL_A),
      bytes: readFileSync(MODEL_A).length,
      aliases: ['production'],
      lineage: {
        commit: env.GITHUB_SHA,
        ref: env.GITHUB_REF,
        run_url: `https://github.com/${payload.repository.full_name}/actions/runs/1234`,
        pr: payload.pull_request.number,
        parent_version: null,
        params: { lr: 0.01 },
        training: null,
      },
    });
    expect(record.evaluation).toEqual(JSON.parse(readFileSync(records.evalA, 'utf8')));
    expect(record.verdict).toEqual(JSON.parse(readFileSync(records.passA, 'utf8')));
    expect(record.lineage.data_sha256).toBe(record.evaluation.data.sha256);
  });

  it('takes the commit and ref from git outside GitHub Actions', async () => {
    const cwd = workdir();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd,
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'first');
    const head = git('rev-parse', 'HEAD');
    const result = await cli(registerArgs(MODEL_A, records.evalA, records.passA, '--json'), cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).lineage).toMatchObject({
      commit: head,
      ref: 'refs/heads/main',
      pr: null,
      run_url: null,
    });
  });

  it('lists versions, moves, promotes and removes aliases, and fetches a model with its digest checked', async () => {
    const cwd = workdir();
    expect(
      (await cli(registerArgs(MODEL_A, records.evalA, records.passA, '--alias', 'production'), cwd)).code,
    ).toBe(0);
    expect(
      (await cli(registerArgs(MODEL_B, records.evalB, records.passB, '--alias', 'staging'), cwd)).code,
    ).toBe(0);

    const list = await cli(['registry', 'list', 'cancer'], cwd);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^cancer: 2 versions in fs:\.modelgate\/registry\n/);
    expect(list.stdout).toMatch(
      new RegExp(`\\n {2}v1 +\\S+ +${sha(MODEL_A).slice(0, 12)} +passed +production\\s`),
    );
    expect(list.stdout).toMatch(
      new RegExp(`\\n {2}v2 +\\S+ +${sha(MODEL_B).slice(0, 12)} +passed +staging\\s`),
    );
    const listJson = JSON.parse((await cli(['registry', 'list', 'cancer', '--json'], cwd)).stdout);
    expect(
      listJson.map((v: { version: number; lineage: { parent_version: number | null } }) => [
        v.version,
        v.lineage.parent_version,
      ]),
    ).toEqual([
      [1, null],
      [2, 1],
    ]);

    // Promote what staging names to production.
    const promote = await cli(['registry', 'alias', 'cancer', 'production', 'staging'], cwd);
    expect(promote.stdout).toBe('cancer: production → v2 (was v1)\n');
    expect((await cli(['registry', 'alias', 'cancer', 'champion', '1'], cwd)).stdout).toBe(
      'cancer: champion → v1 (new alias)\n',
    );
    const show = await cli(['registry', 'show', 'cancer@2'], cwd);
    expect(show.stdout).toMatch(/^cancer v2 {2}\(aliases: production, staging\)\n/);
    expect(show.stdout).toMatch(/verdict +passed, paired, baseline .*rules: 2 pass/);
    expect(show.stdout).toMatch(/lineage +parent v1/);

    const removed = await cli(['registry', 'alias', 'cancer', 'staging', '--remove'], cwd);
    expect(removed.stdout).toBe('cancer: removed alias staging (it named v2)\n');
    expectBadInput(
      await cli(['registry', 'show', 'cancer@staging'], cwd),
      /model 'cancer' has no alias 'staging' \(aliases: champion → v1, production → v2\)/,
    );

    const fetched = await cli(['registry', 'fetch', 'cancer@champion', '--out', 'champion.onnx'], cwd);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'champion.onnx'))).toEqual(readFileSync(MODEL_A));
  });

  it('moves an alias back only with --allow-downgrade, naming the alias, its version and the flag', async () => {
    const cwd = workdir();
    expect((await cli(registerArgs(MODEL_A, records.evalA, records.passA), cwd)).code).toBe(0);
    expect(
      (await cli(registerArgs(MODEL_B, records.evalB, records.passB, '--alias', 'production'), cwd)).code,
    ).toBe(0);
    const back = await cli(['registry', 'alias', 'cancer', 'production', '1'], cwd);
    expect(back.code).toBe(2);
    expect(back.stderr).toBe(
      "modelgate: error: alias 'production' of model 'cancer' names v2; moving it to v1 would move it back\nhint: aliases only move forward: give --allow-downgrade to move it back on purpose\n",
    );
    expect((await cli(['registry', 'show', 'cancer@production', '--json'], cwd)).stdout).toMatch(
      /"version": 2,/,
    );
    const allowed = await cli(['registry', 'alias', 'cancer', 'production', '1', '--allow-downgrade'], cwd);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe('cancer: production → v1 (was v2)\n');
    // Forward needs no flag.
    expect((await cli(['registry', 'alias', 'cancer', 'production', '2'], cwd)).stdout).toBe(
      'cancer: production → v2 (was v1)\n',
    );
    expectBadInput(
      await cli(['registry', 'alias', 'cancer', 'production', '--remove', '--allow-downgrade'], cwd),
      /: --allow-downgrade only goes with registry alias NAME ALIAS REF$/,
    );
    expectBadInput(
      await cli([...registerArgs(MODEL_A, records.evalA, records.passA), '--allow-downgrade'], cwd),
      /: --allow-downgrade only goes with --alias$/,
    );
  });

  it('uses the registry the config names', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, '.modelgate.yml'),
      'model: cancer\nregistry: { backend: fs, path: shared/models }\n',
    );
    const result = await cli(
      ['register', '--model', MODEL_A, '--evaluation', records.evalA, '--verdict', records.passA],
      cwd,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^registered cancer v1 in fs:shared\/models\n/);
    expect(existsSync(join(cwd, 'shared', 'models', 'models', 'cancer', 'versions', '1.json'))).toBe(true);
    expect((await cli(['registry', 'list', 'cancer', '--json'], cwd)).stdout).toMatch(/"version": 1/);
  });

  it('stores a failing verdict only with --require-passed false (or --no-require-passed)', async () => {
    const cwd = workdir();
    const stored = await cli(
      registerArgs(MODEL_A, records.evalA, records.failA, '--require-passed', 'false'),
      cwd,
    );
    expect(stored.code, stored.stderr).toBe(0);
    const again = await cli(
      registerArgs(MODEL_A, records.evalA, records.failA, '--no-require-passed', '--json'),
      cwd,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, verdict: { passed: false } });
    expect((await cli(['registry', 'list', 'cancer'], cwd)).stdout).toMatch(/v2 .* failed/);
  });

  it('prints help with examples and exit codes for both commands', async () => {
    for (const command of [
      ['register', '--help'],
      ['registry', '--help'],
    ]) {
      const result = await cli(command);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: modelgate /);
      expect(result.stdout).toMatch(/Examples:/);
      expect(result.stdout).toMatch(/Exit codes: 0 .*; 2 bad input/);
    }
  });
});

describe('bad registry input: exit 2 and one line that names the problem', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = workdir();
    const result = await cli(
      registerArgs(MODEL_A, records.evalA, records.passA, '--alias', 'production'),
      cwd,
    );
    expect(result.code, result.stderr).toBe(0);
  });

  const cases: Array<{ name: string; args: () => string[]; message: RegExp }> = [
    {
      name: 'an unknown model name',
      args: () => ['registry', 'list', 'cancr'],
      message: /no model named 'cancr' in the registry fs:\.modelgate\/registry \(models: cancer\)/,
    },
    {
      name: 'an unknown version',
      args: () => ['registry', 'show', 'cancer@7'],
      message: /model 'cancer' has no version 7: it has version 1$/,
    },
    {
      name: 'an unknown alias',
      args: () => ['registry', 'show', 'cancer@champion'],
      message: /model 'cancer' has no alias 'champion' \(aliases: production → v1\)/,
    },
    {
      name: 'a bad alias name',
      args: () => ['registry', 'alias', 'cancer', 'Prod', '1'],
      message: /alias 'Prod' is not valid: use lowercase letters/,
    },
    {
      name: "'latest' as an alias",
      args: () => ['registry', 'alias', 'cancer', 'latest', '1'],
      message: /'latest' cannot be an alias/,
    },
    {
      name: 'an alias to a version that does not exist',
      args: () => ['registry', 'alias', 'cancer', 'champion', '3'],
      message: /model 'cancer' has no version 3/,
    },
    {
      name: 'a bad model name',
      args: () => ['registry', 'list', '../etc'],
      message: /model name '\.\.\/etc' is not valid/,
    },
    {
      name: 'a bad --registry spec',
      args: () => ['registry', 'list', 'cancer', '--registry', 's3://bucket'],
      message: /--registry 's3:\/\/bucket' is not a registry: expected fs:PATH or github:OWNER\/REPO/,
    },
    {
      name: 'a bare path as --registry',
      args: () => ['registry', 'list', 'cancer', '--registry', 'models'],
      message: /--registry 'models' is not a registry/,
    },
    {
      name: 'a malformed github: spec',
      args: () => ['registry', 'list', 'cancer', '--registry', 'github:acme'],
      message: /--registry 'github:acme' is not valid: expected github:OWNER\/REPO/,
    },
    {
      name: 'github: with no token',
      args: () => ['registry', 'list', 'cancer', '--registry', 'github:acme/models'],
      message: /the registry github:acme\/models needs a GitHub token/,
    },
    {
      name: 'an unknown subcommand',
      args: () => ['registry', 'lst', 'cancer'],
      message: /unknown registry subcommand 'lst'/,
    },
    {
      name: 'a missing argument',
      args: () => ['registry', 'alias', 'cancer', 'champion'],
      message: /registry alias needs REF: modelgate registry alias NAME ALIAS REF/,
    },
    {
      name: 'a bad ref',
      args: () => ['registry', 'show', 'cancer@Prod!'],
      message: /'Prod!' is not a version ref/,
    },
    {
      name: 'register with a failed verdict',
      args: () => registerArgs(MODEL_A, records.evalA, records.failA),
      message: /refusing to register .*model\.onnx: verdict .*fail-a\.json did not pass: accuracy min fail/,
    },
    {
      name: 'register without a verdict',
      args: () => ['register', '--name', 'cancer', '--model', MODEL_A, '--evaluation', records.evalA],
      message: /without a verdict: a passing verdict is required/,
    },
    {
      name: "register with another model's verdict",
      args: () => registerArgs(MODEL_A, records.evalA, records.passB),
      message:
        /verdict .*pass-b\.json is about the model with sha256 [0-9a-f]{64}, but .*model\.onnx \(sha256 [0-9a-f]{64}\) is another file/,
    },
    {
      name: "register with another model's evaluation",
      args: () => registerArgs(MODEL_A, records.evalB, records.passA),
      message: /evaluation .*eval-b\.json is of the model with sha256 [0-9a-f]{64}, but .* is another file/,
    },
    {
      name: 'register with a missing model file',
      args: () => registerArgs(join(dir, 'missing.onnx'), records.evalA, records.passA),
      message: /model file not found: .*missing\.onnx/,
    },
    {
      name: 'register with a verdict that is not one',
      args: () => registerArgs(MODEL_A, records.evalA, records.evalA),
      message:
        /verdict .*eval-a\.json is not a modelgate\/verdict@1 file \(schema: "modelgate\/evaluation@1"\)/,
    },
    {
      name: 'register with a bad --require-passed',
      args: () => registerArgs(MODEL_A, records.evalA, records.passA, '--require-passed', 'no'),
      message: /--require-passed is 'no'; expected true or false/,
    },
    {
      name: 'register with both --require-passed and --no-require-passed',
      args: () =>
        registerArgs(
          MODEL_A,
          records.evalA,
          records.failA,
          '--require-passed',
          'false',
          '--no-require-passed',
        ),
      message: /give --require-passed or --no-require-passed, not both$/,
    },
    {
      name: 'registry fetch without --out',
      args: () => ['registry', 'fetch', 'cancer@production'],
      message: /registry fetch needs --out PATH: where to write the model$/,
    },
    {
      name: 'register with no name',
      args: () => ['register', '--model', MODEL_A, '--evaluation', records.evalA, '--verdict', records.passA],
      message: /register needs --name/,
    },
  ];
  for (const { name, args, message } of cases) {
    it(name, async () => {
      expectBadInput(await cli(args(), cwd), message);
    });
  }

  it('a damaged version record', async () => {
    const damaged = workdir();
    expect((await cli(registerArgs(MODEL_A, records.evalA, records.passA), damaged)).code).toBe(0);
    const record = join(damaged, '.modelgate', 'registry', 'models', 'cancer', 'versions', '1.json');
    writeFileSync(record, readFileSync(record, 'utf8').slice(0, 200));
    expectBadInput(
      await cli(['registry', 'show', 'cancer@1'], damaged),
      /registry file .*versions\/1\.json is damaged: it is not valid JSON/,
    );
    expectBadInput(
      await cli(['registry', 'list', 'cancer'], damaged),
      /registry file .*versions\/1\.json is damaged/,
    );
  });

  it('a bad registry section in the config', async () => {
    const configured = workdir();
    writeFileSync(join(configured, '.modelgate.yml'), 'registry: { backend: s3, bucket: x }\n');
    expectBadInput(
      await cli(['registry', 'list', 'cancer'], configured),
      /config file .*\.modelgate\.yml: 'registry' must be \{ backend: fs, path: PATH \}/,
    );
  });

  it('a refused register leaves the registry as it was, from the real process too', async () => {
    const before = (await cli(['registry', 'list', 'cancer', '--json'], cwd)).stdout;
    const result = bin(registerArgs(MODEL_A, records.evalA, records.failA, '--alias', 'champion'), cwd);
    expectBadInput(result, /did not pass/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect((await cli(['registry', 'list', 'cancer', '--json'], cwd)).stdout).toBe(before);
  });
});
