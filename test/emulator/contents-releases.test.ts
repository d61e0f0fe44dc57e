import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ContentFile,
  type FileCommit,
  type GitHubEmulator,
  type GitRef,
  type Release,
  type ReleaseAsset,
  startEmulator,
} from './index.ts';

let gh: GitHubEmulator;
let token: string;

beforeEach(async () => {
  gh = await startEmulator();
  token = gh.token('write');
  gh.addRepo('octo/models');
});
afterEach(() => gh.close());

/** A raw HTTP call, to check the emulator at the level GitHub's API is specified. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; auth?: string | null; accept?: string; raw?: Buffer } = {},
) {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/vnd.github+json' };
  const auth = options.auth === undefined ? token : options.auth;
  if (auth !== null) headers.authorization = `token ${auth}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path.startsWith('http') ? path : `${gh.url}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    body: json && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined,
  };
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const contents = (path: string) => `/repos/octo/models/contents/${path}`;

describe('GitHub emulator: contents', () => {
  it("serves a file with git's blob sha, as base64 in 60-character lines, or raw", async () => {
    const text = `${'{"a": 1}\n'.repeat(10)}`;
    await call('PUT', contents('dir/data.json'), { body: { message: 'add', content: base64(text) } });

    const { status, body } = await call('GET', contents('dir/data.json'));
    const file = body as ContentFile;
    expect(status).toBe(200);
    expect(file.sha).toBe(execFileSync('git', ['hash-object', '--stdin'], { input: text }).toString().trim());
    expect(file).toMatchObject({
      type: 'file',
      encoding: 'base64',
      name: 'data.json',
      path: 'dir/data.json',
      size: text.length,
    });
    expect(file.content.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(Buffer.from(file.content, 'base64').toString()).toBe(text);

    const raw = await call('GET', contents('dir%2Fdata.json'), { accept: 'application/vnd.github.raw+json' });
    expect(raw.status).toBe(200);
    expect(raw.bytes.toString()).toBe(text);
    const listing = await call('GET', contents('dir'));
    expect((listing.body as Array<{ name: string; type: string }>).map((e) => [e.name, e.type])).toEqual([
      ['data.json', 'file'],
    ]);
  });

  it('creates (201), updates with the blob sha (200), and answers a missing or stale sha as GitHub does', async () => {
    const created = await call('PUT', contents('index.json'), {
      body: { message: 'one', content: base64('1') },
    });
    expect(created.status).toBe(201);
    const first = created.body as FileCommit;
    expect(first.content?.sha).toBe(createHash('sha1').update('blob 1\u00001').digest('hex'));

    const noSha = await call('PUT', contents('index.json'), {
      body: { message: 'two', content: base64('2') },
    });
    expect(noSha).toMatchObject({
      status: 422,
      body: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' },
    });

    const updated = await call('PUT', contents('index.json'), {
      body: { message: 'two', content: base64('2'), sha: first.content?.sha },
    });
    expect(updated.status).toBe(200);
    const second = updated.body as FileCommit;
    expect(second.commit.parents?.map((p) => p.sha)).toEqual([first.commit.sha]);

    const stale = await call('PUT', contents('index.json'), {
      body: { message: 'three', content: base64('3'), sha: first.content?.sha },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { message: `index.json does not match ${first.content?.sha}`, status: '409' },
    });
    // A sha given for a file that does not exist yet is ignored.
    const fresh = await call('PUT', contents('other.json'), {
      body: { message: 'x', content: base64('x'), sha: 'f'.repeat(40) },
    });
    expect(fresh.status).toBe(201);
  });

  it('writes to and reads from a named branch, and says when the branch or ref does not exist', async () => {
    const missing = await call('PUT', contents('a.json'), {
      body: { message: 'm', content: base64('a'), branch: 'nope' },
    });
    expect(missing).toMatchObject({ status: 404, body: { message: 'Branch nope not found' } });
    const noRef = await call('GET', `${contents('a.json')}?ref=nope`);
    expect(noRef).toMatchObject({ status: 404, body: { message: 'No commit found for the ref nope' } });

    const main = (await call('GET', '/repos/octo/models/git/ref/heads/main')).body as GitRef;
    await call('POST', '/repos/octo/models/git/refs', {
      body: { ref: 'refs/heads/registry', sha: main.object.sha },
    });
    await call('PUT', contents('a.json'), {
      body: { message: 'm', content: base64('a'), branch: 'registry' },
    });
    expect((await call('GET', `${contents('a.json')}?ref=registry`)).status).toBe(200);
    expect((await call('GET', contents('a.json'))).status).toBe(404);
  });

  it("validates a write with GitHub's 422s, and refuses a read-only token", async () => {
    expect(await call('PUT', contents('a.json'), { body: { content: base64('a') } })).toMatchObject({
      status: 422,
      body: { message: 'Invalid request.\n\n"message" wasn\'t supplied.' },
    });
    const readOnly = await call('PUT', contents('a.json'), {
      body: { message: 'm', content: base64('a') },
      auth: gh.token('read-only'),
    });
    expect(readOnly.status).toBe(403);
    expect(readOnly.headers.get('x-accepted-github-permissions')).toBe('contents=write');
  });
});

describe('GitHub emulator: git refs', () => {
  it('gets a ref written plainly or with %2F, creates one (201), and refuses duplicates and unknown commits', async () => {
    const plain = await call('GET', '/repos/octo/models/git/ref/heads/main');
    const encoded = await call('GET', '/repos/octo/models/git/ref/heads%2Fmain');
    expect(plain.status).toBe(200);
    expect(encoded.body).toEqual(plain.body);
    const main = plain.body as GitRef;
    expect(main).toMatchObject({ ref: 'refs/heads/main', object: { type: 'commit' } });

    const created = await call('POST', '/repos/octo/models/git/refs', {
      body: { ref: 'refs/heads/registry', sha: main.object.sha },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${gh.url}/repos/octo/models/git/refs/heads/registry`);
    expect(
      await call('POST', '/repos/octo/models/git/refs', {
        body: { ref: 'refs/heads/registry', sha: main.object.sha },
      }),
    ).toMatchObject({ status: 422, body: { message: 'Reference already exists' } });
    expect(
      await call('POST', '/repos/octo/models/git/refs', {
        body: { ref: 'refs/heads/x', sha: 'a'.repeat(40) },
      }),
    ).toMatchObject({ status: 422, body: { message: 'Object does not exist' } });
    expect((await call('GET', '/repos/octo/models/git/ref/heads/nope')).status).toBe(404);
    expect((await call('DELETE', '/repos/octo/models/git/refs/heads/registry')).status).toBe(204);
  });
});

describe('GitHub emulator: releases and assets', () => {
  async function draft(tag = 'modelgate/churn/v1') {
    const { status, body } = await call('POST', '/repos/octo/models/releases', {
      body: { tag_name: tag, name: 'churn v1', body: 'notes', draft: true },
    });
    expect(status).toBe(201);
    return body as Release;
  }

  it('keeps a draft untagged and out of sight of readers until it is published', async () => {
    const release = await draft();
    expect(release).toMatchObject({ draft: true, published_at: null, tag_name: 'modelgate/churn/v1' });
    expect(release.html_url).toMatch(/\/releases\/tag\/untagged-[0-9a-f]{20}$/);
    const tag = '/repos/octo/models/releases/tags/modelgate%2Fchurn%2Fv1';
    expect((await call('GET', tag)).status).toBe(404);
    expect((await call('GET', '/repos/octo/models/releases', { auth: gh.token('read-only') })).body).toEqual(
      [],
    );

    const published = await call('PATCH', `/repos/octo/models/releases/${release.id}`, {
      body: { draft: false },
    });
    expect(published.body).toMatchObject({
      draft: false,
      html_url: 'https://github.com/octo/models/releases/tag/modelgate/churn/v1',
    });
    expect((await call('GET', tag)).body).toMatchObject({ id: release.id });
    // The tag was made at target_commitish (the default branch here).
    const main = (await call('GET', '/repos/octo/models/git/ref/heads/main')).body as GitRef;
    expect((await call('GET', '/repos/octo/models/git/ref/tags/modelgate/churn/v1')).body).toMatchObject({
      object: { sha: main.object.sha },
    });
    // A tag with slashes must be encoded in the path, as on GitHub.
    expect((await call('GET', '/repos/octo/models/releases/tags/modelgate/churn/v1')).status).toBe(404);
    expect(
      await call('POST', '/repos/octo/models/releases', { body: { tag_name: 'modelgate/churn/v1' } }),
    ).toMatchObject({
      status: 422,
      body: { errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }] },
    });
  });

  it('takes an asset at its upload_url and serves it through a 302 to the storage host', async () => {
    const release = await draft();
    expect(release.upload_url).toBe(
      `${gh.url}/uploads/repos/octo/models/releases/${release.id}/assets{?name,label}`,
    );
    const uploadUrl = release.upload_url.replace(/\{.*\}$/, '');
    const bytes = Buffer.from([0, 1, 2, 3, 254, 255]);

    const uploaded = await call('POST', `${uploadUrl}?name=churn-v1.onnx`, { raw: bytes });
    const asset = uploaded.body as ReleaseAsset;
    expect(uploaded.status).toBe(201);
    expect(asset).toMatchObject({
      name: 'churn-v1.onnx',
      size: 6,
      state: 'uploaded',
      content_type: 'application/octet-stream',
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    });
    expect(await call('POST', `${uploadUrl}?name=churn-v1.onnx`, { raw: bytes })).toMatchObject({
      status: 422,
      body: { errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] },
    });
    expect(
      (await call('POST', `${uploadUrl}?name=x.onnx`, { raw: bytes, auth: gh.token('read-only') })).status,
    ).toBe(403);

    const assetPath = `/repos/octo/models/releases/assets/${asset.id}`;
    expect((await call('GET', assetPath)).body).toMatchObject({ id: asset.id, name: 'churn-v1.onnx' });
    const redirect = await call('GET', assetPath, { accept: 'application/octet-stream' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(
      new RegExp(`^${gh.url}/_storage/release-assets/${asset.id}\\?key=[0-9a-f]{32}$`),
    );
    const download = await call('GET', location, { auth: null });
    expect(download.status).toBe(200);
    expect(download.bytes).toEqual(bytes);
    expect((await call('GET', location.replace(/key=.*/, 'key=wrong'), { auth: null })).status).toBe(404);

    expect((await call('DELETE', assetPath)).status).toBe(204);
    expect((await call('DELETE', `/repos/octo/models/releases/${release.id}`)).status).toBe(204);
    expect((await call('GET', `/repos/octo/models/releases/${release.id}`)).status).toBe(404);
  });

  it('injects faults on the new routes like on any other', async () => {
    gh.fail({ method: 'PUT', path: /\/contents\//, status: 409 });
    gh.fail({ method: 'POST', path: /\/assets$/, status: 502 });
    const conflict = await call('PUT', contents('a.json'), { body: { message: 'm', content: base64('a') } });
    expect(conflict).toMatchObject({ status: 409, body: { message: 'Conflict' } });
    expect(
      (await call('PUT', contents('a.json'), { body: { message: 'm', content: base64('a') } })).status,
    ).toBe(201);

    const release = await draft();
    const uploadUrl = release.upload_url.replace(/\{.*\}$/, '');
    expect((await call('POST', `${uploadUrl}?name=m.onnx`, { raw: Buffer.from('m') })).status).toBe(502);
    expect((await call('POST', `${uploadUrl}?name=m.onnx`, { raw: Buffer.from('m') })).status).toBe(201);
    expect(gh.calls.filter((c) => c.injected).map((c) => `${c.method} ${c.status} ${c.route}`)).toEqual([
      'PUT 409 undefined',
      'POST 502 undefined',
    ]);
  });

  it('can let a faulted call take effect and lose only its answer', async () => {
    gh.fail({ method: 'PUT', path: /\/contents\//, status: 502, lands: true });
    const lost = await call('PUT', contents('a.json'), { body: { message: 'm', content: base64('a') } });
    expect(lost).toMatchObject({ status: 502, body: { message: 'Server Error' } });
    expect((await call('GET', contents('a.json'))).status).toBe(200);
    expect(gh.calls[0]).toMatchObject({ injected: true, route: 'PUT /repos/{owner}/{repo}/contents/{path}' });
  });
});
