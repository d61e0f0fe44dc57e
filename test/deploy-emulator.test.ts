import { silentLogger } from '@modelgate/core';
import { createGitHubClient, githubDeploymentRecorder } from '@modelgate/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startEmulator } from './emulator/index.ts';

/**
 * The emulator's Deployments API, which the deploy action's tests rely on, behaves as GitHub's
 * does where it matters to a client: refs must exist, descriptions are capped, earlier
 * successful deployments to a non-production environment go inactive, lists filter newest first.
 * (Plain fetch here: Octokit spaces writes a second apart, as GitHub asks of real clients.)
 */
const REPO = 'octo/models';
let gh: GitHubEmulator;
let sha: string;
let token: string;

beforeAll(async () => {
  gh = await startEmulator();
  sha = gh.store.resolveCommit(gh.addRepo(REPO), 'main')?.sha ?? '';
  token = gh.token('write');
});
afterAll(async () => {
  await gh?.close();
});

async function api(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${gh.url}/repos/${REPO}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & Array<Record<string, unknown>>,
  };
}

async function deployOnce(environment: string, state: string): Promise<number> {
  const created = await api('POST', '/deployments', { ref: 'main', environment, required_contexts: [] });
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  expect((await api('POST', `/deployments/${id}/statuses`, { state: 'in_progress' })).status).toBe(201);
  expect((await api('POST', `/deployments/${id}/statuses`, { state })).status).toBe(201);
  return id;
}

describe('the Deployments API of the emulator', () => {
  it('refuses a ref that does not exist, with GitHub’s message, which the recorder passes on', async () => {
    const client = createGitHubClient({ token, baseUrl: gh.url, logger: silentLogger, retries: 0 });
    const recorder = githubDeploymentRecorder({
      client,
      owner: 'octo',
      repo: 'models',
      ref: 'no-such-branch',
      logUrl: undefined,
      logger: silentLogger,
    });
    await expect(
      recorder.start({
        environment: 'production',
        name: 'churn',
        version: 1,
        sha256: 'f'.repeat(64),
        description: 'churn v1',
      }),
    ).rejects.toThrow(
      'GitHub refused to record a deployment in octo/models (422: No ref found for: no-such-branch)',
    );
  });

  it('marks earlier successful deployments to the same non-production environment inactive', async () => {
    const first = await deployOnce('staging', 'success');
    const second = await deployOnce('staging', 'success');
    const states = async (id: number) =>
      (await api('GET', `/deployments/${id}/statuses`)).body.map((s) => s.state);
    expect(await states(first)).toEqual(['inactive', 'success', 'in_progress']);
    expect(await states(second)).toEqual(['success', 'in_progress']);
    const listed = (await api('GET', '/deployments?environment=staging')).body;
    expect(listed.map((d) => d.id)).toEqual([second, first]);
    expect(listed[0]).toMatchObject({
      sha,
      ref: 'main',
      task: 'deploy',
      environment: 'staging',
      production_environment: false,
    });
  });

  it('keeps production deployments as they are, and caps a status description at 140 characters', async () => {
    const first = await deployOnce('production', 'success');
    await deployOnce('production', 'success');
    expect((await api('GET', `/deployments/${first}/statuses`)).body.map((s) => s.state)).toEqual([
      'success',
      'in_progress',
    ]);
    const tooLong = await api('POST', `/deployments/${first}/statuses`, {
      state: 'failure',
      description: 'x'.repeat(141),
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors).toEqual([
      expect.objectContaining({
        field: 'description',
        message: 'description is too long (maximum is 140 characters)',
      }),
    ]);
    expect((await api('POST', `/deployments/${first}/statuses`, { state: 'done' })).status).toBe(422);
  });
});
