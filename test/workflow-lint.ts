/**
 * Checks the YAML users copy: our action.yml files, the reusable workflow and the starter
 * templates. Each check returns problems that name the file, the place and what is wrong, so a
 * test can assert that a good file has none and that a broken copy has exactly the expected one.
 *
 * - the schema, by @action-validator/core (which predates `node24`: the runtime is checked here
 *   and mapped to `node20` before it validates);
 * - every `uses:` of ours names an existing action (or reusable workflow) with inputs it declares,
 *   and gives every required one; every other `uses:` is pinned to a known full commit SHA;
 * - every expression parses and refers to declared inputs, secrets, step ids, needs and outputs;
 * - least privilege: `permissions: {}` at the top, and per-job permissions, each with a comment;
 * - no `${{ }}` inside a `run:` script (values reach scripts through `env:`), and no untrusted
 *   event text interpolated anywhere outside an `env:` mapping.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { isMap, isScalar, parse, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import {
  type Node as Expression,
  embeddedExpressions,
  FUNCTIONS,
  parseExpression,
  references,
} from './workflow-expressions.ts';

/** Where this repository's actions live on GitHub: `modelgate/modelgate/actions/<step>@<ref>`. */
export const OWN_REPOSITORY = 'modelgate/modelgate';
/** The runtime every action of ours must use (DESIGN.md). */
export const ACTION_RUNTIME = 'node24';

/**
 * The third-party actions the workflows may use, each pinned to one reviewed commit, with the
 * inputs and outputs of that version (from its action.yml), so `with:` keys are checked for them
 * too. To move a pin: resolve the release tag to its commit (`git ls-remote
 * https://github.com/actions/checkout refs/tags/v5.0.0`), read that commit's action.yml, and
 * update the SHA, the version comment in every workflow and the lists here.
 */
export const PINNED_ACTIONS: Record<
  string,
  { sha: string; version: string; inputs: readonly string[]; outputs: readonly string[] }
> = {
  'actions/checkout': {
    sha: '08c6903cd8c0fde910a37f88322edcfb5dd907a8',
    version: 'v5.0.0',
    inputs: [
      'repository',
      'ref',
      'token',
      'ssh-key',
      'ssh-known-hosts',
      'ssh-strict',
      'ssh-user',
      'persist-credentials',
      'path',
      'clean',
      'filter',
      'sparse-checkout',
      'sparse-checkout-cone-mode',
      'fetch-depth',
      'fetch-tags',
      'show-progress',
      'lfs',
      'submodules',
      'set-safe-directory',
      'github-server-url',
    ],
    outputs: ['ref', 'commit'],
  },
  'actions/upload-artifact': {
    sha: 'b7c566a772e6b6bfb58ed0dc250532a479d7789f',
    version: 'v6.0.0',
    inputs: [
      'name',
      'path',
      'if-no-files-found',
      'retention-days',
      'compression-level',
      'overwrite',
      'include-hidden-files',
    ],
    outputs: ['artifact-id', 'artifact-url', 'artifact-digest'],
  },
  'actions/download-artifact': {
    sha: '018cc2cf5baa6db3ef3c5f8a56943fffe632ef53',
    version: 'v6.0.0',
    inputs: [
      'name',
      'artifact-ids',
      'path',
      'pattern',
      'merge-multiple',
      'github-token',
      'repository',
      'run-id',
    ],
    outputs: ['download-path'],
  },
  'actions/setup-node': {
    sha: 'a0853c24544627f65ddf259abe73b1d18a591444',
    version: 'v5.0.0',
    inputs: [
      'node-version',
      'node-version-file',
      'architecture',
      'check-latest',
      'registry-url',
      'scope',
      'token',
      'cache',
      'package-manager-cache',
      'cache-dependency-path',
      'mirror',
      'mirror-token',
    ],
    outputs: ['cache-hit', 'node-version'],
  },
};

/** What a workflow or template may be checked against: our actions and reusable workflows. */
export interface LintContext {
  /** The repository root: `actions/<step>/action.yml`, `.github/workflows/<file>`. */
  root: string;
}

