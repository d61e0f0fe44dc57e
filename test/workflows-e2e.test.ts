import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createFsRegistry, type ModelVersion } from '@modelgate/core';
import { type RunningServer, startServer } from '@modelgate/server';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectClose, features, ownOutput } from './deploy-helpers.ts';
import { type GitHubEmulator, type RecordedCall, startEmulator, webhookExample } from './emulator/index.ts';
import { routes } from './emulator/routes/index.ts';
import { cli, FIXTURES, ROOT, tempDir } from './helpers.ts';
import { workflowsInMarkdown } from './workflow-lint.ts';
import { type JobRun, type Permissions, runWorkflow, type WorkflowRun } from './workflow-runner.ts';

/**
 * The four flows of issue 8 on the combined starter template, run from its YAML, and a fork's
 * pull request through the workflow_run pair the docs show. The template calls the
 * reusable workflow (.github/workflows/modelgate.yml), whose jobs run the BUILT actions in the
 * order, with the inputs and the `if:`s the files say (test/workflow-runner.ts). GitHub is the
 * API emulator, the events are real webhook payloads, the models are real ONNX files scored on
 * the example project's data, and production is a real model server started here.
 */
const TEMPLATE = join(ROOT, 'action-templates', 'model-pipeline.yml');
const EXAMPLE = join(ROOT, 'examples', 'breast-cancer');
const MODEL_NAME = (
  parse(readFileSync(TEMPLATE, 'utf8')) as { jobs: { modelgate: { with: Record<string, string> } } }
).jobs.modelgate.with['model-name'] as string;
const ADMIN_TOKEN = 'workflows-e2e-admin-token';
// What each "commit" trains: the training stand-in copies candidates/<architecture>.onnx.
const CANDIDATES = {
  logistic: join(EXAMPLE, 'baseline.onnx'), // production at the start
  mlp: join(EXAMPLE, 'model.onnx'), // passes its gates against the logistic regression
  'mlp-wide': join(FIXTURES, 'binary-softmax', 'model.onnx'), // passes against the MLP
  random: join(ROOT, 'test', 'fixtures', 'deploy', 'random-classifier.onnx'), // fails: no better than chance
};

const work = tempDir('modelgate-workflows-e2e-');
const repo = join(work, 'repository');
const registryRoot = join(work, 'registry');
const actions = join(work, 'actions');
let gh: GitHubEmulator;
let server: RunningServer;
let runId = 1000;
const callLog: string[] = [];

// The user's repository: the example project, a training script and its candidates.
function makeRepository(): void {
  cpSync(EXAMPLE, repo, { recursive: true });
  mkdirSync(join(repo, 'candidates'));
  for (const [name, path] of Object.entries(CANDIDATES))
    copyFileSync(path, join(repo, 'candidates', `${name}.onnx`));
  // A stand-in for a training script: it "trains" the architecture this commit names, and
  // reports the params it was given, the way modelgate hands them over (variables and a file).
  writeFileSync(
    join(repo, 'train.mjs'),
    `import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
const params = process.env.MODELGATE_PARAMS_FILE ? JSON.parse(readFileSync(process.env.MODELGATE_PARAMS_FILE, 'utf8')) : {};
const architecture = readFileSync('architecture.txt', 'utf8').trim();
copyFileSync(\`candidates/\${architecture}.onnx\`, process.env.MODELGATE_MODEL_PATH);
writeFileSync('metrics.json', JSON.stringify({
  architecture,
  learning_rate: process.env.MODELGATE_PARAM_LEARNING_RATE ?? null,
  data_revision: process.env.MODELGATE_PARAM_DATA_REVISION ?? null,
  params_file: params,
}));
`,
  );
  // The example's gates, under the template's model name, and the training command.
  const config = readFileSync(join(repo, '.modelgate.yml'), 'utf8').replace(
    /^model: .*$/m,
    `model: ${MODEL_NAME}`,
  );
  writeFileSync(
    join(repo, '.modelgate.yml'),
    `${config}train:\n  command: node train.mjs\n  metrics_file: metrics.json\n`,
  );
}

