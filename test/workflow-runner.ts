/**
 * Runs a workflow file the way GitHub Actions would, on this machine, so that end-to-end tests
 * follow the YAML itself and cannot drift from it: job order from `needs:`, `if:` conditions,
 * `runs-on`, per-job permissions (a token minted for them), `${{ }}` expressions, step outputs
 * through GITHUB_OUTPUT only, job outputs, reusable workflows (`uses:` a `.github/workflows/`
 * file, with typed inputs, secrets and outputs), environments and concurrency groups (recorded).
 *
 * Steps that `uses:` one of our actions run its BUILT bundle as the runner does (runBuiltAction).
 * `run:` steps run in bash. The reviewed third-party actions have stand-ins that do what they do
 * to the files: checkout copies the repository into a fresh workspace, upload-artifact and
 * download-artifact move folders through a per-run artifact store. Every job gets its own empty
 * workspace and RUNNER_TEMP, as on separate machines: a file that a job did not check out,
 * download or make is not there.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseOutputs, runBuiltAction } from './helpers.ts';
import { condition, interpolate, type Scope, toText, truthy, type Value } from './workflow-expressions.ts';
import { OWN_REPOSITORY, ownActionStep, ownWorkflowPath, PINNED_ACTIONS, triggers } from './workflow-lint.ts';

type Json = { [key: string]: Value };

export type Permissions = Record<string, 'read' | 'write' | 'none'>;

export interface WorkflowEvent {
  name: string;
  payload: Json;
}

export interface RunnerOptions {
  /** The modelgate repository: `.github/workflows/` (reusable workflows). */
  root: string;
  /** Where the built actions are: `<step>/action.yml` and `<step>/dist/index.js`. Default `root/actions`. */
  actions?: string;
  /** The user's repository at the commit of the run: what actions/checkout copies. */
  repository: string;
  event: WorkflowEvent;
  github: {
    repository: string;
    sha: string;
    ref: string;
    runId: number;
    apiUrl: string;
    serverUrl: string;
  };
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** A GITHUB_TOKEN for a job with these (effective) permissions. */
  token(permissions: Permissions, job: string): string;
  /** What the machine behind these `runs-on` labels adds to the environment (PATH, lock dirs, …). */
  machine?(labels: readonly string[]): NodeJS.ProcessEnv;
  /** Where workspaces, temp folders and the artifact store are made. */
  workDir: string;
  /** Text GitHub replaces in a starter template when a user adds it, e.g. `$default-branch`. */
  substitutions?: Record<string, string>;
  /** A counter of API calls (the emulator's), to say which job made which calls. */
  callCount?(): number;
}

export type JobResult = 'success' | 'failure' | 'skipped';

export interface StepRun {
  name: string;
  uses?: string;
  run?: string;
  with: Record<string, string>;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  log: string;
  /** Wall time of the step. */
  seconds: number;
}

export interface JobRun {
  /** `caller / called` for the jobs of a reusable workflow. */
  path: string;
  result: JobResult;
  runsOn: string[];
  permissions: Permissions;
  environment?: { name: string; url: string };
  concurrency?: { group: string; cancelInProgress: boolean };
  steps: StepRun[];
  outputs: Record<string, string>;
  /** The API calls the job made: indices into the emulator's record, [from, to). */
  calls: [number, number];
}

export interface WorkflowRun {
  triggered: boolean;
  conclusion: 'success' | 'failure' | 'skipped';
  jobs: JobRun[];
  /** The `::error::` and `::warning::` annotations of every step, as the run page lists them. */
  annotations: string[];
  /** Where this run's artifacts are, by name. */
  artifacts: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs a workflow file for an event. */
export async function runWorkflow(file: string, options: RunnerOptions): Promise<WorkflowRun> {
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of Object.entries(options.substitutions ?? {})) text = text.replaceAll(from, to);
  const workflow = parse(text) as Json;
  // Artifacts belong to a run; another run (workflow_run) downloads them by run id.
  const artifacts = join(options.workDir, 'artifacts', String(options.github.runId));
  if (existsSync(artifacts)) throw new Error(`run id ${options.github.runId} was used already`);
  mkdirSync(artifacts, { recursive: true });
  const run: WorkflowRun = {
    triggered: false,
    conclusion: 'skipped',
    jobs: [],
    annotations: [],
    artifacts,
  };
  if (!isTriggered(workflow, options)) return run;
  run.triggered = true;
  const dispatchInputs =
    options.event.name === 'workflow_dispatch'
      ? typedInputs(workflow, 'workflow_dispatch', options.event.payload.inputs)
      : {};
  const results = await runJobs(
    workflow,
    { ...options, artifacts, run },
    { inputs: dispatchInputs, secrets: options.secrets ?? {}, prefix: '', maxPermissions: undefined },
  );
  run.conclusion = conclusion(results);
  return run;
}