export interface Problem {
  file: string;
  /** A path into the document, e.g. `jobs.deploy.steps[2].with.ref`. */
  at: string;
  message: string;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}: ${p.at}: ${p.message}`).join('\n');
}

interface ActionInterface {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An action.yml of ours: the runtime, the schema, and a description for every input and output. */
export function lintAction(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const add = (at: string, message: string) => problems.push({ file, at, message });
  const action = parse(text) as Json;
  const runs = isObject(action.runs) ? action.runs : {};
  if (runs.using !== ACTION_RUNTIME) {
    add('runs.using', `is '${String(runs.using)}'; every modelgate action runs on '${ACTION_RUNTIME}'`);
  }
  // The validator's schema knows node12/16/20 only; node24 has the same shape.
  for (const error of validateAction(text.replace(/using:\s*["']?node24["']?/, 'using: "node20"')).errors) {
    add(String('path' in error ? error.path : 'the file'), describeValidatorError(error));
  }
  for (const kind of ['inputs', 'outputs'] as const) {
    const entries = isObject(action[kind]) ? action[kind] : {};
    for (const [name, spec] of Object.entries(entries)) {
      if (!isObject(spec) || typeof spec.description !== 'string' || spec.description.trim() === '') {
        add(`${kind}.${name}`, 'has no description');
      }
      if (!/^[a-z][a-z0-9-]*$/.test(name)) add(`${kind}.${name}`, 'is not kebab-case');
    }
  }
  return problems;
}

function describeValidatorError(error: { title: string; detail?: string; states?: unknown[] }): string {
  const nested = (error.states ?? []) as Array<{
    errors: Array<{ title: string; detail?: string; path?: string }>;
  }>;
  const details = nested.flatMap((state) =>
    state.errors.map((e) => `${e.path ?? ''} ${e.detail ?? e.title}`.trim()),
  );
  return [error.detail ?? error.title, ...details].join('; ');
}

/** The step of one of our actions a `uses:` names (`OWNER/REPO/actions/<step>@ref` or `./actions/<step>`). */
export function ownActionStep(uses: string): string | undefined {
  return (new RegExp(`^${OWN_REPOSITORY}/actions/([^@/]+)@\\S+$`).exec(uses) ??
    /^\.\/actions\/([^@/]+)$/.exec(uses))?.[1];
}

/** The `.github/workflows/<file>` of ours a job's `uses:` names. */
export function ownWorkflowPath(uses: string): string | undefined {
  return (new RegExp(`^${OWN_REPOSITORY}/(\\.github/workflows/[^@/]+)@\\S+$`).exec(uses) ??
    /^\.\/(\.github\/workflows\/[^@/]+)$/.exec(uses))?.[1];
}

/** Reads an action of ours by its `uses:` text, or undefined when the text names none. */
function ownAction(
  uses: string,
  root: string,
): { name: string; spec: ActionInterface | undefined } | undefined {
  const name = ownActionStep(uses);
  if (name === undefined) return undefined;
  const path = join(root, 'actions', name, 'action.yml');
  return {
    name,
    spec: existsSync(path) ? (parse(readFileSync(path, 'utf8')) as ActionInterface) : undefined,
  };
}

/** The reusable workflow a job's `uses:` names, read from `.github/workflows/` as GitHub reads it. */
function ownWorkflow(uses: string, root: string): { path: string; workflow: Json | undefined } | undefined {
  const path = ownWorkflowPath(uses);
  if (path === undefined) return undefined;
  const file = join(root, path);
  return { path, workflow: existsSync(file) ? (parse(readFileSync(file, 'utf8')) as Json) : undefined };
}

/** The `on:` triggers as a map, whatever form (`on: push`, a list, a map) the file uses. */
export function triggers(workflow: Json): Json {
  const on = workflow.on ?? workflow.true; // YAML 1.1 readers turn a bare `on` key into true
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [String(event), null]));
  return isObject(on) ? on : {};
}

function workflowCall(workflow: Json): Json {
  const call = triggers(workflow).workflow_call;
  return isObject(call) ? call : {};
}

const CONTEXTS = new Set([
  'github',
  'inputs',
  'steps',
  'needs',
  'jobs',
  'secrets',
  'vars',
  'runner',
  'env',
  'matrix',
  'strategy',
  'job',
]);

/** Untrusted text a pull request, issue, comment or commit author controls. */
const UNTRUSTED = [
  /^github\.head_ref$/,
  /^github\.event\.(pull_request|issue|comment|review|review_comment|discussion|discussion_comment|head_commit|commits|pages|workflow_run)\b/,
];

interface Scope {
  job?: string;
  /** Step ids the expression may read, with their outputs (undefined: any output, a `run:` step). */
  steps?: Map<string, readonly string[] | undefined>;
  needs?: readonly string[];
  /** In `on.workflow_call.outputs`: every job's outputs. */
  jobs?: boolean;
}

/** A workflow (reusable, caller or starter template): see the module comment for the checks. */
export function lintWorkflow(file: string, text: string, context: LintContext): Problem[] {
  const problems: Problem[] = [];
  const add = (at: string, message: string) => problems.push({ file, at, message });
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    for (const error of document.errors) add('the file', `is not valid YAML: ${error.message}`);
    return problems;
  }
  for (const error of validateWorkflow(text).errors) {
    add(String('path' in error ? error.path : 'the file'), describeValidatorError(error));
  }
  const workflow = document.toJS() as Json;
  const on = triggers(workflow);
  const call = workflowCall(workflow);
  const declaredInputs = new Set<string>();
  for (const event of ['workflow_call', 'workflow_dispatch']) {
    const spec = on[event];
    if (isObject(spec) && isObject(spec.inputs)) {
      for (const name of Object.keys(spec.inputs)) declaredInputs.add(name);
    }
  }
  const declaredSecrets = isObject(call.secrets) ? new Set(Object.keys(call.secrets)) : undefined;
  const jobs = isObject(workflow.jobs) ? workflow.jobs : {};
  const jobOutputs = new Map<string, readonly string[]>();
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObject(job)) continue;
    if (typeof job.uses === 'string') {
      const called = ownWorkflow(job.uses, context.root)?.workflow;
      const outputs = called === undefined ? {} : workflowCall(called).outputs;
      jobOutputs.set(id, Object.keys(isObject(outputs) ? outputs : {}));
    } else {
      jobOutputs.set(id, Object.keys(isObject(job.outputs) ? job.outputs : {}));
    }
  }

  /** Checks every expression in a value (strings anywhere inside it) against the scope. */
  const expressions = (value: unknown, at: string, scope: Scope, bare = false): void => {
    if (typeof value === 'string') {
      let sources: string[];
      try {
        const embedded = embeddedExpressions(value);
        sources = bare && embedded.length === 0 ? [value] : embedded.map((e) => e.source);
      } catch (error) {
        add(at, (error as Error).message);
        return;
      }
      for (const source of sources) {
        let tree: Expression;
        try {
          tree = parseExpression(source);
        } catch (error) {
          add(at, `${(error as Error).message}`);
          continue;
        }
        checkFunctions(tree, at);
        for (const path of references(tree)) checkReference(path, at, scope);
      }
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) expressions(item, `${at}[${i}]`, scope, bare);
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) expressions(item, `${at}.${key}`, scope, bare);
    }
  };

  const checkFunctions = (tree: Expression, at: string): void => {
    const visit = (node: Expression): void => {
      if (node.kind === 'call') {
        const known = Object.entries(FUNCTIONS).find(
          ([name]) => name.toLowerCase() === node.name.toLowerCase(),
        );
        if (known === undefined) add(at, `${node.name}() is not a GitHub expression function`);
        else if (node.args.length < known[1].min || node.args.length > known[1].max) {
          add(at, `${node.name}() takes ${known[1].min}–${known[1].max} arguments, not ${node.args.length}`);
        }
        node.args.forEach(visit);
      } else if (node.kind === 'member' || node.kind === 'filter') visit(node.object);
      else if (node.kind === 'index') {
        visit(node.object);
        visit(node.index);
      } else if (node.kind === 'not') visit(node.operand);
      else if (node.kind === 'binary') {
        visit(node.left);
        visit(node.right);
      }
    };
    visit(tree);
  };

  const checkReference = (path: string[], at: string, scope: Scope): void => {
    const [root, name, field, output] = path;
    if (root === undefined) return;
    if (!CONTEXTS.has(root)) {
      add(at, `'${path.join('.')}' reads '${root}', which is not a context`);
      return;
    }
    if (root === 'inputs' && name !== undefined && !declaredInputs.has(name)) {
      add(at, `inputs.${name} is not an input of this workflow${listOf(declaredInputs)}`);
    }
    if (root === 'secrets' && name !== undefined && declaredSecrets !== undefined) {
      if (name !== 'GITHUB_TOKEN' && !declaredSecrets.has(name)) {
        add(at, `secrets.${name} is not a secret this reusable workflow declares${listOf(declaredSecrets)}`);
      }
    }
    if (root === 'steps' && name !== undefined) {
      if (scope.steps === undefined) {
        add(at, `steps.${name} is read outside a job's steps`);
      } else if (!scope.steps.has(name)) {
        add(at, `steps.${name} names no step with that id before this one${listOf(scope.steps.keys())}`);
      } else if (field === 'outputs' && output !== undefined) {
        const outputs = scope.steps.get(name);
        if (outputs !== undefined && !outputs.includes(output)) {
          add(at, `steps.${name}.outputs.${output}: that step has no output '${output}'${listOf(outputs)}`);
        }
      } else if (field !== undefined && !['outputs', 'outcome', 'conclusion'].includes(field)) {
        add(at, `steps.${name}.${field}: a step has outputs, outcome and conclusion`);
      }
    }
    if (root === 'needs' && name !== undefined) {
      if (!(scope.needs ?? []).includes(name)) {
        add(
          at,
          `needs.${name}: job '${scope.job ?? '?'}' does not need '${name}'${listOf(scope.needs ?? [])}`,
        );
      } else if (
        field === 'outputs' &&
        output !== undefined &&
        !(jobOutputs.get(name) ?? []).includes(output)
      ) {
        add(
          at,
          `needs.${name}.outputs.${output}: job '${name}' has no output '${output}'${listOf(jobOutputs.get(name) ?? [])}`,
        );
      } else if (field !== undefined && !['outputs', 'result'].includes(field)) {
        add(at, `needs.${name}.${field}: a job has outputs and result`);
      }
    }
    if (root === 'jobs' && name !== undefined) {
      if (scope.jobs !== true) add(at, `jobs.${name} is only readable in on.workflow_call.outputs`);
      else if (!jobOutputs.has(name)) add(at, `jobs.${name} names no job${listOf(jobOutputs.keys())}`);
      else if (
        field === 'outputs' &&
        output !== undefined &&
        !(jobOutputs.get(name) ?? []).includes(output)
      ) {
        add(
          at,
          `jobs.${name}.outputs.${output}: job '${name}' has no output '${output}'${listOf(jobOutputs.get(name) ?? [])}`,
        );
      }
    }
  };

  // Least privilege: nothing by default, and each job says what it needs and why.
  if (!isObject(workflow.permissions) || Object.keys(workflow.permissions).length > 0) {
    add('permissions', 'the workflow must start from `permissions: {}`; give each job what it needs');
  }

  // Inputs of a reusable workflow: their defaults may read github/inputs only.
  for (const [name, spec] of Object.entries(isObject(call.inputs) ? call.inputs : {})) {
    expressions(spec, `on.workflow_call.inputs.${name}`, {});
  }
  for (const [name, spec] of Object.entries(isObject(call.outputs) ? call.outputs : {})) {
    expressions(isObject(spec) ? spec.value : undefined, `on.workflow_call.outputs.${name}.value`, {
      jobs: true,
    });
  }
  expressions(workflow.concurrency, 'concurrency', {});
  expressions(workflow.env, 'env', {});
  expressions(workflow['run-name'], 'run-name', {});

  for (const [id, job] of Object.entries(jobs)) {
    const at = `jobs.${id}`;
    if (!isObject(job)) {
      add(at, 'is not a mapping');
      continue;
    }
    const needs =
      typeof job.needs === 'string' ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [];
    for (const need of needs) if (!(need in jobs)) add(`${at}.needs`, `names no job '${need}'`);
    checkPermissions(document, id, job, add);
    const jobScope: Scope = { job: id, needs };
    expressions(job.if, `${at}.if`, jobScope, true);
    expressions(job['runs-on'], `${at}.runs-on`, jobScope);
    expressions(job.concurrency, `${at}.concurrency`, jobScope);
    expressions(job.env, `${at}.env`, jobScope);
    expressions(job.strategy, `${at}.strategy`, jobScope);

    if (typeof job.uses === 'string') {
      lintWorkflowCall(job, at, context, add);
      expressions(job.with, `${at}.with`, jobScope);
      expressions(job.secrets, `${at}.secrets`, jobScope);
      continue;
    }
    const steps = Array.isArray(job.steps) ? job.steps : [];
    const allSteps = new Map<string, readonly string[] | undefined>();
    const before = new Map<string, readonly string[] | undefined>();
    steps.forEach((step, i) => {
      const stepAt = `${at}.steps[${i}]`;
      if (!isObject(step)) {
        add(stepAt, 'is not a mapping');
        return;
      }
      const stepScope: Scope = { ...jobScope, steps: new Map(before) };
      expressions(step.if, `${stepAt}.if`, stepScope, true);
      expressions(step.env, `${stepAt}.env`, stepScope);
      expressions(step.with, `${stepAt}.with`, stepScope);
      expressions(step.name, `${stepAt}.name`, stepScope);
      expressions(step['working-directory'], `${stepAt}.working-directory`, stepScope);
      let outputs: readonly string[] | undefined;
      if (typeof step.run === 'string') {
        // A script never gets `${{ }}`: the runner pastes the value into the script's text, where
        // a branch name or title can close a quote and run commands. Values go through `env:`.
        if (step.run.includes('${{')) {
          add(
            `${stepAt}.run`,
            'interpolates an expression into a script; pass the value through env: instead',
          );
        }
      } else if (typeof step.uses === 'string') {
        outputs = lintStepUses(step, stepAt, context, add);
      } else {
        add(stepAt, 'has neither uses nor run');
      }
      if (typeof step.id === 'string') {
        if (allSteps.has(step.id)) add(`${stepAt}.id`, `'${step.id}' is already the id of another step`);
        before.set(step.id, outputs);
        allSteps.set(step.id, outputs);
      }
    });
    // Job outputs and the environment URL are evaluated after the steps: any step id.
    const after: Scope = { ...jobScope, steps: allSteps };
    expressions(job.outputs, `${at}.outputs`, after);
    expressions(job.environment, `${at}.environment`, after);
  }

  problems.push(...untrustedInterpolations(file, text));
  return problems;
}

function listOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? '' : ` (there: ${all.join(', ')})`;
}

/** A step's `uses:`: our action with declared inputs, or a pinned third-party action. Returns its outputs. */
function lintStepUses(
  step: Json,
  at: string,
  context: LintContext,
  add: (at: string, message: string) => void,
): readonly string[] | undefined {
  const uses = step.uses as string;
  const given = isObject(step.with) ? Object.keys(step.with) : [];
  const own = ownAction(uses, context.root);
  if (own !== undefined) {
    if (own.spec === undefined) {
      add(`${at}.uses`, `names actions/${own.name}, which has no action.yml in this repository`);
      return undefined;
    }
    const inputs = own.spec.inputs ?? {};
    for (const key of given) {
      if (!(key in inputs)) {
        add(
          `${at}.with.${key}`,
          `actions/${own.name} has no input '${key}' (it has: ${Object.keys(inputs).join(', ')})`,
        );
      }
    }
    for (const [name, spec] of Object.entries(inputs)) {
      if (spec.required === true && spec.default === undefined && !given.includes(name)) {
        add(`${at}.with`, `actions/${own.name} requires input '${name}'`);
      }
    }
    return Object.keys(own.spec.outputs ?? {});
  }
  const match = /^([^@]+)@(.+)$/.exec(uses);
  const pinned = match === null ? undefined : PINNED_ACTIONS[match[1] as string];
  if (match === null || pinned === undefined) {
    add(
      `${at}.uses`,
      `${uses} is not one of the reviewed third-party actions (${Object.keys(PINNED_ACTIONS).join(', ')})`,
    );
    return undefined;
  }
  if (match[2] !== pinned.sha) {
    add(
      `${at}.uses`,
      `${uses} must be pinned to the full commit SHA ${pinned.sha} (${pinned.version}), not '${match[2]}'`,
    );
  }
  for (const key of given) {
    if (!pinned.inputs.includes(key))
      add(`${at}.with.${key}`, `${match[1]} ${pinned.version} has no input '${key}'`);
  }
  return pinned.outputs;
}

