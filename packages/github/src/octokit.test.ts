import { inspect } from 'node:util';
import { InputError } from '@modelgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startEmulator } from '../../../test/emulator/index.ts';
import { createGitHubClient, type GitHubClientOptions, GitHubRateLimitError } from './octokit.ts';

let gh: GitHubEmulator;
let logs: string[];

beforeEach(async () => {
  gh = await startEmulator();
  gh.addPullRequest({ repo: 'octo/models', number: 7 });
  logs = [];
});
afterEach(() => gh.close());

function client(token: string, options: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    token,
    baseUrl: gh.url,
    // Every advised wait in milliseconds instead of seconds, so the tests do not sleep.
    msPerSecond: 1,
    logger: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`) },
    ...options,
  });
}

const getPull = (octokit: ReturnType<typeof client>) =>
  octokit.rest.pulls.get({ owner: 'octo', repo: 'models', pull_number: 7 });

describe('createGitHubClient', () => {
  it('authenticates with the token against the given base URL', async () => {
    const { data } = await getPull(client(gh.token('write')));
    expect(data.number).toBe(7);
    expect(gh.calls).toEqual([
      expect.objectContaining({ method: 'GET', path: '/repos/octo/models/pulls/7', auth: 'write' }),
    ]);
  });

  it('retries a 502 and succeeds on the second call', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 502 });
    const { data } = await getPull(client(gh.token()));
    expect(data.number).toBe(7);
    expect(gh.calls.map((call) => call.status)).toEqual([502, 200]);
  });

  it('gives up after `retries` retries of a lasting 5xx, with the status', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 500, times: Number.POSITIVE_INFINITY });
    await expect(getPull(client(gh.token(), { retries: 2 }))).rejects.toMatchObject({ status: 500 });
    expect(gh.calls).toHaveLength(3);
  });

  it('does not retry a client error such as 422', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 422 });
    await expect(getPull(client(gh.token()))).rejects.toMatchObject({ status: 422 });
    expect(gh.calls).toHaveLength(1);
  });

  it('waits out a primary rate limit that resets soon, once, and says so', async () => {
    gh.rateLimit({ kind: 'primary', path: /\/pulls\/7$/, resetInSeconds: 1 });
    const { data } = await getPull(client(gh.token()));
    expect(data.number).toBe(7);
    expect(gh.calls.map((call) => call.status)).toEqual([403, 200]);
    expect(logs).toEqual([
      expect.stringMatching(/^warning: GitHub's rate limit stopped GET .*; retrying once in \d s$/),
    ]);
  });

  it('waits as long as a 503 says in Retry-After before retrying it', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 503, times: 2, headers: { 'retry-after': '2' } });
    const { data } = await getPull(client(gh.token()));
    expect(data.number).toBe(7);
    expect(gh.calls.map((call) => call.status)).toEqual([503, 503, 200]);
    expect(logs).toEqual([
      'warning: GitHub answered 503 to GET /repos/octo/models/pulls/7 with Retry-After 2 s; retrying in 2 s',
      'warning: GitHub answered 503 to GET /repos/octo/models/pulls/7 with Retry-After 2 s; retrying in 2 s',
    ]);
  });

  it("retries a 429 with Retry-After once, although it lacks GitHub's rate-limit headers", async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 429, headers: { 'retry-after': '1' } });
    const { data } = await getPull(client(gh.token()));
    expect(data.number).toBe(7);
    expect(gh.calls.map((call) => call.status)).toEqual([429, 200]);

    gh.fail({
      method: 'GET',
      path: /\/pulls\/7$/,
      status: 429,
      times: Number.POSITIVE_INFINITY,
      headers: { 'retry-after': '1' },
    });
    const error = await getPull(client(gh.token())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as GitHubRateLimitError).status).toBe(429);
    expect(gh.calls.map((call) => call.status)).toEqual([429, 200, 429, 429]);
  });

  it('does not retry a 503 when the call asks for no retries (a compare-and-swap write)', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 503, headers: { 'retry-after': '1' } });
    const octokit = client(gh.token());
    await expect(
      octokit.rest.pulls.get({ owner: 'octo', repo: 'models', pull_number: 7, request: { retries: 0 } }),
    ).rejects.toMatchObject({ status: 503 });
    expect(gh.calls).toHaveLength(1);
  });

  it('fails at once with the reset time when a primary rate limit resets in an hour', async () => {
    gh.rateLimit({ kind: 'primary', status: 429, path: /\/pulls\/7$/, resetInSeconds: 3600 });
    const error = await getPull(client(gh.token())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as GitHubRateLimitError).status).toBe(429);
    expect((error as Error).message).toMatch(
      /^GitHub's API rate limit refused GET \/repos\/octo\/models\/pulls\/7 \(429\): it may be retried at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 36\d\d s\); modelgate waits out at most 60 s, once$/,
    );
    expect(gh.calls).toHaveLength(1);
  });

  it('gives up when the rate limit is still there after its one retry', async () => {
    gh.rateLimit({ kind: 'primary', path: /\/pulls\/7$/, resetInSeconds: 1, times: 2 });
    await expect(getPull(client(gh.token()))).rejects.toThrow(GitHubRateLimitError);
    expect(gh.calls).toHaveLength(2);
  });

  it('waits out a secondary rate limit for its retry-after, once', async () => {
    gh.rateLimit({ kind: 'secondary', path: /\/pulls\/7$/, retryAfterSeconds: 30 });
    await getPull(client(gh.token()));
    expect(gh.calls.map((call) => call.status)).toEqual([403, 200]);
    expect(logs).toEqual([expect.stringContaining("GitHub's secondary rate limit stopped GET")]);
  });

  it('does not wait a secondary rate limit longer than maxRateLimitWaitSeconds', async () => {
    gh.rateLimit({ kind: 'secondary', status: 429, path: /\/pulls\/7$/, retryAfterSeconds: 120 });
    await expect(getPull(client(gh.token(), { maxRateLimitWaitSeconds: 60 }))).rejects.toThrow(
      /^GitHub's secondary rate limit refused GET \/repos\/octo\/models\/pulls\/7 \(429\): it may be retried at .* \(in 120 s\)/,
    );
    // A 429 belongs to the throttling plugin alone: the retry plugin must not hammer it too.
    expect(gh.calls).toHaveLength(1);
  });

  it('leaves an ordinary 403 alone: it is not a rate limit', async () => {
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 403 });
    const error = await getPull(client(gh.token())).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ status: 403 });
  });

  it('never lets the token into a log line or a thrown error', async () => {
    const token = gh.token('read-only');
    const octokit = client(token, { retries: 1 });
    gh.fail({ method: 'GET', path: /\/pulls\/7$/, status: 500, times: 2 });
    gh.rateLimit({ kind: 'primary', path: /\/pulls\/7$/, resetInSeconds: 3600 });
    const errors = [
      await getPull(octokit).catch((e: unknown) => e),
      await getPull(octokit).catch((e: unknown) => e),
    ];
    const written = await octokit.rest.issues
      .createComment({ owner: 'octo', repo: 'models', issue_number: 7, body: 'hi' })
      .catch((e: unknown) => e);
    expect(written).toMatchObject({ status: 403 });
    const seen = [
      ...logs,
      ...[...errors, written].map((e) => inspect(e, { depth: 10 })),
      JSON.stringify(gh.calls),
    ].join('\n');
    expect(seen).toContain('Resource not accessible by integration');
    expect(seen).not.toContain(token);
  });
});