/** A failed job fails the whole; a run whose every job was skipped is skipped. */
function conclusion(results: Record<string, JobOutcome>): JobResult {
  const outcomes = Object.values(results).map((r) => r.result);
  if (outcomes.includes('failure')) return 'failure';
  return outcomes.includes('success') ? 'success' : 'skipped';
}

function isTriggered(workflow: Json, options: RunnerOptions): boolean {
  const on = triggers(workflow as Record<string, unknown>);
  if (!(options.event.name in on)) return false;
  const filter = on[options.event.name];
  if (!isObject(filter)) return true;
  const branches = filter.branches;
  if (!Array.isArray(branches)) return true;
  // Branch filters match the pull request's base branch, or the pushed branch.
  const pullRequest = options.event.payload.pull_request;
  const branch =
    isObject(pullRequest) && isObject(pullRequest.base)
      ? String(pullRequest.base.ref)
      : options.github.ref.replace(/^refs\/heads\//, '');
  return branches.some((pattern) => globMatch(String(pattern), branch));
}

function globMatch(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '.*')
    .replace(/(?<!\.)\*/g, '[^/]*');
  return new RegExp(`^${regex}$`).test(text);
}

/** A workflow's declared inputs, with defaults applied and values given their declared type. */
function typedInputs(
  workflow: Json,
  event: 'workflow_dispatch' | 'workflow_call',
  given: Value | undefined,
): Json {
  const on = triggers(workflow as Record<string, unknown>);
  const spec = isObject(on[event]) ? ((on[event] as Json).inputs as Json | undefined) : undefined;
  const values = isObject(given) ? given : {};
  const inputs: Json = {};
  for (const name of Object.keys(values)) {
    if (!isObject(spec) || !(name in spec)) throw new Error(`${event}: the workflow has no input '${name}'`);
  }
  for (const [name, declared] of Object.entries(isObject(spec) ? spec : {})) {
    const input = isObject(declared) ? declared : {};
    const value = name in values ? values[name] : input.default;
    if (value === undefined || value === null) {
      if (input.required === true) throw new Error(`${event}: input '${name}' is required`);
      inputs[name] = input.type === 'boolean' ? false : input.type === 'number' ? 0 : '';
      continue;
    }
    if (input.type === 'boolean') inputs[name] = value === true || value === 'true';
    else if (input.type === 'number') inputs[name] = Number(value);
    else inputs[name] = toText(value);
  }
  return inputs;
}

interface RunState extends RunnerOptions {
  artifacts: string;
  run: WorkflowRun;
}

interface Frame {
  inputs: Json;
  secrets: Record<string, string>;
  prefix: string;
  /** The caller job's permissions: a called workflow's jobs get at most these. */
  maxPermissions: Permissions | undefined;
}

interface JobOutcome {
  result: JobResult;
  outputs: Record<string, string>;
}

async function runJobs(workflow: Json, state: RunState, frame: Frame): Promise<Record<string, JobOutcome>> {
  const jobs = isObject(workflow.jobs) ? workflow.jobs : {};
  const done: Record<string, JobOutcome> = {};
  const pending = Object.keys(jobs);
  while (pending.length > 0) {
    const index = pending.findIndex((id) => needsOf(jobs[id] as Json).every((need) => need in done));
    if (index < 0) throw new Error(`jobs wait on each other: ${pending.join(', ')}`);
    const [id] = pending.splice(index, 1) as [string];
    done[id] = await runJob(id, jobs[id] as Json, workflow, state, frame, done);
  }
  return done;
}

