import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startEmulator } from '../../../test/emulator/index.ts';
import { createGitHubClient, GitHubRateLimitError } from './octokit.ts';
import { MAX_COMMENT_BODY_CHARS, upsertStickyComment } from './sticky-comment.ts';

const REPO = 'octo/models';
const MARKER = '<!-- modelgate:report model=churn -->';
const BOT = 'github-actions[bot]';

let gh: GitHubEmulator;

beforeEach(async () => {
  gh = await startEmulator();
  gh.addPullRequest({ repo: REPO, number: 7 });
});
afterEach(() => gh.close());

function client(token = gh.token('write'), retries?: number) {
  return createGitHubClient({
    token,
    baseUrl: gh.url,
    msPerSecond: 1,
    logger: { info() {}, warning() {} },
    ...(retries === undefined ? {} : { retries }),
  });
}

const report = (verdict: string) =>
  `## ✅ modelgate: ${verdict}\n\n| metric | value |\n| --- | --- |\n\n${MARKER}\n`;
const upsert = (octokit: ReturnType<typeof client>, body: string, issueNumber = 7) =>
  upsertStickyComment(octokit, { owner: 'octo', repo: 'models', issueNumber, marker: MARKER, body });
const posts = () => gh.callsTo('POST', /\/issues\/\d+\/comments$/);
const patches = () => gh.callsTo('PATCH', /\/issues\/comments\/\d+$/);

