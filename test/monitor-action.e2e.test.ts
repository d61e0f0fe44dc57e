import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MONITOR_ACTION_OPTIONS } from '../packages/core/src/steps/monitor/settings.ts';
import { type GitHubEmulator, startEmulator } from './emulator/index.ts';
import { bin, ROOT, runBuiltAction, tempDir } from './helpers.ts';

/**
 * The built monitor action, run as the runner runs it on a `schedule` event, against the GitHub
 * API emulator over loopback with real Octokit: the first drift opens the model's issue, the
 * next edits it (never a second one), a run without drift leaves it alone, and the retrain
 * workflow is dispatched with the drift record's id only when the workflow opts in.
 */
const work = tempDir('modelgate-monitor-action-');
const main = join(ROOT, 'actions', 'monitor', 'dist', 'index.js');
const actionYml = join(ROOT, 'actions', 'monitor', 'action.yml');
const REPO = 'octo/models';
const MARKER = '<!-- modelgate:drift model=churn -->';
let gh: GitHubEmulator;
let token: string;

/** A reference of two columns, and a current table like it or with `x` moved by 2. */
function table(name: string, shift: number, rows = 300): string {
  const lines = ['x,region'];
  for (let i = 0; i < rows; i++) {
    const u = (i + 0.5) / rows;
    // Evenly spread normal-ish quantiles, so the tables are the same on every run.
    const x = Math.log(u / (1 - u)) * 0.6 + shift;
    lines.push(`${x.toFixed(4)},${['eu', 'us', 'apac'][i % 3]}`);
  }
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

beforeAll(async () => {
  gh = await startEmulator();
  gh.addRepo(REPO);
  token = gh.token('write');
  writeFileSync(join(work, '.modelgate.yml'), 'model: churn\nmonitor:\n  reference: reference.csv\n');
  table('reference.csv', 0);
  table('same.csv', 0, 240);
  table('drifted.csv', 2);
  writeFileSync(join(work, 'event.json'), JSON.stringify({ schedule: '17 6 * * 1' }));
  // A person's issue that quotes the marker is never ours to edit.
  gh.addIssue({ repo: REPO, title: 'About drift alarms', author: 'octocat' });
  mkdirSync(join(work, 'logs'), { recursive: true });
});

afterAll(async () => {
  await gh?.close();
});

async function run(current: string, inputs: Record<string, string> = {}) {
  return runBuiltAction(main, {
    cwd: work,
    actionYml,
    token,
    inputs: { current, ...inputs },
    env: {
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: join(work, 'event.json'),
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '77',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
    },
  });
}

const ours = () =>
  gh.store
    .issuesOf(gh.store.repo('octo', 'models') ?? (undefined as never))
    .filter((i) => i.user.login === 'github-actions[bot]' && i.body?.includes(MARKER) === true);

describe('actions/monitor/action.yml', () => {
  it('declares every option the step reads, plus the config, the runtime and the token, and the promised outputs', () => {
    const action = parse(readFileSync(actionYml, 'utf8')) as { inputs: object; outputs: object };
    expect(Object.keys(action.inputs).sort()).toEqual(
      [...Object.keys(MONITOR_ACTION_OPTIONS), 'config', 'onnxruntime-path', 'github-token'].sort(),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(['drift', 'drifted', 'issue-url', 'report']);
  });
});

describe('the monitor action on a schedule', () => {
  it('opens one issue on the first drift, with the report, and fails the step', async () => {
    const first = await run('drifted.csv');
    expect(first.code, first.log).toBe(1);
    expect(first.log).toMatch(/::error::drift: Drift detected for churn: 1 of 2 features drifted/);
    expect(first.outputs.drifted).toBe('true');
    expect(first.outputs.drift).toBe('modelgate-drift.json');
    expect(first.outputs.report).toBe('modelgate-drift.md');
    expect(ours()).toHaveLength(1);
    const issue = ours()[0];
    expect(first.outputs['issue-url']).toBe(`https://github.com/${REPO}/issues/${issue?.number}`);
    expect(issue?.title).toBe('modelgate: Drift detected for churn: 1 of 2 features drifted');
    expect(issue?.body?.split('\n')[0]).toMatch(/^## ⚠️ Drift detected for churn/);
    expect(issue?.body).toBe(readFileSync(join(work, 'modelgate-drift.md'), 'utf8'));
    expect(first.summary).toContain(MARKER);
    expect(gh.callsTo('POST', /\/dispatches$/)).toHaveLength(0);
  });

  it('edits that issue on the next drift, and opens no second one', async () => {
    const before = gh.callsTo('POST', /\/repos\/octo\/models\/issues$/).length;
    const second = await run('drifted.csv');
    expect(second.code).toBe(1);
    expect(gh.callsTo('POST', /\/repos\/octo\/models\/issues$/)).toHaveLength(before);
    expect(gh.callsTo('PATCH', /\/repos\/octo\/models\/issues\/\d+$/)).toHaveLength(1);
    expect(ours()).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(work, 'modelgate-drift.json'), 'utf8'));
    expect(ours()[0]?.body).toContain(`Drift record \`${record.id}\``);
  });

  it('leaves the issue alone when there is no drift: exit 0, no call to the issues API', async () => {
    const calls = gh.calls.length;
    const body = ours()[0]?.body;
    const quiet = await run('same.csv');
    expect(quiet.code, quiet.log).toBe(0);
    expect(quiet.outputs.drifted).toBe('false');
    expect(quiet.outputs['issue-url']).toBe('');
    expect(gh.calls.slice(calls)).toEqual([]);
    expect(ours()[0]?.body).toBe(body);
  });

  it('dispatches the retrain workflow with the drift id when opted in', async () => {
    const dispatched = await run('drifted.csv', { 'dispatch-workflow': 'model-retrain.yml' });
    expect(dispatched.code).toBe(1);
    const record = JSON.parse(readFileSync(join(work, 'modelgate-drift.json'), 'utf8'));
    const calls = gh.callsTo(
      'POST',
      /\/repos\/octo\/models\/actions\/workflows\/model-retrain\.yml\/dispatches$/,
    );
    expect(calls.map((c) => [c.status, c.auth])).toEqual([[204, 'write']]);
    expect(gh.store.dispatches.map((d) => [d.workflow, d.ref, d.inputs])).toEqual([
      ['model-retrain.yml', 'refs/heads/main', { 'drift-id': record.id }],
    ]);
    expect(dispatched.log).toContain(`dispatched model-retrain.yml with drift id ${record.id}`);
    expect(ours()).toHaveLength(1);
  });

  it('reads a request log folder as the current data; a column it lacks is one error line, and nothing is written', async () => {
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'request-logs', 'requests-20261201T060000Z-4242-0.jsonl'),
      join(work, 'logs', 'requests-20261201T060000Z-4242-0.jsonl'),
    );
    const bad = await run('logs', { out: 'bad.json', report: 'bad.md' });
    expect(bad.code).toBe(1);
    expect(bad.log).toMatch(
      /::error::column 'x' of reference\.csv \('monitor\.reference' in \.modelgate\.yml\) is missing from logs \(input 'current'\)/,
    );
    expect(bad.log.match(/::error::/g)).toHaveLength(1);
    expect(() => readFileSync(join(work, 'bad.json'))).toThrow();
    expect(() => readFileSync(join(work, 'bad.md'))).toThrow();
  });

  it('decides as the CLI does on the same inputs and config: the same record but for its time and id', async () => {
    const fromAction = await run('drifted.csv', { issue: 'false', out: 'action.json' });
    expect(fromAction.code).toBe(1);
    const fromCli = bin(['monitor', '--current', 'drifted.csv', '--out', 'cli.json'], work);
    expect(fromCli.code, fromCli.stderr).toBe(1);
    const comparable = (path: string) => {
      const { created_at: _, id: __, ...rest } = JSON.parse(readFileSync(join(work, path), 'utf8'));
      return rest;
    };
    expect(comparable('cli.json')).toEqual(comparable('action.json'));
  });
});