function needsOf(job: Json): string[] {
  if (typeof job.needs === 'string') return [job.needs];
  return Array.isArray(job.needs) ? job.needs.map(String) : [];
}

function githubContext(state: RunState, job: string, token: string, workspace: string): Json {
  const { github, event } = state;
  const pr = event.payload.pull_request as Json | undefined;
  return {
    event_name: event.name,
    event: event.payload,
    ref: github.ref,
    ref_name: github.ref.replace(/^refs\/(heads|tags)\//, ''),
    sha: github.sha,
    repository: github.repository,
    repository_owner: github.repository.split('/')[0] ?? '',
    run_id: String(github.runId),
    run_number: '1',
    run_attempt: '1',
    server_url: github.serverUrl,
    api_url: github.apiUrl,
    workspace,
    token,
    job,
    actor: String(((event.payload.sender as Json | undefined)?.login as string | undefined) ?? 'octocat'),
    head_ref: pr === undefined ? '' : String((pr.head as Json).ref),
    base_ref: pr === undefined ? '' : String((pr.base as Json).ref),
  };
}

function effectivePermissions(job: Json, workflow: Json, frame: Frame, path: string): Permissions {
  const own = isObject(job.permissions) ? (job.permissions as Permissions) : undefined;
  const top = isObject(workflow.permissions) ? (workflow.permissions as Permissions) : undefined;
  const granted = own ?? top ?? frame.maxPermissions ?? {};
  if (frame.maxPermissions !== undefined) {
    for (const [scope, level] of Object.entries(granted)) {
      const max = frame.maxPermissions[scope] ?? 'none';
      if (rank(level) > rank(max)) {
        throw new Error(`${path} asks for ${scope}: ${level}, more than its caller grants (${max})`);
      }
    }
  }
  return granted;
}

const rank = (level: string) => (level === 'write' ? 2 : level === 'read' ? 1 : 0);

async function runJob(
  id: string,
  job: Json,
  workflow: Json,
  state: RunState,
  frame: Frame,
  done: Record<string, JobOutcome>,
): Promise<JobOutcome> {
  const path = `${frame.prefix}${id}`;
  const needs = needsOf(job);
  const needsContext: Json = Object.fromEntries(
    needs.map((n) => [n, { result: done[n]?.result ?? 'skipped', outputs: done[n]?.outputs ?? {} }]),
  );
  const base: Scope['contexts'] = {
    github: githubContext(state, id, '', ''),
    inputs: frame.inputs,
    needs: needsContext,
    vars: state.vars ?? {},
    secrets: frame.secrets,
  };
  const failedNeeds = needs.some((n) => done[n]?.result !== 'success');
  const start = state.callCount?.() ?? 0;
  const record: JobRun = {
    path,
    result: 'skipped',
    runsOn: [],
    permissions: {},
    steps: [],
    outputs: {},
    calls: [start, start],
  };
  if (
    !condition(job.if as string | boolean | undefined, { contexts: base, status: { failed: failedNeeds } })
  ) {
    state.run.jobs.push(record);
    return { result: 'skipped', outputs: {} };
  }
  const permissions = effectivePermissions(job, workflow, frame, path);
  if (typeof job.uses === 'string') return callWorkflow(job, path, permissions, base, state);
  record.permissions = permissions;
  state.run.jobs.push(record);

  const machine = startMachine(id, job, workflow, record, base, state);
  const failed = await runSteps(job, record, machine, state);
  // Job outputs and the environment URL are read once every step has run.
  const after: Scope = { contexts: machine.contexts };
  for (const [key, value] of Object.entries(isObject(job.outputs) ? job.outputs : {})) {
    record.outputs[key] = toText(interpolate(String(value), after));
  }
  if (record.environment !== undefined && isObject(job.environment) && job.environment.url !== undefined) {
    record.environment.url = toText(interpolate(String(job.environment.url), after));
  }
  record.result = failed ? 'failure' : 'success';
  record.calls = [start, state.callCount?.() ?? 0];
  return { result: record.result, outputs: record.outputs };
}

/** The machine a job runs on: a fresh workspace and temp folder, its token, environment and contexts. */
interface Machine {
  workspace: string;
  token: string;
  env: NodeJS.ProcessEnv;
  contexts: Scope['contexts'];
}

function startMachine(
  id: string,
  job: Json,
  workflow: Json,
  record: JobRun,
  base: Scope['contexts'],
  state: RunState,
): Machine {
  const token = state.token(record.permissions, record.path);
  const workspace = mkdtempSync(join(state.workDir, `${id}-workspace-`));
  const temp = mkdtempSync(join(state.workDir, `${id}-temp-`));
  const github = githubContext(state, id, token, workspace);
  const contexts: Scope['contexts'] = { ...base, github, steps: {}, env: {} };
  const runsOn = job['runs-on'];
  const labels = interpolate(typeof runsOn === 'string' ? runsOn : JSON.stringify(runsOn), { contexts });
  record.runsOn = (
    Array.isArray(labels)
      ? labels
      : typeof labels === 'string' && labels.startsWith('[')
        ? JSON.parse(labels)
        : [labels]
  ).map(String);
  const selfHosted = record.runsOn.includes('self-hosted');
  const environment = selfHosted ? 'self-hosted' : 'github-hosted';
  contexts.runner = { temp, os: 'Linux', arch: 'X64', name: `${id}-runner`, environment };
  if (isObject(job.concurrency)) {
    const cancel = job.concurrency['cancel-in-progress'];
    record.concurrency = {
      group: toText(interpolate(String(job.concurrency.group), { contexts })),
      cancelInProgress:
        typeof cancel === 'string' ? truthy(interpolate(cancel, { contexts })) : cancel === true,
    };
  }
  const named = isObject(job.environment) ? job.environment.name : job.environment;
  if (named !== undefined)
    record.environment = { name: toText(interpolate(String(named), { contexts })), url: '' };
  const eventPath = join(temp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(state.event.payload));
  // The variables the runner sets for every step, then what the machine adds, then `env:`.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: state.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: state.github.repository,
    GITHUB_REPOSITORY_OWNER: String(github.repository_owner),
    GITHUB_SHA: state.github.sha,
    GITHUB_REF: state.github.ref,
    GITHUB_API_URL: state.github.apiUrl,
    GITHUB_SERVER_URL: state.github.serverUrl,
    GITHUB_RUN_ID: String(state.github.runId),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: id,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    RUNNER_ENVIRONMENT: environment,
    ...(state.machine?.(record.runsOn) ?? {}),
  };
  const jobEnv: Record<string, string> = {};
  for (const source of [workflow.env, job.env]) {
    for (const [key, value] of Object.entries(isObject(source) ? source : {})) {
      jobEnv[key] = toText(interpolate(String(value), { contexts }));
    }
  }
  contexts.env = jobEnv;
  return { workspace, token, env: { ...env, ...jobEnv }, contexts };
}

