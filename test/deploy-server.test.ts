import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DeployStep, deploy, type ModelVersion, serverTarget, silentLogger } from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminState,
  DATA,
  expectClose,
  features,
  infer,
  MODEL_A,
  MODEL_B,
  MODEL_C,
  MODEL_RANDOM,
  NAME,
  openFsRegistry,
  ownOutput,
  register,
  type ServeProcess,
  serveProcess,
  tamperBlob,
  vet,
} from './deploy-helpers.ts';
import { cli, tempDir } from './helpers.ts';

/**
 * `modelgate deploy` against the real model server (`modelgate serve`) on loopback, with real
 * ONNX models vetted by the CLI into a real filesystem registry that the server loads from. The
 * server generates its admin token into .modelgate/admin-token and deploy, run from the same
 * directory, reads it there. Each case states what a user sees and what keeps serving: a
 * refused deploy changes nothing, a failed one rolls back.
 */
const dir = tempDir('modelgate-deploy-server-');
const root = join(dir, 'registry');
const spec = `fs:${root}`;
let server: ServeProcess;
const versions: Record<'a' | 'b' | 'failed' | 'random' | 'foreign' | 'tampered', number> = {
  a: 0,
  b: 0,
  failed: 0,
  random: 0,
  foreign: 0,
  tampered: 0,
};
let rows: Awaited<ReturnType<typeof features>>;
let outputA: number[];
let outputB: number[];

const env = {};
const deployCli = (ref: number | string, ...extra: string[]) =>
  cli(
    [
      'deploy',
      '--name',
      NAME,
      '--ref',
      String(ref),
      '--target',
      'server',
      '--url',
      server.url,
      '--registry',
      spec,
      ...extra,
    ],
    dir,
    env,
  );

beforeAll(async () => {
  const lenient = '  accuracy: { min: 0.5 }\n';
  const [a, b, c, random, failed] = [
    await vet(dir, 'a', MODEL_A, lenient),
    await vet(dir, 'b', MODEL_B, lenient),
    await vet(dir, 'c', MODEL_C, lenient),
    // A random classifier clears a bound of 0 (the gates are the user's to choose); it still cannot ship.
    await vet(dir, 'random', MODEL_RANDOM, '  accuracy: { min: 0.0 }\n'),
    await vet(dir, 'strict', MODEL_A, '  accuracy: { min: 0.999 }\n', false),
  ];
  versions.a = await register(spec, a);
  versions.b = await register(spec, b);
  versions.failed = await register(spec, failed, false);
  versions.random = await register(spec, random);
  versions.tampered = await register(spec, c);
  // A record whose verdict vouches for another model's digest: the registry would never write
  // one, but a record can be edited by hand, or come from a backend that checks less.
  versions.foreign = await register(spec, b);
  const recordPath = join(root, 'models', NAME, 'versions', `${versions.foreign}.json`);
  const record = JSON.parse(readFileSync(recordPath, 'utf8'));
  record.verdict = JSON.parse(readFileSync(a.verdict, 'utf8'));
  writeFileSync(recordPath, JSON.stringify(record));

  server = await serveProcess(dir, spec);
  rows = await features();
  outputA = await ownOutput(MODEL_A, rows.data, rows.rows, rows.width);
  outputB = await ownOutput(MODEL_B, rows.data, rows.rows, rows.width);
});

afterAll(async () => {
  await server?.stop();
});

async function expectServing(version: number, output: number[]): Promise<void> {
  expect((await adminState(server.url, server.token)).primary?.version).toBe(version);
  const answer = await infer(server.url, rows);
  expect(answer.status).toBe(200);
  expect(answer.version).toBe(String(version));
  expectClose(answer.data, output);
}

