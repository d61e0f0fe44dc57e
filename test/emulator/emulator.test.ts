import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type GitHubEmulator,
  type IssueComment,
  type PullRequest,
  startEmulator,
  webhookExample,
} from './index.ts';

let gh: GitHubEmulator;
let token: string;

beforeEach(async () => {
  gh = await startEmulator();
  token = gh.token('write');
  gh.addPullRequest({ repo: 'octo/models', number: 7, head: { ref: 'retrain', sha: 'e'.repeat(40) } });
});
afterEach(() => gh.close());

/** A raw HTTP call, to check the emulator at the level GitHub's API is specified. */
async function call(method: string, path: string, options: { body?: unknown; auth?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  const auth = options.auth === undefined ? token : options.auth;
  if (auth !== null) headers.authorization = `token ${auth}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path.startsWith('http') ? path : `${gh.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

function seed(count: number, author = 'reviewer') {
  for (let i = 1; i <= count; i++)
    gh.addComment({ repo: 'octo/models', issueNumber: 7, author, body: `comment ${i}` });
}

describe('GitHub emulator: issue comments', () => {
  it('creates a comment with 201, a Location, and the issue-comment shape', async () => {
    const { status, headers, body } = await call('POST', '/repos/octo/models/issues/7/comments', {
      body: { body: 'hello' },
    });
    const comment = body as IssueComment;
    expect(status).toBe(201);
    expect(headers.get('location')).toBe(`${gh.url}/repos/octo/models/issues/comments/${comment.id}`);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(comment).toMatchObject({
      body: 'hello',
      url: `${gh.url}/repos/octo/models/issues/comments/${comment.id}`,
      html_url: `https://github.com/octo/models/pull/7#issuecomment-${comment.id}`,
      issue_url: `${gh.url}/repos/octo/models/issues/7`,
      node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
      author_association: 'NONE',
      user: {
        login: 'github-actions[bot]',
        id: 41898282,
        node_id: 'MDM6Qm90NDE4OTgyODI=',
        type: 'Bot',
        url: `${gh.url}/users/github-actions%5Bbot%5D`,
        html_url: 'https://github.com/apps/github-actions',
      },
    });
    expect(comment.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('gets and edits a comment by id, moving updated_at and keeping created_at', async () => {
    const created = (await call('POST', '/repos/octo/models/issues/7/comments', { body: { body: 'v1' } }))
      .body as IssueComment;
    const edited = await call('PATCH', `/repos/octo/models/issues/comments/${created.id}`, {
      body: { body: 'v2' },
    });
    const fetched = await call('GET', `/repos/octo/models/issues/comments/${created.id}`);
    expect(edited.status).toBe(200);
    expect(fetched.body).toEqual(edited.body);
    expect(fetched.body).toMatchObject({ id: created.id, body: 'v2', created_at: created.created_at });
    expect((fetched.body as IssueComment).updated_at > created.updated_at).toBe(true);
  });

  it('pages a list like GitHub: 30 by default, Link rel next/last, then prev/first, by repository id', async () => {
    seed(250);
    const repoId = gh.store.repo('octo', 'models')?.id;
    const first = await call('GET', '/repos/octo/models/issues/7/comments?per_page=100');
    expect((first.body as IssueComment[]).map((c) => c.body).slice(0, 2)).toEqual(['comment 1', 'comment 2']);
    expect(first.body).toHaveLength(100);
    const base = `${gh.url}/repositories/${repoId}/issues/7/comments?per_page=100`;
    expect(first.headers.get('link')).toBe(`<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`);

    const last = await call('GET', `${base}&page=3`);
    expect((last.body as IssueComment[]).map((c) => c.body)).toEqual(
      Array.from({ length: 50 }, (_, i) => `comment ${201 + i}`),
    );
    expect(last.headers.get('link')).toBe(`<${base}&page=2>; rel="prev", <${base}&page=1>; rel="first"`);
    expect(gh.calls.at(-1)).toMatchObject({
      path: '/repos/octo/models/issues/7/comments',
      query: { per_page: '100', page: '3' },
    });

    expect((await call('GET', '/repos/octo/models/issues/7/comments')).body).toHaveLength(30);
    expect((await call('GET', '/repos/octo/models/issues/7/comments?per_page=500')).body).toHaveLength(100);
  });

  it('sends no Link header when everything fits on one page', async () => {
    seed(3);
    const { headers, body } = await call('GET', '/repos/octo/models/issues/7/comments?per_page=100');
    expect(body).toHaveLength(3);
    expect(headers.get('link')).toBeNull();
  });

  it('answers 404 Not Found for a PR or repository that does not exist', async () => {
    expect(await call('GET', '/repos/octo/models/issues/8/comments')).toMatchObject({
      status: 404,
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
        status: '404',
      },
    });
    expect((await call('POST', '/repos/octo/nope/issues/7/comments', { body: { body: 'x' } })).status).toBe(
      404,
    );
    expect((await call('GET', '/repos/octo/models/teleport')).status).toBe(404);
  });

  it("validates bodies with GitHub's 422s and 400", async () => {
    const path = '/repos/octo/models/issues/7/comments';
    expect(await call('POST', path, { body: {} })).toMatchObject({
      status: 422,
      body: { message: 'Invalid request.\n\n"body" wasn\'t supplied.' },
    });
    expect(await call('POST', path, { body: { body: 'x'.repeat(65_537) } })).toMatchObject({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: 'body is too long (maximum is 65536 characters)',
          },
        ],
      },
    });
    expect((await call('POST', path, { body: { body: 'x'.repeat(65_536) } })).status).toBe(201);
    expect(await call('POST', path, { body: '{not json' })).toMatchObject({
      status: 400,
      body: { message: 'Problems parsing JSON' },
    });
  });
});

describe('GitHub emulator: tokens', () => {
  it("answers a read-only token's write with GitHub's 403 and the permission it lacked", async () => {
    const response = await call('POST', '/repos/octo/models/issues/7/comments', {
      body: { body: 'x' },
      auth: gh.token('read-only'),
    });
    expect(response).toMatchObject({
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '403',
      },
    });
    expect(response.headers.get('x-accepted-github-permissions')).toBe('issues=write; pull_requests=write');
    expect(gh.comments('octo/models', 7)).toHaveLength(0);
  });

  it('lets a read-only token read', async () => {
    expect((await call('GET', '/repos/octo/models/pulls/7', { auth: gh.token('read-only') })).status).toBe(
      200,
    );
  });

  it('answers 401 to a write without a token and to a token it never issued', async () => {
    const path = '/repos/octo/models/issues/7/comments';
    expect(await call('POST', path, { body: { body: 'x' }, auth: null })).toMatchObject({
      status: 401,
      body: { message: 'Requires authentication' },
    });
    expect(await call('GET', path, { auth: 'ghs_madeup' })).toMatchObject({
      status: 401,
      body: { message: 'Bad credentials' },
    });
  });

  it('records what each token could do, never the token', async () => {
    await call('GET', '/repos/octo/models/pulls/7');
    await call('GET', '/repos/octo/models/pulls/7', { auth: null });
    await call('GET', '/repos/octo/models/pulls/7', { auth: 'ghs_madeup' });
    expect(gh.calls.map((c) => c.auth)).toEqual(['write', 'none', 'unknown']);
    expect(JSON.stringify(gh.calls)).not.toContain(token);
    expect(JSON.stringify(gh.calls)).not.toContain('ghs_madeup');
  });

  it('counts down x-ratelimit-remaining per token', async () => {
    const first = await call('GET', '/repos/octo/models/pulls/7');
    const second = await call('GET', '/repos/octo/models/pulls/7');
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(second.headers.get('x-ratelimit-remaining')).toBe('4998');
  });
});

describe('GitHub emulator: pull requests', () => {
  it('serves the pull-request shape, with a fork head in another repository', async () => {
    gh.addPullRequest({
      repo: 'octo/models',
      number: 9,
      head: { repo: 'forker/models', ref: 'patch-1', sha: 'f'.repeat(40) },
    });
    const { status, body } = await call('GET', '/repos/octo/models/pulls/9');
    const pr = body as PullRequest;
    expect(status).toBe(200);
    expect(pr).toMatchObject({
      number: 9,
      state: 'open',
      url: `${gh.url}/repos/octo/models/pulls/9`,
      html_url: 'https://github.com/octo/models/pull/9',
      head: {
        label: 'forker:patch-1',
        ref: 'patch-1',
        sha: 'f'.repeat(40),
        repo: { full_name: 'forker/models', fork: true },
      },
      base: { ref: 'main', repo: { full_name: 'octo/models', fork: false, owner: { login: 'octo' } } },
      _links: { comments: { href: `${gh.url}/repos/octo/models/issues/9/comments` } },
    });
  });

  it('seeds the PR a webhook payload describes', async () => {
    gh.addPullRequestFromPayload(webhookExample('pull_request', 'opened'));
    const { body } = await call('GET', '/repos/Codertocat/Hello-World/pulls/2');
    expect(body).toMatchObject({
      number: 2,
      title: 'Update the README with new information.',
      head: { sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', ref: 'changes' },
      base: { ref: 'master' },
    });
  });

  it('does not serve an issue number as a pull request', async () => {
    const issue = gh.addIssue({ repo: 'octo/models', title: 'a bug' });
    expect(issue.number).toBe(8);
    expect((await call('GET', '/repos/octo/models/pulls/8')).status).toBe(404);
  });
});

describe('GitHub emulator: faults', () => {
  it('fails the next `times` matching calls, then serves them again', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 502, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/repos/octo/models/pulls/7')).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(gh.calls.map((c) => c.injected)).toEqual([true, true, false]);
  });

  it('leaves calls with another method or path alone', async () => {
    gh.fail({ method: 'POST', path: /\/comments$/, status: 500 });
    expect((await call('GET', '/repos/octo/models/issues/7/comments')).status).toBe(200);
    expect((await call('GET', '/repos/octo/models/pulls/7')).status).toBe(200);
    expect((await call('POST', '/repos/octo/models/issues/7/comments', { body: { body: 'x' } })).status).toBe(
      500,
    );
  });

  it('sends custom headers and bodies', async () => {
    gh.fail({ path: /pulls/, status: 422, headers: { 'x-custom': 'yes' }, body: { message: 'nope' } });
    const response = await call('GET', '/repos/octo/models/pulls/7');
    expect(response).toMatchObject({ status: 422, body: { message: 'nope' } });
    expect(response.headers.get('x-custom')).toBe('yes');
  });

  it("answers a primary rate limit with GitHub's headers", async () => {
    gh.rateLimit({ kind: 'primary', status: 429, resetInSeconds: 600 });
    const response = await call('GET', '/repos/octo/models/pulls/7');
    expect(response).toMatchObject({
      status: 429,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    expect(reset - Date.now() / 1000).toBeGreaterThan(590);
  });

  it('answers a secondary rate limit with retry-after', async () => {
    gh.rateLimit({ kind: 'secondary', retryAfterSeconds: 42 });
    const response = await call('POST', '/repos/octo/models/issues/7/comments', { body: { body: 'x' } });
    expect(response.status).toBe(403);
    expect((response.body as { message: string }).message).toMatch(
      /^You have exceeded a secondary rate limit/,
    );
    expect(response.headers.get('retry-after')).toBe('42');
    expect(gh.comments('octo/models', 7)).toHaveLength(0);
  });
});