/** Runs a job's steps in order; after a failure only steps whose `if:` asks for it run. Returns whether one failed. */
async function runSteps(job: Json, record: JobRun, machine: Machine, state: RunState): Promise<boolean> {
  const { contexts, workspace, token } = machine;
  const stepsContext = contexts.steps as Json;
  let failed = false;
  for (const [i, step] of (Array.isArray(job.steps) ? (job.steps as Json[]) : []).entries()) {
    const name = String(
      step.name ?? step.uses ?? (typeof step.run === 'string' ? step.run.split('\n')[0] : `step ${i}`),
    );
    const scope: Scope = { contexts, status: { failed } };
    const stepRun: StepRun = { name, with: {}, outcome: 'skipped', outputs: {}, log: '', seconds: 0 };
    if (typeof step.uses === 'string') stepRun.uses = step.uses;
    if (typeof step.run === 'string') stepRun.run = step.run;
    record.steps.push(stepRun);
    const id = typeof step.id === 'string' ? step.id : undefined;
    if (!condition(step.if as string | boolean | undefined, scope)) {
      if (id !== undefined) stepsContext[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    const env: NodeJS.ProcessEnv = { ...machine.env };
    for (const [key, value] of Object.entries(isObject(step.env) ? step.env : {})) {
      env[key] = toText(interpolate(String(value), scope));
    }
    for (const [key, value] of Object.entries(isObject(step.with) ? step.with : {})) {
      stepRun.with[key] = toText(typeof value === 'string' ? interpolate(value, scope) : (value as Value));
    }
    const started = performance.now();
    const outcome = await runStep(step, stepRun, { env, workspace, token, state });
    stepRun.seconds = (performance.now() - started) / 1000;
    stepRun.outcome = outcome.code === 0 ? 'success' : 'failure';
    stepRun.outputs = outcome.outputs;
    stepRun.log = outcome.log;
    for (const line of outcome.log.split('\n')) {
      if (/^::(error|warning)( [^:]*)?::/.test(line)) state.run.annotations.push(`${record.path}: ${line}`);
    }
    if (id !== undefined)
      stepsContext[id] = { outputs: outcome.outputs, outcome: stepRun.outcome, conclusion: stepRun.outcome };
    if (stepRun.outcome === 'failure') failed = true;
  }
  return failed;
}

/** A job that calls a reusable workflow: its jobs run here, as jobs of this run. */
async function callWorkflow(
  job: Json,
  path: string,
  permissions: Permissions,
  base: Scope['contexts'],
  state: RunState,
): Promise<JobOutcome> {
  const called = calledWorkflow(String(job.uses), state.root);
  const given: Json = {};
  for (const [key, value] of Object.entries(isObject(job.with) ? job.with : {})) {
    given[key] = typeof value === 'string' ? interpolate(value, { contexts: base }) : value;
  }
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(isObject(job.secrets) ? job.secrets : {})) {
    secrets[key] = toText(interpolate(String(value), { contexts: base }));
  }
  const inputs = typedInputs(called, 'workflow_call', given);
  const results = await runJobs(called, state, {
    inputs,
    secrets,
    prefix: `${path} / `,
    maxPermissions: permissions,
  });
  const jobs: Json = Object.fromEntries(
    Object.entries(results).map(([k, r]) => [k, { result: r.result, outputs: r.outputs }]),
  );
  const declared = (triggers(called as Record<string, unknown>).workflow_call as Json | undefined)?.outputs;
  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(isObject(declared) ? declared : {})) {
    outputs[name] = toText(interpolate(String((spec as Json).value), { contexts: { ...base, jobs } }));
  }
  return { result: conclusion(results), outputs };
}

