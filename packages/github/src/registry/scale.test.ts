import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_VERSION_SCHEMA, sha256 } from '@modelgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, type RecordedCall, startEmulator } from '../../../../test/emulator/index.ts';
import { createGitHubRegistry } from './index.ts';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_REGISTRY_BRANCH,
  encodeIndex,
  encodePage,
  INDEX_SCHEMA,
  indexPath,
  PAGE_SCHEMA,
  type PagedVersion,
  pagePath,
} from './layout.ts';
import { evaluationOf, quietLogger, testClient, verdictOf } from './testing.ts';

let gh: GitHubEmulator;
let dir: string;

beforeEach(async () => {
  gh = await startEmulator();
  gh.addRepo('octo/models');
  dir = await mkdtemp(join(tmpdir(), 'modelgate-gh-scale-'));
});
afterEach(async () => {
  await gh.close();
  await rm(dir, { recursive: true, force: true });
});

const digestOf = (version: number) => sha256(Buffer.from(`seeded model ${version}`));

/**
 * Writes a registry of `count` versions straight into the emulator's git store, as registers
 * would have left it (the `production` alias on the last one), in one commit.
 */
/** The registry over the seeded repository, as a writer opens it. */
function seededRegistry() {
  return createGitHubRegistry({
    owner: 'octo',
    repo: 'models',
    client: testClient({ token: gh.token('write'), baseUrl: gh.url }),
    logger: quietLogger,
  });
}

function seed(count: number): void {
  const repo = gh.store.repo('octo', 'models');
  if (repo === undefined) throw new Error('no repo');
  const git = gh.store.git(repo);
  git.refs.set(`refs/heads/${DEFAULT_REGISTRY_BRANCH}`, git.refs.get('refs/heads/main') as string);
  const files: Record<string, Uint8Array> = {
    [indexPath('churn')]: encodeIndex({
      schema: INDEX_SCHEMA,
      name: 'churn',
      page_size: DEFAULT_PAGE_SIZE,
      last_claimed: count,
      claim: null,
      aliases: { production: count },
    }),
  };
  for (let first = 1; first <= count; first += DEFAULT_PAGE_SIZE) {
    const versions: PagedVersion[] = [];
    for (let version = first; version < first + DEFAULT_PAGE_SIZE && version <= count; version++) {
      const tag = `modelgate/churn/v${version}`;
      versions.push({
        schema: MODEL_VERSION_SCHEMA,
        name: 'churn',
        version,
        sha256: digestOf(version),
        bytes: 381,
        created_at: '2026-01-05T09:00:00Z',
        lineage: {
          commit: 'c'.repeat(40),
          ref: 'refs/heads/main',
          run_url: null,
          pr: null,
          parent_version: version > 1 ? version - 1 : null,
          data_sha256: 'd'.repeat(64),
          params: null,
          training: null,
        },
        evaluation: null,
        verdict: null,
        url: `https://github.com/octo/models/releases/tag/${tag}`,
        release: { id: version, tag, asset_id: version, asset_name: `churn-v${version}.onnx` },
      });
    }
    files[pagePath('churn', first, DEFAULT_PAGE_SIZE)] = encodePage({
      schema: PAGE_SCHEMA,
      name: 'churn',
      first,
      last: first + DEFAULT_PAGE_SIZE - 1,
      versions,
    });
  }
  gh.store.commitFiles(repo, DEFAULT_REGISTRY_BRANCH, files, `seed ${count} versions`, repo.owner);
}

/** The calls one register makes: a new model gated against `production`, the usual merge to main. */
async function registerAgainstProduction(existing: number): Promise<RecordedCall[]> {
  const bytes = Buffer.from(`candidate after ${existing}`);
  const digest = sha256(bytes);
  const modelPath = join(dir, `candidate-${existing}.onnx`);
  await writeFile(modelPath, bytes);
  const registry = seededRegistry();
  const before = gh.calls.length;
  const version = await registry.register({
    name: 'churn',
    modelPath,
    evaluation: evaluationOf(digest),
    verdict: verdictOf(digest, true, { sha256: digestOf(existing), ref: 'registry:production' }),
    lineage: {},
    requirePassed: true,
  });
  expect(version).toMatchObject({ version: existing + 1, lineage: { parent_version: existing } });
  return gh.calls.slice(before);
}

const shape = (calls: RecordedCall[]) => calls.map((call) => `${call.method} ${call.route} ${call.status}`);

describe('GitHub registry: scale', () => {
  it('makes the same 7 API calls per register at 10 and at 10,000 existing versions', async () => {
    seed(10);
    const atTen = await registerAgainstProduction(10);
    await gh.close();
    gh = await startEmulator();
    gh.addRepo('octo/models');
    seed(10_000);
    const started = Date.now();
    const atTenThousand = await registerAgainstProduction(10_000);
    const elapsed = Date.now() - started;

    expect(shape(atTen)).toEqual([
      'GET GET /repos/{owner}/{repo}/contents/{path} 200', // the index
      'GET GET /repos/{owner}/{repo}/contents/{path} 200', // the baseline's page (its digest: the parent)
      'PUT PUT /repos/{owner}/{repo}/contents/{path} 200', // claim the number
      'POST POST /repos/{owner}/{repo}/releases 201', // a draft release
      'POST POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets 201', // the model file
      'PATCH PATCH /repos/{owner}/{repo}/releases/{release_id} 200', // publish it (the tag appears)
      'PUT PUT /repos/{owner}/{repo}/contents/{path} 200', // the record joins its page
    ]);
    expect(shape(atTenThousand)).toEqual(shape(atTen));
    expect(elapsed).toBeLessThan(5000);
  });

  it('makes one call more when the new version opens a page of its own', async () => {
    seed(DEFAULT_PAGE_SIZE);
    const calls = await registerAgainstProduction(DEFAULT_PAGE_SIZE);
    expect(calls).toHaveLength(8);
    expect(shape(calls).slice(-2)).toEqual([
      'GET GET /repos/{owner}/{repo}/contents/{path} 404',
      'PUT PUT /repos/{owner}/{repo}/contents/{path} 201',
    ]);
  });

  it('resolves an alias in 2 calls at 10,000 versions, and reads the latest through the last page', async () => {
    seed(10_000);
    const registry = seededRegistry();
    const before = gh.calls.length;
    const production = await registry.resolve('churn', 'production');
    expect(production).toMatchObject({ version: 10_000, sha256: digestOf(10_000), aliases: ['production'] });
    expect(gh.calls.length - before).toBe(2);
    expect(await registry.resolve('churn', 'latest')).toEqual(production);
    expect(await registry.resolve('churn', '1')).toMatchObject({
      version: 1,
      sha256: digestOf(1),
      aliases: [],
    });
  });

  it('lists 10,000 versions with one read per page of 32', async () => {
    seed(10_000);
    const registry = seededRegistry();
    const before = gh.calls.length;
    const versions = await registry.list('churn');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(gh.calls.length - before).toBe(1 + Math.ceil(10_000 / DEFAULT_PAGE_SIZE));
  });
});
