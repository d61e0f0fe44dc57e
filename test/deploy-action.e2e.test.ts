import { cpSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@modelgate/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminState,
  DATA,
  MODEL_A,
  MODEL_B,
  MODEL_RANDOM,
  NAME,
  openFsRegistry,
  register,
  vet,
} from './deploy-helpers.ts';
import { type GitHubEmulator, startEmulator } from './emulator/index.ts';
import { ROOT, runBuiltAction, tempDir } from './helpers.ts';

/**
 * The built deploy action, run as the runner runs it, against the real model server on loopback
 * and the GitHub API emulator: each deploy is recorded as a GitHub Deployment for the
 * environment, with an in_progress status and then success (with the live URL) or failure
 * (with why), the way the repository's Environments page shows them.
 */
const work = tempDir('modelgate-deploy-action-');
const root = join(work, 'registry');
const spec = `fs:${root}`;
const TOKEN = 'action-test-admin-token';
const REPO = 'octo/models';
const RUN_ID = '4242';
let gh: GitHubEmulator;
let server: RunningServer;
let main: string;
let sha: string;
let good: number;
let random: number;
let improved: number;

beforeAll(async () => {
  good = await register(spec, await vet(work, 'a', MODEL_A, '  accuracy: { min: 0.5 }\n'));
  random = await register(spec, await vet(work, 'random', MODEL_RANDOM, '  accuracy: { min: 0.0 }\n'));
  improved = await register(spec, await vet(work, 'b', MODEL_B, '  accuracy: { min: 0.5 }\n'));
  // Both wires: the deploys with input wire: grpc send their smoke rows to the gRPC port.
  server = await startServer({ registry: openFsRegistry(root), port: 0, grpcPort: 0, adminToken: TOKEN });
  gh = await startEmulator();
  const repo = gh.addRepo(REPO);
  sha = gh.store.resolveCommit(repo, 'main')?.sha ?? '';
  // A fresh copy of the built action, as a runner checks it out. Its smoke check finds
  // onnxruntime-node through MODELGATE_ONNXRUNTIME_PATH (runBuiltAction points it at this repository).
  const dist = join(work, 'action', 'dist');
  await copyBuiltAction(join(ROOT, 'actions', 'deploy', 'dist'), dist);
  main = join(dist, 'index.js');
  writeFileSync(join(work, 'event.json'), JSON.stringify({ ref: 'refs/heads/main', after: sha }));
});

/**
 * Copies the built action once its bundle is whole. Another vitest run on the same checkout (its
 * global setup rebuilds every bundle) may have emptied dist/ a moment ago: wait for it.
 */
async function copyBuiltAction(from: string, to: string): Promise<void> {
  const bundle = join(from, 'index.js');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const size = existsSync(bundle) ? statSync(bundle).size : 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (
      size > 0 &&
      existsSync(bundle) &&
      statSync(bundle).size === size &&
      existsSync(join(from, 'worker.js'))
    ) {
      rmSync(to, { recursive: true, force: true });
      cpSync(from, to, { recursive: true });
      if (existsSync(join(to, 'index.js')) && statSync(join(to, 'index.js')).size === size) return;
    }
    if (Date.now() > deadline) throw new Error(`no whole bundle at ${bundle} (run npm run build)`);
  }
}

afterAll(async () => {
  await server?.close();
  await gh?.close();
});

function runDeploy(ref: number, token: string, extra: Record<string, string> = {}) {
  return runBuiltAction(main, {
    cwd: work,
    actionYml: join(ROOT, 'actions', 'deploy', 'action.yml'),
    token,
    inputs: {
      name: NAME,
      ref: String(ref),
      target: 'server',
      url: server.url,
      registry: spec,
      'smoke-data': DATA,
      ...extra,
    },
    env: {
      MODELGATE_ADMIN_TOKEN: TOKEN,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(work, 'event.json'),
      GITHUB_REPOSITORY: REPO,
      GITHUB_SHA: sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: RUN_ID,
    },
  });
}

const runUrl = `https://github.com/${REPO}/actions/runs/${RUN_ID}`;

