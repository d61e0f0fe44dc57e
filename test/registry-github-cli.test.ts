import { join } from 'node:path';
import { readEvaluationRecord, readVerdictRecord } from '@modelgate/core';
import { createGitHubRegistry } from '@modelgate/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, testClient } from '../packages/github/src/registry/testing.ts';
import { type GitHubEmulator, startEmulator } from './emulator/index.ts';
import { cli, tempDir } from './helpers.ts';
import { EVALUATE_FLAGS, MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * The CLI's `--registry github:OWNER/REPO`: the token from GITHUB_TOKEN or GH_TOKEN, the API from
 * GITHUB_API_URL, the GitHub backend behind the same commands, against the GitHub API emulator.
 */
const dir = tempDir('modelgate-registry-gh-cli-');
const REPO = 'acme/models';
let gh: GitHubEmulator;
let records: RegistryRecords;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  records = await makeRecords(dir);
  gh = await startEmulator();
  gh.addRepo(REPO, { defaultBranch: 'main' });
  env = { GITHUB_TOKEN: gh.token('write'), GITHUB_API_URL: gh.url };
  // Seeded through the backend with the test client: the real client spaces writes seconds apart.
  const registry = createGitHubRegistry({
    owner: 'acme',
    repo: 'models',
    client: testClient({ token: gh.token('write'), baseUrl: gh.url }),
    logger: quietLogger,
  });
  await registry.register({
    name: 'cancer',
    modelPath: MODEL_A,
    evaluation: await readEvaluationRecord(records.evalA, 'a'),
    verdict: await readVerdictRecord(records.passA),
    lineage: { commit: 'f'.repeat(40) },
    alias: 'production',
    requirePassed: true,
  });
});

afterAll(async () => {
  await gh?.close();
});

describe('the CLI on a github: registry', () => {
  it('shows and lists versions with the token from GITHUB_TOKEN or GH_TOKEN', async () => {
    const shown = await cli(
      ['registry', 'show', 'cancer@production', '--registry', `github:${REPO}`, '--json'],
      dir,
      env,
    );
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      name: 'cancer',
      version: 1,
      aliases: ['production'],
      lineage: { commit: 'f'.repeat(40) },
    });
    const listed = await cli(['registry', 'list', 'cancer', '--registry', `github:${REPO}`], dir, {
      GH_TOKEN: gh.token('read-only'),
      GITHUB_API_URL: gh.url,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^cancer: 1 version in github:acme\/models\n/);
  });

  it('compares paired against the production model fetched from the release asset', async () => {
    const out = join(dir, 'verdict.json');
    const result = await cli(
      [
        'compare',
        '--model',
        MODEL_B,
        '--baseline',
        'registry:production',
        '--registry',
        `github:${REPO}`,
        ...EVALUATE_FLAGS,
        '--gates',
        records.gates,
        '--out',
        out,
      ],
      dir,
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /fetching the baseline cancer v1 \(production\), .* from github:acme\/models/,
    );
  });

  it('fetches a model file with its digest checked', async () => {
    const result = await cli(
      ['registry', 'fetch', 'cancer@1', '--registry', `github:${REPO}`, '--out', 'fetched.onnx'],
      dir,
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote cancer v1 \(sha256 [0-9a-f]{64}, checked\) to fetched\.onnx\n$/);
  });
});