/** A job that calls a reusable workflow of ours: declared inputs and secrets, required ones given. */
function lintWorkflowCall(
  job: Json,
  at: string,
  context: LintContext,
  add: (at: string, message: string) => void,
): void {
  const uses = job.uses as string;
  const called = ownWorkflow(uses, context.root);
  if (called === undefined) {
    add(`${at}.uses`, `${uses} is not a reusable workflow of ${OWN_REPOSITORY}`);
    return;
  }
  if (called.workflow === undefined) {
    add(`${at}.uses`, `names ${called.path}, which does not exist`);
    return;
  }
  const call = workflowCall(called.workflow);
  const inputs = isObject(call.inputs) ? call.inputs : {};
  const given = isObject(job.with) ? job.with : {};
  for (const [key, value] of Object.entries(given)) {
    const spec = inputs[key];
    if (!isObject(spec)) {
      add(
        `${at}.with.${key}`,
        `${called.path} has no input '${key}' (it has: ${Object.keys(inputs).join(', ')})`,
      );
      continue;
    }
    // A literal (not an expression) must already have the input's type.
    const literal = typeof value !== 'string' || !value.includes('${{');
    const type = spec.type === 'number' ? 'number' : spec.type === 'boolean' ? 'boolean' : 'string';
    if (literal && typeof value !== type)
      add(`${at}.with.${key}`, `is ${JSON.stringify(value)}, but input '${key}' is a ${type}`);
  }
  for (const [name, spec] of Object.entries(inputs)) {
    if (isObject(spec) && spec.required === true && !(name in given))
      add(`${at}.with`, `${called.path} requires input '${name}'`);
  }
  const secrets = isObject(call.secrets) ? call.secrets : {};
  if (job.secrets !== 'inherit') {
    const passed = isObject(job.secrets) ? job.secrets : {};
    for (const key of Object.keys(passed)) {
      if (!(key in secrets)) add(`${at}.secrets.${key}`, `${called.path} declares no secret '${key}'`);
    }
    for (const [name, spec] of Object.entries(secrets)) {
      if (isObject(spec) && spec.required === true && !(name in passed))
        add(`${at}.secrets`, `${called.path} requires secret '${name}'`);
    }
  }
}