/** The deployments of the repository as the API lists them, each with its statuses oldest first. */
async function deployments(token: string) {
  const headers = { authorization: `Bearer ${token}` };
  const list = (await (await fetch(`${gh.url}/repos/${REPO}/deployments`, { headers })).json()) as Array<{
    id: number;
    environment: string;
    sha: string;
    payload: { modelgate?: { version?: number } };
  }>;
  return Promise.all(
    list.map(async (d) => {
      const statuses = (await (
        await fetch(`${gh.url}/repos/${REPO}/deployments/${d.id}/statuses`, { headers })
      ).json()) as Array<{
        state: string;
        description: string;
        environment_url: string;
        log_url: string;
      }>;
      return { ...d, statuses: statuses.reverse() };
    }),
  );
}

describe('the deploy action', () => {
  it('deploys and records a Deployment with in_progress, then success with the live URL', async () => {
    const token = gh.token('write');
    const run = await runDeploy(good, token);
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      deployed: 'true',
      version: String(good),
      url: `${server.url}/v2/models/${NAME}`,
    });
    const [recorded] = await deployments(token);
    expect(recorded).toMatchObject({
      environment: 'production',
      sha,
      payload: { modelgate: { version: good } },
    });
    expect(run.outputs['deployment-id']).toBe(String(recorded?.id));
    expect(recorded?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(recorded?.statuses[1]).toMatchObject({
      environment_url: `${server.url}/v2/models/${NAME}`,
      log_url: runUrl,
      description: `${NAME} v${good} is live`,
    });
    const create = gh.callsTo('POST', /\/deployments$/)[0];
    expect(create?.body).toMatchObject({
      ref: sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
    });
    expect(run.summary).toMatch(/modelgate deploy \(production\): deployed cancer v\d+/);
    expect((await adminState(server.url, TOKEN)).primary?.version).toBe(good);
  });

  it('a failed smoke check rolls back, fails the step, and records failure with the reason', async () => {
    const token = gh.token('write');
    const run = await runDeploy(random, token);
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/::error::rolled back: the deploy of cancer v\d+ failed: the smoke check failed/);
    expect(run.outputs.deployed).toBe('false');
    const [latest] = await deployments(token);
    expect(run.outputs['deployment-id']).toBe(String(latest?.id));
    expect(latest?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(latest?.statuses[1]?.description).toMatch(/^rolled back: the smoke check failed/);
    expect(latest?.statuses[1]?.description.length).toBeLessThanOrEqual(140);
    expect((await adminState(server.url, TOKEN)).primary?.version).toBe(good);
  });

  it('a token that cannot write deployments fails the step before the server is touched', async () => {
    const before = await adminState(server.url, TOKEN);
    const run = await runDeploy(random, gh.token('read-only'));
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      /::error::GitHub refused to record a deployment in octo\/models \(403: Resource not accessible by integration\)/,
    );
    expect(run.log).toMatch(/hint: the workflow token needs 'permissions: deployments: write'/);
    expect(await adminState(server.url, TOKEN)).toEqual(before);
  });

  it('with wire: grpc, a smoke check whose gRPC answers differ rolls back and records failure', async () => {
    const token = gh.token('write');
    const run = await runDeploy(random, token, { wire: 'grpc', 'grpc-url': server.grpcUrl ?? '' });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      new RegExp(
        `::error::rolled back: the deploy of cancer v${random} failed: the smoke check failed: \\d+ output value\\(s\\) from ${server.grpcUrl} ModelInfer cancer v${random} differ`,
      ),
    );
    const [latest] = await deployments(token);
    expect(latest?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect((await adminState(server.url, TOKEN)).primary?.version).toBe(good);
  });

  it('with wire: grpc, smoke-checks over gRPC with raw tensors and deploys', async () => {
    const token = gh.token('write');
    const run = await runDeploy(improved, token, { wire: 'grpc', 'grpc-url': server.grpcUrl ?? '' });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.log).toContain(
      `smoke: 200 rows through ${server.grpcUrl} ModelInfer cancer v${improved} agree with the registered model`,
    );
    expect(run.outputs).toMatchObject({ deployed: 'true', version: String(improved) });
    const [latest] = await deployments(token);
    expect(latest?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect((await adminState(server.url, TOKEN)).primary?.version).toBe(improved);
  });

  it('with wire: grpc and no grpc-url, fails naming both inputs, before the server is touched', async () => {
    const before = await adminState(server.url, TOKEN);
    const run = await runDeploy(improved, gh.token('write'), { wire: 'grpc' });
    expect(run.code).toBe(1);
    expect(run.log).toContain(
      "::error::input 'wire' grpc needs input 'grpc-url': where the model server speaks gRPC",
    );
    expect(await adminState(server.url, TOKEN)).toEqual(before);
  });
});