/** A new commit of the repository: what its training script will train. */
function commit(architecture: keyof typeof CANDIDATES): void {
  writeFileSync(join(repo, 'architecture.txt'), `${architecture}\n`);
}

/** Production at the start: the logistic regression, gated and registered, served by the model server. */
async function seedProduction(): Promise<void> {
  const registry = `fs:${registryRoot}`;
  const evaluation = join(work, 'v1-evaluation.json');
  const verdict = join(work, 'v1-verdict.json');
  const data = join(EXAMPLE, 'data', 'eval.csv');
  for (const args of [
    [
      'evaluate',
      '--model',
      CANDIDATES.logistic,
      '--data',
      data,
      '--label',
      'target',
      '--slice-by',
      'size',
      '--out',
      evaluation,
    ],
    [
      'compare',
      '--candidate',
      evaluation,
      '--baseline',
      'none',
      '--gates',
      join(repo, '.modelgate.yml'),
      '--out',
      verdict,
    ],
    [
      'register',
      '--name',
      MODEL_NAME,
      '--model',
      CANDIDATES.logistic,
      '--evaluation',
      evaluation,
      '--verdict',
      verdict,
      '--alias',
      'production',
      '--registry',
      registry,
    ],
  ]) {
    const result = await cli(args, work);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  }
}

/**
 * A copy of each built action, as a runner checks one out. The steps that score a model find
 * onnxruntime-node through MODELGATE_ONNXRUNTIME_PATH, which runBuiltAction points at this
 * repository (the evaluate action's own test covers the download).
 */
function checkOutActions(): void {
  for (const step of ['train', 'evaluate', 'compare-to-baseline', 'register', 'deploy']) {
    const from = join(ROOT, 'actions', step);
    if (!existsSync(join(from, 'dist', 'index.js')))
      throw new Error(`actions/${step} is not built (npm run build)`);
    const to = join(actions, step);
    mkdirSync(join(to, 'dist'), { recursive: true });
    copyFileSync(join(from, 'action.yml'), join(to, 'action.yml'));
    copyFileSync(join(from, 'dist', 'index.js'), join(to, 'dist', 'index.js'));
  }
}

beforeAll(async () => {
  checkOutActions();
  makeRepository();
  gh = await startEmulator();
  gh.addRepo('Codertocat/Hello-World', { defaultBranch: 'master' });
  gh.addRepo('octo-org/octo-repo', { defaultBranch: 'master' });
  gh.addPullRequestFromPayload(webhookExample('pull_request', 'opened'));
  await seedProduction();
  server = await startServer({
    registry: createFsRegistry(registryRoot),
    port: 0,
    adminToken: ADMIN_TOKEN,
    preload: [`${MODEL_NAME}@production`],
  });
});

afterAll(async () => {
  console.log(`API calls per flow (job · call · status):\n${callLog.join('\n')}`);
  await server?.close();
  await gh?.close();
});

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/**
 * A merge: the real push payload of a branch push (the package's first push example is a tag),
 * pointing at the head of master in the emulator, which the Deployments API must resolve.
 */
function pushToMaster() {
  const push = definitions
    .find((d) => d.name === 'push')
    ?.examples.find((e) => (e as { ref: string }).ref === 'refs/heads/master');
  if (push === undefined) throw new Error('no branch push example');
  const payload = structuredClone(push) as unknown as { after: string; repository: { full_name: string } };
  const repository = payload.repository.full_name;
  const sha = headOf(repository, 'master');
  payload.after = sha;
  return { payload, repository, sha };
}