function calledWorkflow(uses: string, root: string): Json {
  const path = ownWorkflowPath(uses);
  if (path === undefined) throw new Error(`${uses}: only reusable workflows of ${OWN_REPOSITORY} run here`);
  return parse(readFileSync(join(root, path), 'utf8')) as Json;
}

interface StepContext {
  env: NodeJS.ProcessEnv;
  workspace: string;
  token: string;
  state: RunState;
}

interface StepOutcome {
  code: number;
  outputs: Record<string, string>;
  log: string;
}

async function runStep(step: Json, stepRun: StepRun, context: StepContext): Promise<StepOutcome> {
  const { workspace, state } = context;
  if (typeof step.run === 'string') {
    const cwd =
      typeof step['working-directory'] === 'string'
        ? resolve(workspace, step['working-directory'])
        : workspace;
    return runScript(step.run, cwd, context.env, step.shell === 'bash');
  }
  const uses = String(step.uses);
  const own = ownActionStep(uses);
  if (own !== undefined) {
    const dir = join(state.actions ?? join(state.root, 'actions'), own);
    const declared = (parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as { inputs?: Json }).inputs ?? {};
    for (const key of Object.keys(stepRun.with)) {
      if (!(key in declared)) throw new Error(`${uses}: unexpected input '${key}'`);
    }
    const result = await runBuiltAction(join(dir, 'dist', 'index.js'), {
      cwd: workspace,
      actionYml: join(dir, 'action.yml'),
      token: context.token,
      inputs: stepRun.with,
      env: context.env,
    });
    return { code: result.code ?? -1, outputs: result.outputs, log: result.log };
  }
  const name = uses.split('@')[0] as string;
  if (PINNED_ACTIONS[name] === undefined) throw new Error(`${uses}: no stand-in for this action`);
  return standIn(name, stepRun.with, context);
}