/** Each job has a `permissions:` mapping, and each permission it grants carries a comment saying why. */
function checkPermissions(
  document: ReturnType<typeof parseDocument>,
  id: string,
  job: Json,
  add: (at: string, message: string) => void,
): void {
  const at = `jobs.${id}.permissions`;
  if (!isObject(job.permissions)) {
    add(at, 'is missing: every job says which permissions it needs (or {} for none)');
    return;
  }
  const node = document.getIn(['jobs', id, 'permissions'], true);
  if (!isMap(node)) return;
  for (const pair of (node as YAMLMap<Scalar, Scalar>).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    const comment =
      (isScalar(pair.value) ? pair.value.comment : undefined) ??
      (isScalar(pair.key) ? pair.key.commentBefore : undefined);
    if (comment === undefined || comment === null || comment.trim() === '') {
      add(`${at}.${key}`, 'has no comment saying why the job needs it');
    }
  }
}

// The pattern of the repository's before-stop check: event text (titles, bodies, branch names,
// messages, names, emails) in an expression on a line that is not a `key: ${{ … }}` mapping.
const UNTRUSTED_TEXT =
  /[$][{][{][^}]*github[.]event[.](pull_request|issue|comment|review|head_commit|commits)[^}]*(title|body|head[.]ref|label|message|name|email)/;