async function aliasVersion(): Promise<number | undefined> {
  const result = await cli(['registry', 'show', `${NAME}@production`, '--registry', spec, '--json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as ModelVersion).version : undefined;
}

describe('modelgate deploy --target server', () => {
  it('deploys v1, then v2, and the live answers are each model’s own outputs', async () => {
    const first = await deployCli(versions.a, '--smoke-data', DATA);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`deployed ${NAME} v${versions.a} \\(sha256 [0-9a-f]{12}\\) at ${server.url}`),
    );
    expect(first.stdout).toMatch(/smoke: 200 rows through .* agree with the registered model/);
    await expectServing(versions.a, outputA);
    expect(await aliasVersion()).toBe(versions.a);

    const second = await deployCli(versions.b, '--smoke-data', DATA);
    expect(second.code, second.stderr).toBe(0);
    // A replace is staged with no traffic, smoke-checked pinned, then swapped in.
    expect(second.stdout).toMatch(
      /install: v\d+ staged with no traffic[\s\S]*smoke: [\s\S]*promote: v\d+ promoted to primary/,
    );
    await expectServing(versions.b, outputB);
    expect((await adminState(server.url, server.token)).previous?.version).toBe(versions.a);
    expect(await aliasVersion()).toBe(versions.b);
    const metadata = (await (await fetch(`${server.url}/v2/models/${NAME}`)).json()) as {
      modelgate: { version: number };
    };
    expect(metadata.modelgate.version).toBe(versions.b);
  });

  it('refuses a version whose verdict failed, and changes nothing', async () => {
    const before = await adminState(server.url, server.token);
    const result = await deployCli(versions.failed);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^modelgate: refused: the verdict of ${NAME} v${versions.failed} .* did not pass: accuracy min fail`,
        'm',
      ),
    );
    expect(await adminState(server.url, server.token)).toEqual(before);
    expect(await aliasVersion()).toBe(versions.b);
  });

  it('refuses a version whose verdict vouches for another model’s sha256', async () => {
    const result = await deployCli(versions.foreign);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /refused: the verdict of .* is about another model \(sha256 [0-9a-f]{12}\): it does not vouch for this one/,
    );
    await expectServing(versions.b, outputB);
  });

  it('refuses a tampered model file, and the old version keeps serving', async () => {
    const version = (await openFsRegistry(root).resolve(NAME, String(versions.tampered))) as ModelVersion;
    tamperBlob(root, version.sha256);
    const result = await deployCli(versions.tampered, '--smoke-data', DATA);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /refused: no verified copy of .* has sha256 [0-9a-f]{64}, but the registry recorded/,
    );
    await expectServing(versions.b, outputB);
    expect(await aliasVersion()).toBe(versions.b);
  });

  it('rolls back when the live model answers differently from the registered file (smoke check)', async () => {
    const result = await deployCli(versions.random, '--smoke-data', DATA);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^modelgate: rolled back: the deploy of .* failed: the smoke check failed: \d+ output value\(s\) from .*\/versions\/\d+\/infer differ from the registered model's own output \(row 1 probabilities\[0\]: live [\d.e-]+ vs registered [\d.e-]+/m,
    );
    expect(result.stdout).toMatch(/rollback: v\d+ \(sha256 [0-9a-f]{12}\) serves/);
    // Staged with no traffic, so no user request ever reached it; the canary slot is empty again.
    const state = await adminState(server.url, server.token);
    expect(state.canary).toBeNull();
    await expectServing(versions.b, outputB);
    expect(await aliasVersion()).toBe(versions.b);
  });

  it('refuses a downgrade unless it is allowed', async () => {
    const refused = await deployCli(versions.a);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `refused: ${NAME} v${versions.a} is older than v${versions.b}, which 'production' names now: a downgrade needs allow-downgrade`,
      ),
    );
    await expectServing(versions.b, outputB);
  });

  it('steps a canary up through 10%, 50% and 100%, with the traffic split at each step', async () => {
    const registry = openFsRegistry(root);
    const observed: Array<{ percent: number; share: number }> = [];
    const sample = await features(1);
    const REQUESTS = 300;
    const watch = async (step: DeployStep) => {
      if (step.action !== 'verify' || step.percent === undefined) return;
      let canary = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const answer = await infer(server.url, sample);
        if (answer.version === String(versions.a)) canary++;
      }
      observed.push({ percent: step.percent, share: canary / REQUESTS });
    };
    const outcome = await deploy(
      {
        name: NAME,
        ref: String(versions.a),
        strategy: 'canary',
        canarySteps: [10, 50, 100],
        canaryWaitMs: 0,
        smokeData: DATA,
        requireGate: true,
        allowDowngrade: true,
        alias: 'production',
        environment: 'production',
      },
      {
        registry,
        target: serverTarget({ url: server.url, token: server.token }),
        logger: silentLogger,
        onStep: watch,
      },
    );
    expect(outcome.kind, JSON.stringify(outcome.kind === 'refused' ? outcome.reasons : outcome.kind)).toBe(
      'deployed',
    );
    expect(observed.map((o) => o.percent)).toEqual([10, 50]);
    // Binomial spread of 300 draws: within 4 standard deviations of the set percent.
    for (const { percent, share } of observed) {
      const p = percent / 100;
      expect(Math.abs(share - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / REQUESTS));
    }
    const actions =
      outcome.kind === 'deployed' ? outcome.steps.map((s) => `${s.action}${s.percent ?? ''}`) : [];
    expect(actions).toEqual([
      'install10',
      'verify10',
      'smoke10',
      'canary50',
      'verify50',
      'smoke50',
      'promote',
      'verify',
      'smoke',
      'alias',
    ]);
    await expectServing(versions.a, outputA);
  });

  it('rolls a failing canary back at its first step', async () => {
    const result = await deployCli(
      versions.random,
      '--strategy',
      'canary',
      '--canary-percent',
      '20,100',
      '--smoke-data',
      DATA,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/install: v\d+ loaded as the canary with 20% of the traffic/);
    expect(result.stderr).toMatch(/rolled back: .* the smoke check failed/);
    expect((await adminState(server.url, server.token)).canary).toBeNull();
    await expectServing(versions.a, outputA);
  });

  it('rolls back when the server’s registry holds different bytes than the one deployed from', async () => {
    // A second server reads a copy of the registry in which v2's file was changed: it refuses
    // the load (409), nothing changes there, and the deploy says so.
    const copyDir = join(dir, 'other');
    const copy = join(copyDir, 'registry');
    cpSync(root, copy, { recursive: true });
    const version = await openFsRegistry(root).resolve(NAME, String(versions.b));
    tamperBlob(copy, version.sha256);
    const other = await serveProcess(copyDir, `fs:${copy}`);
    try {
      const load = await fetch(`${other.url}/admin/models/${NAME}/load`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: versions.a }),
      });
      expect(load.status, await load.clone().text()).toBe(200);
      const result = await cli(
        ['deploy', '--name', NAME, '--ref', String(versions.b), '--url', other.url, '--registry', spec],
        copyDir,
        {},
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/rolled back: .* loading cancer v\d+: the server answered 409/);
      expect(result.stdout).toMatch(
        /rollback: nothing to undo: v\d+ is not loaded; v\d+ \(sha256 [0-9a-f]{12}\) serves/,
      );
      expect((await adminState(other.url, other.token)).primary?.version).toBe(versions.a);
    } finally {
      await other.stop();
    }
  });

  it('says what to do when the admin token is missing or wrong, before anything changes', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const missing = await cli(
      ['deploy', '--name', NAME, '--ref', String(versions.b), '--url', server.url, '--registry', spec],
      elsewhere,
      {},
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^modelgate: error: the server target needs the model server's admin token: MODELGATE_ADMIN_TOKEN is not set/,
    );
    const wrong = await cli(
      ['deploy', '--name', NAME, '--ref', String(versions.b), '--url', server.url, '--registry', spec],
      dir,
      { MODELGATE_ADMIN_TOKEN: 'not-the-token' },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^modelgate: error: the model server at .* refused the admin token \(403\)/);
    await expectServing(versions.a, outputA);
  });
});
