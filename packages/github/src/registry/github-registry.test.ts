import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InputError,
  type Lineage,
  type ModelVersion,
  type RegisterRequest,
  type Registry,
  sha256,
  type Verdict,
} from '@modelgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startEmulator, webhookExample } from '../../../../test/emulator/index.ts';
import { readGitHubContext } from '../context.ts';
import { lineageFromContext } from './access.ts';
import { createGitHubRegistry, DEFAULT_REGISTRY_BRANCH, type RegistryIndex } from './index.ts';
import { evaluationOf, quietLogger, testClient, verdictOf } from './testing.ts';

const payload = webhookExample('pull_request', 'opened'); // Codertocat/Hello-World#2
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const FULL_NAME = `${OWNER}/${REPO}`;

let gh: GitHubEmulator;
let dir: string;
let models = 0;

beforeEach(async () => {
  gh = await startEmulator();
  gh.addRepo(FULL_NAME, { defaultBranch: payload.repository.default_branch });
  gh.addPullRequestFromPayload(payload);
  dir = await mkdtemp(join(tmpdir(), 'modelgate-gh-registry-'));
});
afterEach(async () => {
  await gh.close();
  await rm(dir, { recursive: true, force: true });
});

function registry(options: { token?: string; logger?: typeof quietLogger; retries?: number } = {}): Registry {
  const client = testClient({
    token: options.token ?? gh.token('write'),
    baseUrl: gh.url,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  return createGitHubRegistry({ owner: OWNER, repo: REPO, client, logger: options.logger ?? quietLogger });
}

/** A model file with its own bytes, and a request to register it that passes every check. */
async function request(
  fields: {
    name?: string;
    alias?: string;
    lineage?: Partial<Lineage>;
    baseline?: ModelVersion;
    verdict?: (digest: string) => Verdict | null;
    requirePassed?: boolean;
  } = {},
): Promise<RegisterRequest & { digest: string; bytes: Buffer }> {
  const bytes = Buffer.from(`onnx model #${++models} ${'x'.repeat(200)}`);
  const digest = sha256(bytes);
  const modelPath = join(dir, `model-${models}.onnx`);
  await writeFile(modelPath, bytes);
  const baseline =
    fields.baseline === undefined
      ? null
      : {
          sha256: fields.baseline.sha256,
          ref: `registry:${fields.baseline.aliases[0] ?? fields.baseline.version}`,
        };
  return {
    name: fields.name ?? 'churn',
    modelPath,
    evaluation: evaluationOf(digest),
    verdict: fields.verdict === undefined ? verdictOf(digest, true, baseline) : fields.verdict(digest),
    lineage: fields.lineage ?? {},
    requirePassed: fields.requirePassed ?? true,
    ...(fields.alias === undefined ? {} : { alias: fields.alias }),
    digest,
    bytes,
  };
}

/** The registry's files on its branch, as the emulator stores them. */
function branchFile(path: string): string | undefined {
  const repo = gh.store.repo(OWNER, REPO);
  if (repo === undefined) return undefined;
  const commit = gh.store.resolveCommit(repo, DEFAULT_REGISTRY_BRANCH);
  const blob = commit?.files.get(path);
  return blob === undefined ? undefined : gh.store.git(repo).blobs.get(blob)?.toString('utf8');
}

function index(name = 'churn'): RegistryIndex {
  return JSON.parse(branchFile(`models/${name}/index.json`) ?? 'null') as RegistryIndex;
}

function releases() {
  const repo = gh.store.repo(OWNER, REPO);
  return repo === undefined ? [] : gh.store.releasesOf(repo);
}

describe('GitHub registry: register, alias, show, list', () => {
  it('stores versions with lineage from a pull_request run, and reads them back by number, alias and latest', async () => {
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify(payload));
    const context = readGitHubContext({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: FULL_NAME,
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'https://github.com',
    });
    const lineage = { ...lineageFromContext(context), params: { lr: 0.01 } };
    const models = registry();

    const first = await models.register(await request({ alias: 'production', lineage }));
    const secondRequest = await request({ baseline: first, lineage });
    const second = await models.register(secondRequest);

    expect(first).toMatchObject({
      schema: 'modelgate/model-version@1',
      name: 'churn',
      version: 1,
      aliases: ['production'],
    });
    expect(second).toMatchObject({
      version: 2,
      sha256: secondRequest.digest,
      bytes: secondRequest.bytes.length,
      aliases: [],
      url: 'https://github.com/Codertocat/Hello-World/releases/tag/modelgate/churn/v2',
      lineage: {
        commit: 'f'.repeat(40),
        ref: 'refs/pull/2/merge',
        run_url: 'https://github.com/Codertocat/Hello-World/actions/runs/4242',
        pr: 2,
        parent_version: 1,
        data_sha256: 'd'.repeat(64),
        params: { lr: 0.01 },
        training: null,
      },
      verdict: { passed: true, candidate: { sha256: secondRequest.digest } },
      evaluation: { model: { sha256: secondRequest.digest } },
    });

    const reader = registry();
    expect(await reader.resolve('churn', 'production')).toEqual(first);
    expect(await reader.resolve('churn', 'latest')).toEqual(second);
    expect(await reader.resolve('churn', '2')).toEqual(second);
    expect((await reader.list('churn')).map((v) => [v.version, v.aliases])).toEqual([
      [1, ['production']],
      [2, []],
    ]);

    const moved = await reader.setAlias('churn', 'production', 2);
    expect(moved.aliases).toEqual(['production']);
    await reader.setAlias('churn', 'champion', 1);
    expect((await reader.list('churn')).map((v) => [v.version, v.aliases])).toEqual([
      [1, ['champion']],
      [2, ['production']],
    ]);
    await reader.removeAlias('churn', 'champion');
    await expect(reader.resolve('churn', 'champion')).rejects.toThrow(
      "model 'churn' has no alias 'champion' (aliases: production → v2)",
    );
    expect(Buffer.from(await reader.fetchModel(second))).toEqual(secondRequest.bytes);
  });

  it('keeps the index and the records on their own branch, made from the default branch, and one release per version', async () => {
    const models = registry();
    const version = await models.register(await request({ alias: 'production' }));

    const repo = gh.store.repo(OWNER, REPO);
    if (repo === undefined) throw new Error('no repo');
    const git = gh.store.git(repo);
    const master = git.refs.get('refs/heads/master') as string;
    const branch = gh.store.resolveCommit(repo, DEFAULT_REGISTRY_BRANCH);
    expect([...(branch?.files.keys() ?? [])].sort()).toEqual([
      'README.md',
      'models/churn/index.json',
      'models/churn/versions/1-32.json',
    ]);
    // Three commits on top of master's head: the claim, the record, the alias.
    let commit = branch;
    const messages: string[] = [];
    while (commit !== undefined && commit.sha !== master) {
      messages.push(commit.message.split('\n')[0] ?? '');
      expect(commit.message).toMatch(/\n\n\[skip ci\]$/);
      commit = git.commits.get(commit.parents[0] ?? '');
    }
    expect(messages.reverse()).toEqual([
      'modelgate: claim churn v1',
      'modelgate: register churn v1',
      'modelgate: churn alias production → v1',
    ]);
    expect(index()).toEqual({
      schema: 'modelgate/github-registry-index@1',
      name: 'churn',
      page_size: 32,
      last_claimed: 1,
      claim: expect.stringMatching(/^[0-9a-f-]{36}$/),
      aliases: { production: 1 },
    });

    const [release] = releases();
    expect(release).toMatchObject({ tagName: 'modelgate/churn/v1', name: 'churn v1', draft: false });
    expect(release?.assets.map((asset) => [asset.name, sha256(asset.bytes)])).toEqual([
      ['churn-v1.onnx', version.sha256],
    ]);
    expect(release?.body).toContain('Model **churn** version **1**');
    expect(release?.body).toContain(version.sha256);
    // The tag marks the registry commit that claimed the version.
    const tagged = git.refs.get('refs/tags/modelgate/churn/v1');
    expect(git.commits.get(tagged ?? '')?.message).toMatch(/^modelgate: claim churn v1\n/);
  });

  it('names what is missing: an unknown model (with a suggestion), alias or version', async () => {
    const models = registry();
    await models.register(await request({ alias: 'production' }));

    await expect(models.resolve('chrun', 'latest')).rejects.toThrow(
      "no model named 'chrun' in the registry github:Codertocat/Hello-World (models: churn)",
    );
    await expect(models.resolve('churn', 'prodution')).rejects.toMatchObject({
      hint: "did you mean 'production'?",
    });
    await expect(models.resolve('churn', '7')).rejects.toThrow(
      "model 'churn' has no version 7: its versions go up to 1",
    );
    await expect(models.setAlias('churn', 'champion', 3)).rejects.toThrow("model 'churn' has no version 3");
    await expect(models.resolve('churn', 'Not A Ref')).rejects.toThrow(InputError);
  });
});

describe('GitHub registry: races', () => {
  it('gives 8 registers racing from 8 clients the versions 1..8, with an intact index and 8 releases', async () => {
    const requests = await Promise.all(Array.from({ length: 8 }, () => request()));
    const registered = await Promise.all(requests.map((r) => registry().register(r)));

    expect(registered.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each model got its own number: the digest registered under a number is that request's.
    for (const [i, version] of registered.entries()) expect(version.sha256).toBe(requests[i]?.digest);
    expect(index()).toMatchObject({ last_claimed: 8, aliases: {} });
    const listed = await registry().list('churn');
    expect(listed.map((v) => [v.version, v.sha256])).toEqual(
      [...registered].sort((a, b) => a.version - b.version).map((v) => [v.version, v.sha256]),
    );
    expect(
      releases()
        .map((r) => r.tagName)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `modelgate/churn/v${n}`).sort());
    expect(releases().every((r) => !r.draft && r.assets.length === 1)).toBe(true);
    // They did race: index writes lost (422 for a file created meanwhile, 409 for a stale sha) and were retried.
    const lost = gh.callsTo('PUT', /index\.json$/).filter((c) => c.status === 409 || c.status === 422);
    expect(lost.length).toBeGreaterThan(0);
  });

  it('leaves an alias on the highest version when 8 registers race to move it, and moves it back only when allowed', async () => {
    const requests = await Promise.all(Array.from({ length: 8 }, () => request()));
    const registered = await Promise.all(
      requests.map((r) => registry().register({ ...r, alias: 'champion' })),
    );
    expect(registered.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(index()).toMatchObject({ last_claimed: 8, aliases: { champion: 8 } });
    expect(registered.find((v) => v.version === 8)?.aliases).toEqual(['champion']);

    await expect(registry().setAlias('churn', 'champion', 3)).rejects.toThrow(
      "alias 'champion' of model 'churn' names v8; moving it to v3 would move it back",
    );
    expect(index()).toMatchObject({ aliases: { champion: 8 } });
    expect((await registry().setAlias('churn', 'champion', 3, { allowDowngrade: true })).aliases).toEqual([
      'champion',
    ]);
    expect(index()).toMatchObject({ aliases: { champion: 3 } });
  });

  it('re-reads the index and retries when its write meets a 409', async () => {
    gh.fail({ method: 'PUT', path: /\/contents\/models%2Fchurn%2Findex\.json$/, status: 409 });
    const version = await registry().register(await request());

    expect(version.version).toBe(1);
    const onIndex = gh.calls.filter((c) => /index\.json$/.test(c.path)).map((c) => `${c.method} ${c.status}`);
    expect(onIndex).toEqual(['GET 404', 'PUT 409', 'GET 404', 'PUT 201']);
  });

  it('lets the client retry a 5xx on reads and uploads, and re-reads after a 5xx on a compare-and-swap write', async () => {
    gh.fail({ method: 'GET', path: /index\.json$/, status: 503 });
    gh.fail({ method: 'POST', path: /\/assets$/, status: 502 });
    gh.fail({ method: 'PUT', path: /versions%2F1-32\.json$/, status: 503 });
    const version = await registry().register(await request());

    expect(version.version).toBe(1);
    expect(gh.callsTo('GET', /index\.json$/).map((c) => c.status)).toEqual([503, 404]);
    expect(gh.callsTo('POST', /\/assets$/).map((c) => c.status)).toEqual([502, 201]);
    expect(gh.calls.filter((c) => /1-32\.json$/.test(c.path)).map((c) => `${c.method} ${c.status}`)).toEqual([
      'GET 404',
      'PUT 503',
      'GET 404',
      'PUT 201',
    ]);
  });

  it('makes each step once when GitHub did it but the answer was lost', async () => {
    // The claim, the draft release and the upload each land, and each answers 502.
    gh.fail({ method: 'PUT', path: /index\.json$/, status: 502, lands: true });
    gh.fail({ method: 'POST', path: /\/releases$/, status: 502, lands: true });
    gh.fail({ method: 'POST', path: /\/assets$/, status: 502, lands: true });
    const registered = await registry().register(await request());

    expect(registered.version).toBe(1);
    expect(index()).toMatchObject({ last_claimed: 1 });
    expect(releases().map((r) => [r.tagName, r.draft, r.assets.length])).toEqual([
      ['modelgate/churn/v1', false, 1],
    ]);
    // The claim was recognised on the re-read; the draft was found instead of made again.
    expect(gh.callsTo('PUT', /index\.json$/).map((c) => c.status)).toEqual([502]);
    expect(gh.callsTo('POST', /\/releases$/).map((c) => c.status)).toEqual([502]);
    expect(gh.callsTo('GET', /\/releases$/).map((c) => c.status)).toEqual([200]);
    expect(gh.callsTo('POST', /\/assets$/).map((c) => c.status)).toEqual([502, 422]);
  });

  it('moves and removes an alias once when the answer was lost', async () => {
    const models = registry();
    await models.register(await request());
    gh.fail({ method: 'PUT', path: /index\.json$/, status: 502, lands: true, times: 2 });

    expect((await models.setAlias('churn', 'production', 1)).aliases).toEqual(['production']);
    await models.removeAlias('churn', 'production');
    expect(index().aliases).toEqual({});
  });

  it('creates the draft release again when a 5xx answered before it was made', async () => {
    gh.fail({ method: 'POST', path: /\/releases$/, status: 503 });
    const registered = await registry().register(await request());
    expect(registered.version).toBe(1);
    expect(gh.callsTo('POST', /\/releases$/).map((c) => c.status)).toEqual([503, 201]);
    expect(releases()).toHaveLength(1);
  });

  it('does not retry a write that a ruleset refuses, and says what to change', async () => {
    gh.fail({
      method: 'PUT',
      path: /index\.json$/,
      status: 409,
      body: {
        message: 'Repository rule violations found\n\nChanges must be made through a pull request.\n\n',
      },
    });
    const rejection = registry().register(await request());
    await expect(rejection).rejects.toThrow(/GitHub answered 409 \(Repository rule violations found/);
    await expect(rejection).rejects.toMatchObject({ hint: expect.stringContaining('ruleset') });
    expect(gh.callsTo('PUT', /index\.json$/)).toHaveLength(1);
  });

  it('gives up after its attempts with an error that says so', async () => {
    gh.fail({ method: 'PUT', path: /index\.json$/, status: 409, times: Number.POSITIVE_INFINITY });
    const models = createGitHubRegistry({
      owner: OWNER,
      repo: REPO,
      client: testClient({ token: gh.token('write'), baseUrl: gh.url }),
      logger: quietLogger,
      backoff: { attempts: 3, baseMs: 1, maxMs: 2 },
    });
    await expect(models.register(await request())).rejects.toThrow(
      'gave up writing models/churn/index.json on branch modelgate-registry of Codertocat/Hello-World after 3 attempts: another writer changed it first',
    );
    expect(releases()).toEqual([]);
  });
});

describe('GitHub registry: integrity', () => {
  it('detects a model file changed after registering, naming both digests', async () => {
    const models = registry();
    const version = await models.register(await request());
    const asset = releases()[0]?.assets[0];
    if (asset === undefined) throw new Error('no asset');
    asset.bytes = Buffer.from('a different model');
    const tampered = sha256(asset.bytes);

    await expect(models.fetchModel(version)).rejects.toThrow(
      `the model file of churn v1 (asset churn-v1.onnx of release modelgate/churn/v1 in github:Codertocat/Hello-World) has sha256 ${tampered}, but the registry recorded ${version.sha256}: it was changed after it was registered`,
    );
    // Downloaded through the API's redirect to the storage host.
    expect(gh.calls.slice(-2).map((c) => `${c.method} ${c.path.replace(/\d+/g, 'N')} ${c.status}`)).toEqual([
      'GET /repos/Codertocat/Hello-World/releases/assets/N 302',
      'GET /_storage/release-assets/N 200',
    ]);
  });

  it('refuses a verdict that did not pass, or one about another model, without a single call to GitHub', async () => {
    const models = registry();
    const failed = await request({ verdict: (digest) => verdictOf(digest, false) });
    await expect(models.register(failed)).rejects.toThrow(
      `refusing to register ${failed.modelPath}: the verdict did not pass: accuracy max_drop fail`,
    );
    const other = await request({ verdict: () => verdictOf('e'.repeat(64), true) });
    await expect(models.register(other)).rejects.toThrow(
      `the verdict is about the model with sha256 ${'e'.repeat(64)}`,
    );
    const unevaluated = { ...(await request()), evaluation: evaluationOf('e'.repeat(64)) };
    await expect(models.register(unevaluated)).rejects.toThrow('the evaluation is of the model with sha256');

    expect(gh.calls).toEqual([]);
    expect(releases()).toEqual([]);
  });

  it('registers a failed verdict when require-passed is false', async () => {
    const version = await registry().register(
      await request({ verdict: (digest) => verdictOf(digest, false), requirePassed: false }),
    );
    expect(version).toMatchObject({ version: 1, verdict: { passed: false } });
  });

  it('undoes a register whose upload fails: no release, no record, and the number is handed back', async () => {
    const warnings: string[] = [];
    const models = registry({ logger: { info() {}, warning: (m) => warnings.push(m) }, retries: 1 });
    gh.fail({ method: 'POST', path: /\/assets$/, status: 500, times: 2 });

    await expect(models.register(await request())).rejects.toThrow(
      /GitHub answered 500 .* while uploading churn-v1.onnx/,
    );
    expect(releases()).toEqual([]);
    expect(index()).toMatchObject({ last_claimed: 0, claim: null });
    expect(branchFile('models/churn/versions/1-32.json')).toBeUndefined();
    expect(warnings).toEqual([]);

    const retried = await models.register(await request());
    expect(retried.version).toBe(1);
  });

  it('tells a read-only token (a fork PR) how to get write access, and leaves nothing behind', async () => {
    const models = registry({ token: gh.token('read-only') });
    const rejection = models.register(await request());
    await expect(rejection).rejects.toThrow(
      /GitHub answered 403 \(Resource not accessible by integration\) while creating branch modelgate-registry/,
    );
    await expect(rejection).rejects.toMatchObject({ hint: expect.stringContaining('contents: write') });
    expect(releases()).toEqual([]);
  });
});