const MAPPING_LINE = /^[\t ]*[A-Za-z_][A-Za-z0-9_-]*:[\t ]*[$][{][{]/;

/**
 * Untrusted text interpolated outside an `env:`-style mapping, line by line as the repository's
 * before-stop check reads files, plus any untrusted context (head_ref, event text) inside a
 * multi-line value, where no `key: ${{` shape can make it safe.
 */
export function untrustedInterpolations(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    if (UNTRUSTED_TEXT.test(line) && !MAPPING_LINE.test(line)) {
      problems.push({
        file,
        at: `line ${i + 1}`,
        message: `interpolates untrusted event text: ${line.trim()}`,
      });
    }
    for (const expression of safeEmbedded(line)) {
      let paths: string[][] = [];
      try {
        paths = references(parseExpression(expression));
      } catch {
        continue;
      }
      const untrusted = paths
        .map((p) => p.join('.'))
        .filter((p) => UNTRUSTED.some((pattern) => pattern.test(p)));
      if (untrusted.length > 0 && !MAPPING_LINE.test(line) && !/^[\t ]*if:/.test(line)) {
        problems.push({
          file,
          at: `line ${i + 1}`,
          message: `interpolates untrusted ${untrusted.join(', ')}: ${line.trim()}`,
        });
      }
    }
  });
  return problems;
}