/** The real workflow_dispatch payload of a run on master, with the inputs a user typed (strings, as GitHub sends them). */
function dispatchPayload(inputs: Record<string, string>) {
  const dispatch = definitions
    .find((d) => d.name === 'workflow_dispatch')
    ?.examples.find((e) => (e as { ref: string }).ref === 'refs/heads/master');
  if (dispatch === undefined) throw new Error('no workflow_dispatch example on master');
  return { ...(structuredClone(dispatch) as Record<string, unknown>), inputs };
}

/** The test merge commit GitHub makes for a pull request run (the payloads leave merge_commit_sha null). */
function mergeCommit(label: string): string {
  return createHash('sha1').update(`merge commit of the ${label} run`).digest('hex');
}

/** The head commit of a branch in the emulator, which the Deployments API must be able to resolve. */
function headOf(repository: string, branch: string): string {
  const stored = gh.store.repos.get(repository.toLowerCase());
  const sha = stored === undefined ? undefined : gh.store.resolveCommit(stored, branch)?.sha;
  if (sha === undefined) throw new Error(`no ${branch} in ${repository}`);
  return sha;
}

// Which permission each emulated route needs, as GitHub documents it ('a=write; b=write': either).
const ROUTE_PERMISSIONS = new Map(routes.map((r) => [`${r.method} ${r.path}`, r.permission]));

/** The calls a job made that its `permissions:` would not allow on GitHub. */
function beyondPermissions(job: JobRun, calls: readonly RecordedCall[]): string[] {
  const granted = (scope: string, level: string) => {
    const have = (job.permissions as Permissions)[scope.replace('_', '-')] ?? 'none';
    return have === 'write' || (have === 'read' && level === 'read');
  };
  return calls
    .filter((call) => {
      const needed = ROUTE_PERMISSIONS.get(call.route ?? '');
      if (needed === undefined || needed === 'none' || needed.startsWith('metadata=')) return false;
      return !needed.split(';').some((alternative) => {
        const [scope = '', level = ''] = alternative.trim().split('=');
        return granted(scope, level);
      });
    })
    .map((call) => `${call.method} ${call.path}`);
}

interface Flow {
  name: string;
  runId?: number;
  event: string;
  payload: object;
  repository: string;
  sha: string;
  ref: string;
  /** A pull request from a fork: GitHub gives its run a read-only token. */
  fork?: boolean;
}

/** Runs a workflow (the combined template unless told) for an event, logs the API calls of each job, and checks them against its permissions. */
async function pipeline(flow: Flow, file = TEMPLATE): Promise<WorkflowRun> {
  const lockDir = join(work, `gpu-locks-${runId}`);
  const run = await runWorkflow(file, {
    root: ROOT,
    actions,
    repository: repo,
    event: { name: flow.event, payload: flow.payload as never },
    github: {
      repository: flow.repository,
      sha: flow.sha,
      ref: flow.ref,
      runId: flow.runId ?? runId++,
      apiUrl: gh.url,
      serverUrl: 'https://github.com',
    },
    secrets: { MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN },
    vars: { MODEL_SERVER_URL: server.url, MODELGATE_REGISTRY: `fs:${registryRoot}` },
    substitutions: { '$default-branch': 'master' },
    token: (permissions) =>
      gh.token(!flow.fork && Object.values(permissions).includes('write') ? 'write' : 'read-only'),
    // The GPU runner: a stand-in nvidia-smi with two H100s, and its own GPU lock directory.
    machine: (labels) =>
      labels.includes('gpu')
        ? {
            PATH: `${join(ROOT, 'test', 'fixtures', 'nvidia-smi')}:${process.env.PATH ?? ''}`,
            FAKE_NVIDIA_SMI_GPUS: '2',
            MODELGATE_GPU_LOCK_DIR: lockDir,
            MODELGATE_CACHE_DIR: join(work, 'cache'),
          }
        : {},
    workDir: work,
    callCount: () => gh.calls.length,
  });
  const steps = run.jobs.flatMap((job) => job.steps);
  callLog.push(
    `— ${flow.name}: ${run.conclusion}; ${run.jobs.length} jobs, ${steps.length} steps, ${steps.reduce((sum, s) => sum + s.seconds, 0).toFixed(1)} s in steps`,
  );
  for (const job of run.jobs) {
    const calls = gh.calls.slice(job.calls[0], job.calls[1]);
    for (const call of calls) {
      callLog.push(
        `${flow.name.padEnd(26)} ${job.path.padEnd(20)} ${`${call.method} ${call.path}`.padEnd(62)} ${call.status}`,
      );
    }
    expect(beyondPermissions(job, calls), `${job.path} went beyond its permissions`).toEqual([]);
  }
  return run;
}

