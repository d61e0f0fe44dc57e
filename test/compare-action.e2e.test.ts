import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startEmulator, webhookExample } from './emulator/index.ts';
import { cli, FIXTURES, ROOT, runBuiltAction, tempDir } from './helpers.ts';

/**
 * The built compare-to-baseline action, run as the runner runs it, against the GitHub API
 * emulator over loopback with a real pull_request payload: one sticky comment per model, found
 * across every page of a busy PR, updated in place, never duplicated; and a comments API that
 * keeps failing (5xx, 429) costs a warning, never the verdict, the report or the outputs.
 */
const work = tempDir();
const main = join(ROOT, 'actions', 'compare-to-baseline', 'dist', 'index.js');
const actionYml = join(ROOT, 'actions', 'compare-to-baseline', 'action.yml');
let gh: GitHubEmulator;
let eventPath: string;
let owner: string;
let repo: string;
let prNumber: number;

const MARKER = '<!-- modelgate:report model=cancer -->';

beforeAll(async () => {
  // Two real evaluation records: a logistic regression (the baseline) and an MLP (the candidate).
  for (const [name, fixture] of [
    ['baseline', 'binary-sigmoid'],
    ['candidate', 'binary-softmax'],
  ] as const) {
    const dir = join(FIXTURES, fixture);
    const data = join(FIXTURES, 'binary-sigmoid', 'data.csv');
    const result = await cli([
      'evaluate',
      '--model',
      join(dir, 'model.onnx'),
      '--data',
      data,
      '--label',
      'target',
      '--slice-by',
      'size',
      '--bootstrap',
      '200',
      '--out',
      join(work, `${name}.json`),
    ]);
    expect(result.code, result.stderr).toBe(0);
  }
  writeFileSync(
    join(work, 'pass.yml'),
    'model: cancer\ngates:\n  accuracy: { min: 0.80, max_drop: 0.05 }\n  roc_auc: { max_drop: 2% }\n',
  );
  writeFileSync(join(work, 'fail.yml'), 'model: cancer\ngates:\n  accuracy: { min: 0.999 }\n');

  gh = await startEmulator();
  const payload = webhookExample('pull_request', 'opened');
  gh.addPullRequestFromPayload(payload);
  owner = payload.repository.owner.login;
  repo = payload.repository.name;
  prNumber = payload.pull_request.number;
  eventPath = join(work, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  // A busy PR: 120 comments, some by people quoting our marker, so ours is never on page one.
  for (let i = 0; i < 120; i++) {
    gh.addComment({
      repo: `${owner}/${repo}`,
      issueNumber: prNumber,
      author: i % 3 === 0 ? 'octocat' : 'reviewer',
      body: i % 10 === 0 ? `quoting ${MARKER}` : `comment ${i}`,
    });
  }
});

afterAll(async () => {
  await gh?.close();
});

function env(): NodeJS.ProcessEnv {
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${owner}/${repo}`,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: `refs/pull/${prNumber}/merge`,
  };
}

async function run(gates: string, token: string) {
  return runBuiltAction(main, {
    cwd: work,
    actionYml,
    token,
    inputs: {
      candidate: join(work, 'candidate.json'),
      baseline: join(work, 'baseline.json'),
      gates: join(work, gates),
    },
    env: env(),
  });
}

const ours = () =>
  gh
    .comments(`${owner}/${repo}`, prNumber)
    .filter((c) => c.user?.login === 'github-actions[bot]' && c.body?.includes(MARKER));

describe('compare-to-baseline on a pull request', () => {
  it('creates one sticky comment on the first run, and edits it on the second', async () => {
    const token = gh.token('write');
    const first = await run('pass.yml', token);
    expect(first.log).not.toMatch(/::error::/);
    expect(first.code).toBe(0);
    expect(first.outputs.passed).toBe('true');
    expect(ours()).toHaveLength(1);
    expect(first.outputs['comment-url']).toBe(ours()[0]?.html_url);
    expect(first.summary).toContain(MARKER);
    const posts = gh.callsTo('POST', /\/comments$/).length;

    const second = await run('pass.yml', token);
    expect(second.code).toBe(0);
    expect(gh.callsTo('POST', /\/comments$/).length).toBe(posts);
    expect(gh.callsTo('PATCH', /\/issues\/comments\/\d+$/).length).toBeGreaterThanOrEqual(1);
    expect(ours()).toHaveLength(1);
  });

  it('updates the comment and fails the step when a gate fails', async () => {
    const token = gh.token('write');
    const result = await run('fail.yml', token);
    expect(result.code).toBe(1);
    expect(result.outputs.passed).toBe('false');
    expect(result.log).toMatch(/::error::cancer fails its gates: accuracy min/);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body?.split('\n')[0]).toMatch(/❌/);
  });

  it('stays green with a read-only token (a fork PR) when the gate passes, and says how to get comments', async () => {
    const before = ours()[0]?.body;
    const result = await run('pass.yml', gh.token('read-only'));
    expect(result.code).toBe(0);
    expect(result.outputs.passed).toBe('true');
    expect(result.log).toMatch(/::warning::could not comment on pull request #\d+ .*workflow_run/);
    expect(result.summary).toContain(MARKER);
    expect(ours()[0]?.body).toBe(before);
  });

  it('retries a 5xx from the API', async () => {
    gh.fail({ method: 'PATCH', path: /\/issues\/comments\/\d+$/, status: 502 });
    const result = await run('pass.yml', gh.token('write'));
    expect(result.code).toBe(0);
    const patches = gh
      .callsTo('PATCH', /\/issues\/comments\/\d+$/)
      .slice(-2)
      .map((c) => c.status);
    expect(patches).toEqual([502, 200]);
    expect(ours()).toHaveLength(1);
  });

  /** The decision is written whatever GitHub does: outputs, files and the summary, then one warning. */
  function expectDecisionKept(result: Awaited<ReturnType<typeof run>>, passed: 'true' | 'false') {
    expect(result.outputs.passed).toBe(passed);
    expect(result.outputs['comment-url']).toBe('');
    expect(existsSync(join(work, result.outputs.verdict as string))).toBe(true);
    expect(JSON.parse(readFileSync(join(work, result.outputs.verdict as string), 'utf8')).passed).toBe(
      passed === 'true',
    );
    expect(readFileSync(join(work, result.outputs.report as string), 'utf8')).toContain(MARKER);
    expect(result.summary).toContain(MARKER);
    expect(result.log).not.toMatch(/internal error/);
  }

  it('keeps the decision when the comments API answers 503 after every retry: a warning with the status, and the gate decides the step', async () => {
    const before = ours()[0]?.body;
    // The first call and the client's 3 retries, each after the Retry-After it was given.
    gh.fail({ path: /\/comments/, status: 503, times: 4, headers: { 'retry-after': '1' } });
    const result = await run('pass.yml', gh.token('write'));
    expect(result.code).toBe(0);
    expectDecisionKept(result, 'true');
    expect(result.log).toMatch(
      new RegExp(
        `::warning::could not post the report comment on pull request #${prNumber}: GitHub answered 503 \\(Server Error\\) after retries; the gate's result stands, and the report is in the job summary`,
      ),
    );
    expect(gh.calls.filter((c) => c.injected && c.status === 503)).toHaveLength(4);
    expect(ours()[0]?.body).toBe(before);

    gh.fail({ path: /\/comments/, status: 503, times: 4, headers: { 'retry-after': '1' } });
    const failing = await run('fail.yml', gh.token('write'));
    expect(failing.code).toBe(1);
    expectDecisionKept(failing, 'false');
    expect(failing.log).toMatch(/::error::cancer fails its gates: accuracy min/);
    expect(failing.log).toMatch(/::warning::could not post the report comment .*GitHub answered 503/);
  });

  it('retries a bare 429 after its Retry-After, and keeps the decision when it persists', async () => {
    gh.fail({ path: /\/comments/, status: 429, headers: { 'retry-after': '1' } });
    const retried = await run('pass.yml', gh.token('write'));
    expect(retried.code).toBe(0);
    expect(retried.outputs['comment-url']).toBe(ours()[0]?.html_url);
    expect(retried.log).toMatch(
      /::warning::GitHub answered 429 to GET .*comments.* with Retry-After 1 s; retrying in 1 s/,
    );

    gh.fail({ path: /\/comments/, status: 429, times: 2, headers: { 'retry-after': '1' } });
    const result = await run('pass.yml', gh.token('write'));
    expect(result.code).toBe(0);
    expectDecisionKept(result, 'true');
    expect(result.log).toMatch(
      new RegExp(
        `::warning::could not post the report comment on pull request #${prNumber}: GitHub answered 429 `,
      ),
    );
  });
});