function safeEmbedded(line: string): string[] {
  try {
    return embeddedExpressions(line).map((e) => e.source);
  } catch {
    return [];
  }
}

/** Every starter template: `<id>.yml` with its `<id>.properties.json`, as GitHub lists them. */
export function lintTemplateProperties(dir: string): Problem[] {
  const problems: Problem[] = [];
  const files = readdirSync(dir);
  const ids = new Set(files.filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')));
  for (const file of files.filter((f) => f.endsWith('.properties.json'))) {
    const id = basename(file, '.properties.json');
    if (!ids.has(id)) problems.push({ file, at: 'the file', message: `has no workflow ${id}.yml beside it` });
  }
  for (const id of ids) {
    const file = `${id}.properties.json`;
    const add = (at: string, message: string) => problems.push({ file, at, message });
    if (!files.includes(file)) {
      add('the file', `is missing: every template needs its properties file`);
      continue;
    }
    let properties: Json;
    try {
      properties = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
    } catch (error) {
      add('the file', `is not JSON: ${(error as Error).message}`);
      continue;
    }
    for (const key of ['name', 'description', 'iconName'] as const) {
      if (typeof properties[key] !== 'string' || (properties[key] as string).trim() === '')
        add(key, 'must be a non-empty string');
    }
    if (
      typeof properties.iconName === 'string' &&
      !/^octicon [a-z0-9-]+$/.test(properties.iconName) &&
      !existsSync(join(dir, `${properties.iconName}.svg`))
    ) {
      add('iconName', `'${properties.iconName}' is neither 'octicon <name>' nor an .svg beside the template`);
    }
    for (const key of ['categories', 'filePatterns'] as const) {
      const list = properties[key];
      if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string')) {
        add(key, 'must be a non-empty list of strings');
      }
    }
    for (const pattern of Array.isArray(properties.filePatterns) ? properties.filePatterns : []) {
      try {
        new RegExp(String(pattern));
      } catch {
        add('filePatterns', `'${String(pattern)}' is not a regular expression`);
      }
    }
    const known = new Set([
      'name',
      'description',
      'iconName',
      'categories',
      'filePatterns',
      'creator',
      'labels',
    ]);
    for (const key of Object.keys(properties)) if (!known.has(key)) add(key, 'is not a template property');
  }
  return problems;
}

/** A workflow file shown in the docs: a ```yaml block whose first line names its path. */
export interface DocumentedWorkflow {
  path: string;
  text: string;
}

/** The complete workflows a markdown file shows: ```yaml blocks starting `# .github/workflows/NAME.yml`. */
export function workflowsInMarkdown(markdown: string): DocumentedWorkflow[] {
  const found: DocumentedWorkflow[] = [];
  for (const block of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    const text = block[1] as string;
    const path = /^# (\.github\/workflows\/[\w.-]+\.ya?ml)\b/.exec(text)?.[1];
    if (path !== undefined) found.push({ path, text });
  }
  return found;
}