describe('upsertStickyComment', () => {
  it('creates one comment, by the bot, when the PR has none of ours', async () => {
    const result = await upsert(client(), report('passed'));

    const comments = gh.comments(REPO, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ body: report('passed'), user: { login: BOT, type: 'Bot' } });
    expect(result).toEqual({
      kind: 'created',
      id: comments[0]?.id,
      url: `https://github.com/octo/models/pull/7#issuecomment-${comments[0]?.id}`,
    });
  });

  it('edits that comment on the next run and creates nothing new', async () => {
    const octokit = client();
    const first = await upsert(octokit, report('passed'));
    const second = await upsert(octokit, report('failed: accuracy dropped'));

    expect(second).toEqual({
      kind: 'updated',
      id: (first as { id: number }).id,
      url: (first as { url: string }).url,
    });
    expect(gh.comments(REPO, 7).map((c) => c.body)).toEqual([report('failed: accuracy dropped')]);
    expect(posts()).toHaveLength(1);
    expect(patches()).toHaveLength(1);
  });

  it('finds ours past the first page of a busy PR, among humans quoting the marker and other models', async () => {
    for (let i = 0; i < 130; i++) {
      const kind = i % 3;
      gh.addComment({
        repo: REPO,
        issueNumber: 7,
        author: kind === 0 ? 'reviewer' : BOT,
        body:
          kind === 0
            ? `> ${MARKER}\n> quoting the bot: why did this drop?`
            : `<!-- modelgate:report model=churn-v${i} -->\nanother model's report`,
      });
    }
    const ours = gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('old') });
    for (let i = 0; i < 20; i++)
      gh.addComment({ repo: REPO, issueNumber: 7, author: 'reviewer', body: `lgtm ${MARKER}` });
    const before = gh.comments(REPO, 7);

    const result = await upsert(client(), report('new'));

    expect(result).toMatchObject({ kind: 'updated', id: ours.id });
    const after = gh.comments(REPO, 7);
    expect(after).toHaveLength(151);
    // Only ours changed: every other comment, the humans' quotes included, is as it was.
    expect(after.filter((c) => c.id !== ours.id)).toEqual(before.filter((c) => c.id !== ours.id));
    expect(after.find((c) => c.id === ours.id)?.body).toBe(report('new'));
    // Both pages were read, the second through the Link header's rel="next".
    const lists = gh.callsTo('GET', /\/issues\/7\/comments$/);
    expect(lists.map((call) => call.query)).toEqual([{ per_page: '100' }, { per_page: '100', page: '2' }]);
    expect(posts()).toHaveLength(0);
  });

  it('never takes a human comment that contains the marker for ours', async () => {
    const human = gh.addComment({
      repo: REPO,
      issueNumber: 7,
      author: 'reviewer',
      body: `copied: ${MARKER}`,
    });

    const result = await upsert(client(), report('passed'));

    expect(result.kind).toBe('created');
    expect(gh.comments(REPO, 7).find((c) => c.id === human.id)?.body).toBe(`copied: ${MARKER}`);
  });

  it("tells one model's marker from another whose name it begins with", async () => {
    const other = gh.addComment({
      repo: REPO,
      issueNumber: 7,
      author: BOT,
      body: '<!-- modelgate:report model=churn-large -->',
    });
    const result = await upsert(client(), report('passed'));
    expect(result.kind).toBe('created');
    expect(gh.comments(REPO, 7).find((c) => c.id === other.id)?.body).toBe(
      '<!-- modelgate:report model=churn-large -->',
    );
  });

  it('after a past race left two of ours, edits the newest and leaves the older alone', async () => {
    const older = gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('race 1') });
    const newer = gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('race 2') });

    const result = await upsert(client(), report('settled'));

    expect(result).toMatchObject({ kind: 'updated', id: newer.id });
    expect(gh.comments(REPO, 7).map((c) => [c.id, c.body])).toEqual([
      [older.id, report('race 1')],
      [newer.id, report('settled')],
    ]);
  });

  it('matches the author given for a GitHub App token instead of github-actions[bot]', async () => {
    const app = gh.token('write', { login: 'modelgate-app[bot]' });
    const foreign = gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('by actions') });
    const octokit = client(app);
    const options = {
      owner: 'octo',
      repo: 'models',
      issueNumber: 7,
      marker: MARKER,
      author: 'modelgate-app[bot]',
    };

    const first = await upsertStickyComment(octokit, { ...options, body: report('one') });
    const second = await upsertStickyComment(octokit, { ...options, body: report('two') });

    expect(first.kind).toBe('created');
    expect(second).toMatchObject({ kind: 'updated', id: (first as { id: number }).id });
    expect(gh.comments(REPO, 7).find((c) => c.id === foreign.id)?.body).toBe(report('by actions'));
  });

  it("returns forbidden, without throwing, when a fork PR's read-only token may not comment", async () => {
    const result = await upsert(client(gh.token('read-only')), report('passed'));

    expect(result).toEqual({
      kind: 'forbidden',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    expect(gh.comments(REPO, 7)).toHaveLength(0);
    expect(posts().map((call) => [call.auth, call.status])).toEqual([['read-only', 403]]);
  });

  it('returns forbidden when the read-only token meets our existing comment', async () => {
    gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('earlier') });
    const result = await upsert(client(gh.token('read-only')), report('passed'));
    expect(result).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(gh.comments(REPO, 7).map((c) => c.body)).toEqual([report('earlier')]);
  });

  it('returns forbidden on a 404 from the write, as GitHub hides what a token may not touch', async () => {
    gh.fail({ method: 'POST', path: /\/comments$/, status: 404 });
    expect(await upsert(client(), report('passed'))).toEqual({
      kind: 'forbidden',
      status: 404,
      message: 'Not Found',
    });
  });

  it('creates a new comment when ours was deleted between listing and editing', async () => {
    const ours = gh.addComment({ repo: REPO, issueNumber: 7, author: BOT, body: report('earlier') });
    gh.fail({ method: 'PATCH', path: new RegExp(`/issues/comments/${ours.id}$`), status: 404 });

    const result = await upsert(client(), report('passed'));

    expect(result.kind).toBe('created');
    expect(patches()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('retries a 502 on the create and succeeds: GitHub saw two calls, one comment exists', async () => {
    gh.fail({ method: 'POST', path: /\/issues\/7\/comments$/, status: 502 });

    const result = await upsert(client(), report('passed'));

    expect(result.kind).toBe('created');
    expect(posts().map((call) => call.status)).toEqual([502, 201]);
    expect(gh.comments(REPO, 7)).toHaveLength(1);
  });

  it('throws a message naming the PR when GitHub keeps failing', async () => {
    gh.fail({ method: 'POST', path: /\/comments$/, status: 500, times: Number.POSITIVE_INFINITY });
    await expect(upsert(client(gh.token(), 1), report('passed'))).rejects.toThrow(
      'could not comment on PR #7 of octo/models: GitHub answered 500: Server Error',
    );
    expect(posts()).toHaveLength(2);
  });

  it('throws a message naming the PR when its comments cannot be listed', async () => {
    await expect(upsert(client(), report('passed'), 99)).rejects.toThrow(
      'could not list the comments of PR #99 of octo/models: GitHub answered 404: Not Found',
    );
  });

  it('does not mistake a rate-limited write for a forbidden one', async () => {
    gh.rateLimit({ kind: 'primary', method: 'POST', resetInSeconds: 3600 });
    const error = await upsert(client(), report('passed')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as Error).message).toMatch(
      /^could not comment on PR #7 of octo\/models: GitHub's API rate limit refused POST/,
    );
  });

  it('refuses a body GitHub would reject, before calling GitHub', async () => {
    const body = `${MARKER}\n${'x'.repeat(MAX_COMMENT_BODY_CHARS)}`;
    await expect(upsert(client(), body)).rejects.toThrow(
      /^the comment body for PR #7 is 65,574 characters; GitHub rejects more than 65,536/,
    );
    expect(gh.calls).toHaveLength(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = `${MARKER}${'x'.repeat(MAX_COMMENT_BODY_CHARS - MARKER.length)}`;
    expect((await upsert(client(), body)).kind).toBe('created');
  });

  it('adds the marker to a body that lacks it, so the next run finds the comment', async () => {
    const octokit = client();
    await upsert(octokit, 'no marker here');
    const second = await upsert(octokit, 'still none');
    expect(second.kind).toBe('updated');
    expect(gh.comments(REPO, 7).map((c) => c.body)).toEqual([`still none\n\n${MARKER}\n`]);
  });

  it('refuses a marker that is not one hidden HTML comment', async () => {
    for (const marker of ['modelgate:report', '<!-- a --> <!-- b -->', '<!-- -->']) {
      await expect(
        upsertStickyComment(client(), { owner: 'octo', repo: 'models', issueNumber: 7, marker, body: 'x' }),
      ).rejects.toThrow('is not one HTML comment');
    }
  });
});