/** The logs of the steps that failed: what a failing expectation should show. */
const failures = (run: WorkflowRun) =>
  run.jobs
    .flatMap((job) =>
      job.steps.filter((s) => s.outcome === 'failure').map((s) => `${job.path} › ${s.name}:\n${s.log}`),
    )
    .join('\n');

const result = (run: WorkflowRun, job: string) =>
  run.jobs.find((j) => j.path === `modelgate / ${job}`)?.result;
const MARKER = `<!-- modelgate:report model=${MODEL_NAME} -->`;
const stickyComments = (repository: string, number: number) =>
  gh
    .comments(repository, number)
    .filter((c) => c.user?.login === 'github-actions[bot]' && c.body?.includes(MARKER));

async function versions(): Promise<ModelVersion[]> {
  return createFsRegistry(registryRoot).list(MODEL_NAME);
}

/** One request through the public endpoint, with the version that answered. */
async function infer(): Promise<{ version: string | null; data: number[] }> {
  const rows = await features(20);
  const response = await fetch(`${server.url}/v2/models/${MODEL_NAME}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [
        { name: 'input', shape: [rows.rows, rows.width], datatype: 'FP32', data: Array.from(rows.data) },
      ],
    }),
  });
  const body = (await response.json()) as { outputs: Array<{ name: string; data: number[] }> };
  return {
    version: response.headers.get('x-modelgate-version'),
    data: body.outputs.find((o) => o.name === 'probabilities')?.data ?? [],
  };
}

async function expectServing(model: string, version: number): Promise<void> {
  const rows = await features(20);
  const answer = await infer();
  expect(answer.version).toBe(String(version));
  expectClose(answer.data, await ownOutput(model, rows.data, rows.rows, rows.width));
}

/** The repository's Deployments, newest first, each with the states of its statuses, oldest first. */
function deploymentsOf(repository: string) {
  const stored = gh.store.repos.get(repository.toLowerCase());
  return (stored === undefined ? [] : gh.store.deploymentsOf(stored)).map((d) => ({
    environment: d.environment,
    sha: d.sha,
    payload: d.payload,
    states: d.statuses.map((status) => status.state),
  }));
}

describe('the model pipeline template, run from its YAML', () => {
  it('on a pull request: trains on the GPU runner, evaluates, gates, and keeps one sticky comment that a push updates; nothing is registered or deployed', async () => {
    const opened = webhookExample('pull_request', 'opened');
    const repository = opened.repository.full_name;
    const number = opened.pull_request.number;
    commit('mlp');
    const first = await pipeline({
      name: 'pull_request opened',
      event: 'pull_request',
      payload: opened,
      repository,
      sha: mergeCommit('opened'),
      ref: `refs/pull/${number}/merge`,
    });
    expect(first.annotations.filter((a) => a.includes('::error::'))).toEqual([]);
    expect(first.conclusion, failures(first)).toBe('success');
    expect([result(first, 'train'), result(first, 'compare'), result(first, 'deploy')]).toEqual([
      'success',
      'success',
      'skipped',
    ]);
    const train = first.jobs.find((j) => j.path === 'modelgate / train');
    expect(train?.runsOn).toEqual(['self-hosted', 'gpu']);
    expect(train?.permissions).toEqual({ contents: 'read' });
    expect(train?.steps.map((s) => s.uses?.replace(/@.*/, '') ?? 'run')).toEqual([
      'actions/checkout',
      'modelgate/modelgate/actions/train',
      'modelgate/modelgate/actions/evaluate',
      'run',
      'actions/upload-artifact',
    ]);
    expect(train?.steps[1]?.outputs['gpu-count']).toBe('2');
    const comments = stickyComments(repository, number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body?.split('\n')[0]).toMatch(/^### ✅ modelgate: my-model passes its gates/);
    expect(comments[0]?.body).toContain('**Paired** comparison against baseline');
    if (process.env.MODELGATE_PR_COMMENT_OUT)
      writeFileSync(process.env.MODELGATE_PR_COMMENT_OUT, comments[0]?.body ?? '');

    // A second push to the PR trains a model that is no better than chance.
    const synchronize = webhookExample('pull_request', 'synchronize');
    commit('random');
    const second = await pipeline({
      name: 'pull_request synchronize',
      event: 'pull_request',
      payload: synchronize,
      repository,
      sha: mergeCommit('synchronize'),
      ref: `refs/pull/${number}/merge`,
    });
    expect(second.conclusion).toBe('failure');
    expect([result(second, 'compare'), result(second, 'deploy')]).toEqual(['failure', 'skipped']);
    const updated = stickyComments(repository, number);
    expect(updated).toHaveLength(1);
    expect(updated[0]?.id).toBe(comments[0]?.id);
    expect(updated[0]?.body?.split('\n')[0]).toMatch(/^### ❌ modelgate: my-model fails \d+ of \d+ gates/);
    expect(gh.callsTo('PATCH', /\/issues\/comments\/\d+$/).map((c) => c.status)).toEqual([200]);

    expect((await versions()).map((v) => v.version)).toEqual([1]);
    expect(gh.callsTo('POST', /\/deployments$/)).toHaveLength(0);
    await expectServing(CANDIDATES.logistic, 1);
  });

  it('on a merge with a passing gate: registers the model, moves production to it, records a Deployment, and the server answers with it', async () => {
    const { payload, repository, sha } = pushToMaster();
    commit('mlp');
    const run = await pipeline({
      name: 'push (gate passes)',
      event: 'push',
      payload,
      repository,
      sha,
      ref: 'refs/heads/master',
    });
    expect(run.annotations.filter((a) => a.includes('::error::'))).toEqual([]);
    expect(run.conclusion, failures(run)).toBe('success');
    const deploy = run.jobs.find((j) => j.path === 'modelgate / deploy');
    expect(deploy?.result).toBe('success');
    expect(deploy?.permissions).toEqual({ contents: 'write', deployments: 'write' });
    expect(deploy?.environment).toEqual({ name: 'production', url: `${server.url}/v2/models/${MODEL_NAME}` });
    expect(deploy?.concurrency).toEqual({
      group: `modelgate-deploy-${repository}-${MODEL_NAME}-production`,
      cancelInProgress: false,
    });

    const [, v2] = await versions();
    expect(v2).toMatchObject({ version: 2, aliases: ['production'] });
    expect(v2?.verdict?.passed).toBe(true);
    expect(v2?.verdict?.baseline?.ref).toBe('production');
    expect(v2?.lineage).toMatchObject({ commit: sha, ref: 'refs/heads/master', parent_version: 1 });
    expect(deploy?.outputs).toEqual({ version: '2', deployed: 'true' });

    const [recorded] = deploymentsOf(repository);
    expect(recorded).toMatchObject({
      environment: 'production',
      sha,
      payload: { modelgate: { version: 2 } },
    });
    expect(recorded?.states).toEqual(['in_progress', 'success']);
    await expectServing(CANDIDATES.mlp, 2);
  });

  it('on a merge with a failing gate: nothing is registered or deployed, the run fails with the reason, and production keeps serving', async () => {
    const { payload, repository, sha } = pushToMaster();
    const deploymentsBefore = deploymentsOf(repository).length;
    commit('random');
    const run = await pipeline({
      name: 'push (gate fails)',
      event: 'push',
      payload,
      repository,
      sha,
      ref: 'refs/heads/master',
    });
    expect(run.conclusion).toBe('failure');
    expect([result(run, 'train'), result(run, 'compare'), result(run, 'deploy')]).toEqual([
      'success',
      'failure',
      'skipped',
    ]);
    expect(run.annotations).toContainEqual(
      expect.stringMatching(
        /^modelgate \/ compare: ::error::my-model fails its gates: accuracy min \(0\.\d+ < min 0\.9\)/,
      ),
    );
    expect((await versions()).map((v) => [v.version, v.aliases])).toEqual([
      [1, []],
      [2, ['production']],
    ]);
    expect(deploymentsOf(repository)).toHaveLength(deploymentsBefore);
    await expectServing(CANDIDATES.mlp, 2);
  });

  it('on a workflow_dispatch retrain: the typed inputs reach training and the lineage, and the same gates decide the deploy', async () => {
    // A value a shell would choke on: it must arrive as text, never as a command.
    const revision = `v2 "it's"; $(touch pwned)`;
    const payload = dispatchPayload({
      'learning-rate': '0.01',
      epochs: '3',
      'data-revision': revision,
      deploy: 'true',
    });
    const repository = 'octo-org/octo-repo';
    const sha = headOf(repository, 'master');
    commit('mlp-wide');
    const run = await pipeline({
      name: 'workflow_dispatch',
      event: 'workflow_dispatch',
      payload,
      repository,
      sha,
      ref: 'refs/heads/master',
    });
    expect(run.annotations.filter((a) => a.includes('::error::'))).toEqual([]);
    expect(run.conclusion, failures(run)).toBe('success');

    const params = { 'learning-rate': 0.01, epochs: 3, 'data-revision': revision, deploy: true };
    const train = run.jobs.find((j) => j.path === 'modelgate / train');
    expect(JSON.parse(train?.steps[1]?.with.params ?? '')).toEqual(params);
    const [, , v3] = await versions();
    expect(v3).toMatchObject({ version: 3, aliases: ['production'] });
    expect(v3?.lineage.params).toEqual(params);
    // The training command saw them as MODELGATE_PARAM_* variables and the params file.
    expect(v3?.lineage.training).toMatchObject({
      params,
      metrics: {
        architecture: 'mlp-wide',
        learning_rate: '0.01',
        data_revision: revision,
        params_file: params,
      },
    });
    expect(v3?.verdict).toMatchObject({
      passed: true,
      baseline: { ref: 'production', sha256: (await versions())[1]?.sha256 },
    });
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    const [recorded] = deploymentsOf(repository);
    expect(recorded).toMatchObject({ environment: 'production', payload: { modelgate: { version: 3 } } });
    await expectServing(CANDIDATES['mlp-wide'], 3);
  });

  it("on a pull request from a fork: no GPU job starts, and the workflow_run pair from the docs posts the report without running the fork's code", async () => {
    const payload = webhookExample('pull_request', 'opened');
    const repository = payload.repository.full_name;
    const head = payload.pull_request.head.repo;
    if (head === null) throw new Error('the example has a head repository');
    payload.pull_request.number = 3;
    head.full_name = `mallory/${head.name}`;
    head.owner.login = 'mallory';
    head.fork = true;
    payload.pull_request.head.sha = 'f'.repeat(40);
    gh.addPullRequestFromPayload(payload);
    const flow = {
      event: 'pull_request',
      payload,
      repository,
      sha: mergeCommit('fork'),
      ref: 'refs/pull/3/merge',
      fork: true,
    };
    commit('mlp');

    // The pipeline's GPU job is not even started for a fork.
    const pipelineRun = await pipeline({ ...flow, name: 'fork: model pipeline' });
    expect(pipelineRun.conclusion).toBe('skipped');
    expect(pipelineRun.jobs.map((j) => [j.path, j.result])).toEqual([
      ['modelgate / train', 'skipped'],
      ['modelgate / compare', 'skipped'],
      ['modelgate / deploy', 'skipped'],
    ]);

    // The documented pair, run from the markdown itself.
    const documented = workflowsInMarkdown(readFileSync(join(ROOT, 'docs', 'fork-pull-requests.md'), 'utf8'));
    const files = Object.fromEntries(
      documented.map((w) => {
        const file = join(work, w.path.replaceAll('/', '_'));
        writeFileSync(file, w.text);
        return [w.path, file];
      }),
    );
    const untrusted = files['.github/workflows/model-report-fork.yml'] as string;
    const privileged = files['.github/workflows/model-report-comment.yml'] as string;
    const forkRunId = runId++;
    const report = await pipeline({ ...flow, name: 'fork: report (read-only)', runId: forkRunId }, untrusted);
    expect(report.conclusion, failures(report)).toBe('success');
    expect(report.jobs[0]?.runsOn).toEqual(['ubuntu-latest']);
    const [from, to] = report.jobs[0]?.calls ?? [0, 0];
    expect(gh.calls.slice(from, to).every((c) => c.method === 'GET' && c.auth === 'read-only')).toBe(true);
    expect(stickyComments(repository, 3)).toHaveLength(0);

    const completed = (overrides: Record<string, unknown> = {}) => {
      const event = webhookExample('workflow_run', 'completed');
      Object.assign(event.workflow_run, {
        id: forkRunId,
        name: 'Model report (fork)',
        event: 'pull_request',
        conclusion: 'success',
        head_sha: payload.pull_request.head.sha,
        pull_requests: [],
        ...overrides,
      });
      event.workflow_run.head_repository.full_name = head.full_name;
      event.repository = payload.repository as never;
      return event;
    };
    const base = {
      event: 'workflow_run',
      repository,
      sha: headOf(repository, 'master'),
      ref: 'refs/heads/master',
    };
    const comment = await pipeline({ ...base, name: 'fork: workflow_run', payload: completed() }, privileged);
    expect(comment.conclusion, failures(comment)).toBe('success');
    const posted = stickyComments(repository, 3);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body?.split('\n')[0]).toMatch(/^### ✅ modelgate: my-model passes its gates/);

    // An artifact that names another pull request (a forged number) is refused: #2's head is another commit.
    const forged = join(work, 'artifacts', String(forkRunId), 'modelgate-report', 'pull-request.json');
    writeFileSync(forged, '{"number": 2}\n');
    const before = stickyComments(repository, 2)[0]?.body;
    const refused = await pipeline(
      { ...base, name: 'fork: forged number', payload: completed() },
      privileged,
    );
    expect(refused.conclusion).toBe('failure');
    expect(refused.annotations).toContainEqual(
      expect.stringMatching(
        /::error::pull request #2 is at ec26c3e\w+, not at f{40}, the commit the report is about/,
      ),
    );
    expect(stickyComments(repository, 2)[0]?.body).toBe(before);
  });

  it('checks every call against the permissions of the job that made it, and would catch one beyond them', () => {
    const posts = gh.callsTo('POST', /\/issues\/\d+\/comments$/);
    const deployments = gh.callsTo('POST', /\/deployments$/);
    expect(posts.length).toBeGreaterThan(0);
    expect(deployments.length).toBeGreaterThan(0);
    const job = (permissions: Permissions) => ({ permissions }) as JobRun;
    expect(beyondPermissions(job({ 'pull-requests': 'write' }), posts)).toEqual([]);
    expect(beyondPermissions(job({ contents: 'read' }), posts)).toHaveLength(posts.length);
    expect(beyondPermissions(job({ contents: 'write' }), deployments)).toHaveLength(deployments.length);
    expect(beyondPermissions(job({ deployments: 'read' }), deployments)).toHaveLength(deployments.length);
  });
});