/** What the reviewed third-party actions do to the files, without the network. */
function standIn(name: string, inputs: Record<string, string>, context: StepContext): StepOutcome {
  const { workspace, state } = context;
  const ok = (log: string, outputs: Record<string, string> = {}): StepOutcome => ({ code: 0, outputs, log });
  const fail = (log: string): StepOutcome => ({ code: 1, outputs: {}, log: `::error::${log}` });
  const inWorkspace = (path: string | undefined) =>
    path === undefined || path === '' ? workspace : isAbsolute(path) ? path : join(workspace, path);
  if (name === 'actions/checkout') {
    cpSync(state.repository, inWorkspace(inputs.path), { recursive: true });
    return ok(`checked out ${state.github.repository}@${state.github.sha}`, {
      ref: state.github.ref,
      commit: state.github.sha,
    });
  }
  if (name === 'actions/upload-artifact') {
    const artifact = join(state.artifacts, inputs.name ?? 'artifact');
    if (existsSync(artifact)) return fail(`an artifact named ${inputs.name} already exists in this run`);
    const paths = (inputs.path ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map(inWorkspace);
    const found = paths.filter((p) => existsSync(p));
    if (found.length === 0) {
      return (inputs['if-no-files-found'] ?? 'warn') === 'error'
        ? fail(`no files were found with the provided path: ${inputs.path}`)
        : ok('no files found');
    }
    mkdirSync(artifact, { recursive: true });
    for (const path of found) {
      // A folder uploads its contents; a file keeps its name (their common root is the folder).
      if (statSync(path).isDirectory()) cpSync(path, artifact, { recursive: true });
      else cpSync(path, join(artifact, path.split('/').pop() as string));
    }
    return ok(`uploaded ${inputs.name}: ${listFiles(artifact).join(', ')}`);
  }
  // actions/download-artifact: from this run, or, given a token, from the run named by run-id.
  const otherRun = inputs['github-token'] !== undefined && inputs['run-id'] !== undefined;
  const store = otherRun ? join(state.workDir, 'artifacts', inputs['run-id'] as string) : state.artifacts;
  const artifact = join(store, inputs.name ?? '');
  if (inputs.name === undefined || !existsSync(artifact))
    return fail(`Unable to download artifact(s): Artifact not found for name: ${inputs.name}`);
  const target = inWorkspace(inputs.path);
  mkdirSync(target, { recursive: true });
  cpSync(artifact, target, { recursive: true });
  return ok(`downloaded ${inputs.name} to ${target}`, { 'download-path': target });
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/**
 * A `run:` step in bash as the runner starts it: `bash -e` when no shell is named, and
 * `bash --noprofile --norc -eo pipefail` for `shell: bash`. Its GITHUB_OUTPUT becomes its outputs.
 */
async function runScript(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  namedBash: boolean,
): Promise<StepOutcome> {
  const output = join(
    env.RUNNER_TEMP ?? cwd,
    `run-output-${Date.now()}-${Math.random().toString(16).slice(2)}`,
  );
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, '');
  const flags = namedBash ? ['--noprofile', '--norc', '-eo', 'pipefail'] : ['-e'];
  const child = spawn('bash', [...flags, '-c', script], {
    cwd,
    env: { ...env, GITHUB_OUTPUT: output },
  });
  let log = '';
  child.stdout.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const text = readFileSync(output, 'utf8');
  const outputs = parseOutputs(text);
  for (const line of text.split('\n')) {
    const simple = /^([A-Za-z0-9_-]+)=(.*)$/.exec(line);
    if (simple !== null) outputs[simple[1] as string] = simple[2] as string;
  }
  return { code: code ?? -1, outputs, log };
}
