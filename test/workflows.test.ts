// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow text, where ${{ }} is GitHub's expression syntax
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, tempDir } from './helpers.ts';
import { condition, interpolate, parseExpression, type Value } from './workflow-expressions.ts';
import {
  formatProblems,
  lintAction,
  lintTemplateProperties,
  lintWorkflow,
  PINNED_ACTIONS,
  untrustedInterpolations,
  workflowsInMarkdown,
} from './workflow-lint.ts';

/**
 * The YAML users copy (action.yml files, the reusable workflow, the starter templates and the
 * workflows the docs show) parses, validates, refers only to things that exist, asks for the least
 * privilege, and never pastes untrusted text into a script. Each check is shown to fail on a
 * deliberately broken copy.
 */
const context = { root: ROOT };
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');
const ACTIONS = readdirSync(join(ROOT, 'actions')).sort();
const TEMPLATES = readdirSync(join(ROOT, 'action-templates')).filter((f) => f.endsWith('.yml'));
const REUSABLE = readdirSync(join(ROOT, 'workflows')).filter((f) => f.endsWith('.yml'));
/** This repository's own workflows, which live only in .github/workflows/ (not reusable). */
const OWN = ['ci.yml', 'release.yml'];
const DOCUMENTED = ['workflows.md', 'fork-pull-requests.md'].flatMap((doc) =>
  workflowsInMarkdown(read('docs', doc)).map((w) => ({ ...w, doc })),
);

describe('action.yml files', () => {
  it.each(ACTIONS)('actions/%s/action.yml runs on node24 and validates', (name) => {
    expect(
      formatProblems(lintAction(`actions/${name}/action.yml`, read('actions', name, 'action.yml'))),
    ).toBe('');
  });

  it('are the five steps', () => {
    expect(ACTIONS).toEqual([
      'compare-to-baseline',
      'deploy',
      'evaluate',
      'merge',
      'monitor',
      'register',
      'select',
      'train',
    ]);
  });

  it('a copy on another runtime, or with an unknown key, fails', () => {
    const text = read('actions', 'train', 'action.yml');
    expect(lintAction('copy.yml', text.replace('node24', 'node20'))).toEqual([
      { file: 'copy.yml', at: 'runs.using', message: "is 'node20'; every modelgate action runs on 'node24'" },
    ]);
    expect(formatProblems(lintAction('copy.yml', text.replace('branding:', 'brandng:')))).toMatch(
      /Additional property 'brandng' is not allowed/,
    );
  });
});

describe('the reusable workflow', () => {
  it.each(REUSABLE)(
    'workflows/%s is copied byte for byte to .github/workflows/, where GitHub calls it',
    (file) => {
      expect(read('.github', 'workflows', file)).toBe(read('workflows', file));
    },
  );

  it("has no copy in .github/workflows/ without a source in workflows/ (beside the repository's own CI and release)", () => {
    const copies = readdirSync(join(ROOT, '.github', 'workflows')).filter((f) => f.endsWith('.yml'));
    expect(copies.sort()).toEqual([...REUSABLE, ...OWN].sort());
  });

  it.each(REUSABLE)(
    'workflows/%s validates, refers only to declared things, and asks for least privilege',
    (file) => {
      expect(formatProblems(lintWorkflow(`workflows/${file}`, read('workflows', file), context))).toBe('');
    },
  );
});

describe("the repository's own workflows", () => {
  it.each(OWN)(
    '.github/workflows/%s validates, refers only to declared things, and asks for least privilege',
    (file) => {
      expect(
        formatProblems(
          lintWorkflow(`.github/workflows/${file}`, read('.github', 'workflows', file), context),
        ),
      ).toBe('');
    },
  );

  it('CI runs .ci/run, which installs with npm ci and no fallback, and fails on bundle drift', () => {
    const ci = parse(read('.github', 'workflows', 'ci.yml'));
    const runs = ci.jobs.ci.steps.map((step: { run?: string }) => step.run ?? '');
    expect(runs).toContain('bash .ci/run');
    const script = read('.ci', 'run');
    expect(script).toMatch(/^npm ci --no-audit --no-fund$/m);
    expect(script).not.toMatch(/npm install/);
    expect(script).toMatch(/git status --porcelain -- actions/);
  });

  it('release tags vX.Y.Z, moves the major tag, and passes the version to scripts through env only', () => {
    const text = read('.github', 'workflows', 'release.yml');
    expect(text).toContain('git tag -f -a "$major"');
    expect(text).toContain('git push --force origin "refs/tags/$major"');
    expect(untrustedInterpolations('release.yml', text)).toEqual([]);
    // The version reaches scripts as an environment variable, never spliced into their text.
    const withInputs = text.split('\n').filter((line) => line.includes('${{ inputs.'));
    expect(withInputs.length).toBeGreaterThan(0);
    for (const line of withInputs) expect(line).toMatch(/^\s+(?:[A-Z_]+|if): \$\{\{ inputs\.[a-z-]+ \}\}$/);
  });
});

describe('the starter templates', () => {
  it('are the four the issue names and the monitor, each with its properties file', () => {
    expect(TEMPLATES.sort()).toEqual([
      'model-gated-deploy.yml',
      'model-monitor.yml',
      'model-pipeline.yml',
      'model-pr-report.yml',
      'model-retrain.yml',
      'model-sharded-evaluation.yml',
      'model-tuning.yml',
    ]);
    expect(formatProblems(lintTemplateProperties(join(ROOT, 'action-templates')))).toBe('');
  });

  it.each(TEMPLATES)(
    'action-templates/%s validates against our actions and the reusable workflow',
    (file) => {
      expect(
        formatProblems(lintWorkflow(`action-templates/${file}`, read('action-templates', file), context)),
      ).toBe('');
    },
  );

  it('deploy on the default branch by its placeholder, which GitHub fills in', () => {
    for (const file of ['model-gated-deploy.yml', 'model-pipeline.yml']) {
      const workflow = parse(read('action-templates', file));
      expect(workflow.on.push.branches, file).toEqual(['$default-branch']);
    }
  });

  it('retrain deploys only a run of the default branch that asked for it and passed its gate', () => {
    const deployIf = parse(read('action-templates', 'model-retrain.yml')).jobs.deploy.if;
    const deploys = (ref: string, deploy: boolean, passed: string) =>
      condition(deployIf, {
        contexts: {
          github: { ref, event: { repository: { default_branch: 'main' } } },
          inputs: { deploy },
          needs: { gate: { result: 'success', outputs: { passed } } },
        },
      });
    expect(deploys('refs/heads/main', true, 'true')).toBe(true);
    expect(deploys('refs/heads/main', false, 'true')).toBe(false);
    expect(deploys('refs/heads/main', true, 'false')).toBe(false);
    expect(deploys('refs/heads/experiment', true, 'true')).toBe(false);
  });

  it('retrain with typed workflow_dispatch inputs', () => {
    const inputs = parse(read('action-templates', 'model-retrain.yml')).on.workflow_dispatch.inputs;
    expect(
      Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, (v as { type: string }).type])),
    ).toEqual({
      'learning-rate': 'number',
      epochs: 'number',
      'data-revision': 'string',
      deploy: 'boolean',
      'drift-id': 'string',
    });
  });

  it('monitor runs on a schedule and by hand, and the retrain it dispatches takes the drift id', () => {
    const monitor = parse(read('action-templates', 'model-monitor.yml'));
    expect(Object.keys(monitor.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const step = monitor.jobs.monitor.steps.find((s: { uses?: string }) =>
      s.uses?.includes('/actions/monitor@'),
    );
    const workflow = step.with['dispatch-workflow'];
    expect(TEMPLATES).toContain(workflow);
    expect(Object.keys(parse(read('action-templates', workflow)).on.workflow_dispatch.inputs)).toContain(
      'drift-id',
    );
  });

  it('monitor asks for issues: write, and actions: write only because it dispatches', () => {
    const text = read('action-templates', 'model-monitor.yml');
    const permissions = (t: string) => parse(t).jobs.monitor.permissions;
    expect(permissions(text)).toEqual({ contents: 'read', issues: 'write', actions: 'write' });
    // Without the dispatch the job must not keep actions: write (the lint below is the check).
    const dispatches = (t: string) => /^\s+dispatch-workflow: /m.test(t);
    const pairs = (t: string) => dispatches(t) === (permissions(t).actions === 'write');
    expect(pairs(text)).toBe(true);
    expect(pairs(text.replace(/^ +dispatch-workflow: .*\n/m, ''))).toBe(false);
  });
});

describe('the workflows the docs show', () => {
  it('are there', () => {
    expect(DOCUMENTED.map((w) => w.path).sort()).toEqual([
      '.github/workflows/model-report-comment.yml',
      '.github/workflows/model-report-fork.yml',
    ]);
  });

  it.each(DOCUMENTED.map((w) => [w.path, w] as const))('%s validates', (_path, workflow) => {
    expect(
      formatProblems(lintWorkflow(`docs/${workflow.doc}: ${workflow.path}`, workflow.text, context)),
    ).toBe('');
  });

  it('trigger each other by name', () => {
    const [comment, fork] = ['model-report-comment', 'model-report-fork'].map((name) =>
      parse(DOCUMENTED.find((w) => w.path.includes(name))?.text ?? ''),
    );
    expect(comment.on.workflow_run.workflows).toEqual([fork.name]);
  });
});

describe('the checks fail on a broken copy', () => {
  const template = read('action-templates', 'model-gated-deploy.yml');
  const lint = (text: string) => lintWorkflow('broken.yml', text, context);
  const broken = (from: string, to: string) => {
    expect(template, `the template no longer holds: ${from}`).toContain(from);
    return lint(template.replace(from, to));
  };

  it('a template that gives an action an input it does not have', () => {
    expect(
      broken(
        '          baseline: registry:production\n',
        '          baseline: registry:production\n          threshold: 0.9\n',
      ),
    ).toEqual([
      {
        file: 'broken.yml',
        at: 'jobs.gate.steps[2].with.threshold',
        message: expect.stringMatching(
          /^actions\/compare-to-baseline has no input 'threshold' \(it has: config, /,
        ),
      },
    ]);
  });

  it('a template that reads a workflow input that is not declared', () => {
    const original = read('action-templates', 'model-retrain.yml');
    expect(original).toContain("inputs.deploy && needs.gate.outputs.passed == 'true'");
    const retrain = original.replace('inputs.deploy && needs', 'inputs.deploy-it && needs');
    expect(formatProblems(lint(retrain))).toMatch(
      /^broken\.yml: jobs\.deploy\.if: inputs\.deploy-it is not an input of this workflow \(there: learning-rate, epochs, data-revision, deploy, drift-id\)$/,
    );
  });

  it('a template that calls the reusable workflow with a missing required input or an unknown one', () => {
    const pipeline = read('action-templates', 'model-pipeline.yml');
    expect(formatProblems(lint(pipeline.replace(/^ {6}model-name: .*\n/m, '')))).toBe(
      "broken.yml: jobs.modelgate.with: .github/workflows/modelgate.yml requires input 'model-name'",
    );
    expect(formatProblems(lint(pipeline.replace('deploy-url:', 'deploy-uri:')))).toMatch(
      /jobs\.modelgate\.with\.deploy-uri: \.github\/workflows\/modelgate\.yml has no input 'deploy-uri'/,
    );
  });

  it('a step output, a later step, or a job output that does not exist', () => {
    expect(formatProblems(broken('steps.register.outputs.version', 'steps.register.outputs.versions'))).toBe(
      "broken.yml: jobs.deploy.steps[4].with.ref: steps.register.outputs.versions: that step has no output 'versions' (there: version, sha256, url)",
    );
    expect(formatProblems(broken('ref: ${{ steps.register', 'ref: ${{ steps.deploy'))).toMatch(
      /jobs\.deploy\.steps\[4\]\.with\.ref: steps\.deploy names no step with that id before this one/,
    );
    expect(
      formatProblems(broken("needs.gate.outputs.passed == 'true'", "needs.gate.outputs.pass == 'true'")),
    ).toBe(
      "broken.yml: jobs.deploy.if: needs.gate.outputs.pass: job 'gate' has no output 'pass' (there: passed)",
    );
  });

  it('an action path that does not exist', () => {
    expect(formatProblems(broken('actions/register@v1', 'actions/registry@v1'))).toBe(
      'broken.yml: jobs.deploy.steps[3].uses: names actions/registry, which has no action.yml in this repository',
    );
  });

  it('a third-party action on a tag instead of its pinned commit', () => {
    const sha = PINNED_ACTIONS['actions/checkout']?.sha ?? '';
    expect(formatProblems(broken(`actions/checkout@${sha}`, 'actions/checkout@v5'))).toBe(
      `broken.yml: jobs.train.steps[0].uses: actions/checkout@v5 must be pinned to the full commit SHA ${sha} (v5.0.0), not 'v5'`,
    );
  });

  it('permissions that are not least privilege, or not explained', () => {
    expect(formatProblems(broken('permissions: {}\n', 'permissions: write-all\n'))).toBe(
      'broken.yml: permissions: the workflow must start from `permissions: {}`; give each job what it needs',
    );
    expect(
      formatProblems(broken('      deployments: write # record', '      deployments: write\n      # record')),
    ).toBe('broken.yml: jobs.deploy.permissions.deployments: has no comment saying why the job needs it');
  });

  it('untrusted event text pasted into a script', () => {
    const problems = broken(
      '        run: |\n          cp -- "$MODEL"',
      '        run: |\n          echo "deploying ${{ github.event.head_commit.message }}"\n          cp -- "$MODEL"',
    );
    expect(problems.map((p) => p.message)).toEqual([
      'interpolates an expression into a script; pass the value through env: instead',
      'interpolates untrusted event text: echo "deploying ${{ github.event.head_commit.message }}"',
      'interpolates untrusted github.event.head_commit.message: echo "deploying ${{ github.event.head_commit.message }}"',
    ]);
  });

  it('but not the same text handed over through env:', () => {
    const safe = template.replace(
      '          MODEL: ${{ steps.train.outputs.model }}\n',
      '          MODEL: ${{ steps.train.outputs.model }}\n          MESSAGE: ${{ github.event.head_commit.message }}\n',
    );
    expect(safe).not.toBe(template);
    expect(formatProblems(lint(safe))).toBe('');
  });
});

describe('the repository scan for untrusted interpolation', () => {
  it('finds none in any workflow or template', () => {
    const files = [
      ...REUSABLE.map((f) => ['workflows', f]),
      ...REUSABLE.map((f) => ['.github', 'workflows', f]),
      ...TEMPLATES.map((f) => ['action-templates', f]),
    ];
    expect(files.flatMap((path) => untrustedInterpolations(path.join('/'), read(...path)))).toEqual([]);
  });
});

describe('the reusable workflow decides as the issue asks', () => {
  const workflow = parse(read('workflows', 'modelgate.yml'));
  const jobs = workflow.jobs;
  const defaults = Object.fromEntries(
    Object.entries(workflow.on.workflow_call.inputs as Record<string, { default?: Value }>).map(([k, v]) => [
      k,
      v.default ?? '',
    ]),
  );
  const event = (name: string, ref: string, payload: Record<string, Value> = {}) => ({
    github: {
      event_name: name,
      ref,
      repository: 'octo/models',
      event: { repository: { default_branch: 'main' }, ...payload },
    },
    inputs: defaults,
  });
  const samePr = { pull_request: { head: { repo: { full_name: 'octo/models' } } } };
  const forkPr = { pull_request: { head: { repo: { full_name: 'mallory/models' } } } };

  it('trains on the GPU runner for every event but a fork’s pull request', () => {
    const trains = (contexts: ReturnType<typeof event>) => condition(jobs.train.if, { contexts });
    expect(trains(event('pull_request', 'refs/pull/1/merge', samePr))).toBe(true);
    expect(trains(event('pull_request', 'refs/pull/1/merge', forkPr))).toBe(false);
    expect(trains(event('pull_request_target', 'refs/heads/main', forkPr))).toBe(false);
    expect(trains(event('push', 'refs/heads/main'))).toBe(true);
    expect(
      trains({
        ...event('pull_request', 'refs/pull/1/merge', forkPr),
        inputs: { ...defaults, 'allow-fork-prs': true },
      }),
    ).toBe(true);
    expect(interpolate(jobs.train['runs-on'], { contexts: event('push', 'refs/heads/main') })).toEqual([
      'self-hosted',
      'gpu',
    ]);
  });

  it('registers and deploys only on a push or dispatch to the default branch, when the gate passed', () => {
    const deploys = (contexts: ReturnType<typeof event>, passed: string, deploy = true) =>
      condition(jobs.deploy.if, {
        contexts: {
          ...contexts,
          inputs: { ...defaults, deploy },
          needs: { train: { result: 'success' }, compare: { result: 'success', outputs: { passed } } },
        },
      });
    expect(deploys(event('push', 'refs/heads/main'), 'true')).toBe(true);
    expect(deploys(event('workflow_dispatch', 'refs/heads/main'), 'true')).toBe(true);
    expect(deploys(event('push', 'refs/heads/main'), 'false')).toBe(false);
    expect(deploys(event('push', 'refs/heads/feature'), 'true')).toBe(false);
    expect(deploys(event('workflow_dispatch', 'refs/heads/feature'), 'true')).toBe(false);
    expect(deploys(event('pull_request', 'refs/pull/1/merge', samePr), 'true')).toBe(false);
    expect(deploys(event('workflow_dispatch', 'refs/heads/main'), 'true', false)).toBe(false);
  });

  it('deploys in the environment of the input, one deploy at a time, never cancelled half-way', () => {
    expect(jobs.deploy.environment.name).toBe('${{ inputs.environment }}');
    expect(defaults.environment).toBe('production');
    expect(jobs.deploy.concurrency).toEqual({
      group: 'modelgate-deploy-${{ github.repository }}-${{ inputs.model-name }}-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
  });

  it('gives each job only what it needs: training can write nothing', () => {
    expect(workflow.permissions).toEqual({});
    expect(jobs.train.permissions).toEqual({ contents: 'read' });
    expect(jobs.compare.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(jobs.deploy.permissions).toEqual({ contents: 'write', deployments: 'write' });
  });

  it('has every input documented in docs/workflows.md, and no input there that it lacks', () => {
    const table = read('docs', 'workflows.md').split('### Inputs')[1]?.split('\n\n')[1] ?? '';
    const documented = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(defaults));
  });

  it('takes runner labels as a JSON list, by default a self-hosted GPU runner', () => {
    expect(JSON.parse(String(defaults['runner-labels']))).toEqual(['self-hosted', 'gpu']);
  });
});

describe('GitHub expressions, as the runner evaluates them', () => {
  const contexts = {
    github: { event_name: 'push', ref: 'refs/heads/Main', event: { commits: [{ id: 'a' }, { id: 'b' }] } },
    inputs: { 'model-name': 'churn', count: 3, flag: false, labels: '["self-hosted", "gpu"]' },
  };
  const value = (source: string) => interpolate(`\${{ ${source} }}`, { contexts });

  it('compares strings ignoring case, and coerces other types to numbers', () => {
    expect(value("github.ref == 'refs/heads/main'")).toBe(true);
    expect(value("inputs.count == '3'")).toBe(true);
    expect(value('inputs.flag == 0')).toBe(true);
    expect(value("inputs.missing == ''")).toBe(true);
    expect(value('inputs.count > 2 && inputs.count <= 3')).toBe(true);
  });

  it('returns the deciding operand of && and ||', () => {
    expect(value("inputs.flag || 'fallback'")).toBe('fallback');
    expect(value("inputs.model-name && 'yes'")).toBe('yes');
    expect(value("inputs.missing || format('github:{0}', 'octo/models')")).toBe('github:octo/models');
  });

  it('implements the functions the workflows use', () => {
    expect(value('fromJSON(inputs.labels)')).toEqual(['self-hosted', 'gpu']);
    expect(value("format('{0}-{{x}}-{1}', inputs.model-name, 2)")).toBe('churn-{x}-2');
    expect(value("contains(fromJSON(inputs.labels), 'GPU')")).toBe(true);
    expect(value("startsWith(github.ref, 'refs/heads/')")).toBe(true);
    expect(value('github.event.commits.*.id')).toEqual(['a', 'b']);
    expect(value("join(github.event.commits.*.id, '+')")).toBe('a+b');
    expect(JSON.parse(value('toJSON(inputs)') as string)).toEqual(contexts.inputs);
  });

  it('interpolates into text, and keeps the type of a lone expression', () => {
    expect(interpolate('run-${{ inputs.count }}-${{ inputs.flag }}', { contexts })).toBe('run-3-false');
    expect(interpolate('${{ inputs.count }}', { contexts })).toBe(3);
  });

  it('runs a condition only after success unless it asks for a status', () => {
    expect(condition('true', { contexts, status: { failed: true } })).toBe(false);
    expect(condition('${{ !cancelled() }}', { contexts, status: { failed: true } })).toBe(true);
    expect(condition('failure()', { contexts, status: { failed: true } })).toBe(true);
    expect(condition(undefined, { contexts, status: { failed: false } })).toBe(true);
  });

  it('rejects what GitHub rejects', () => {
    expect(() => parseExpression("inputs.a == 'unterminated")).toThrow(/unterminated string/);
    expect(() => parseExpression('inputs.a ==')).toThrow(/unexpected end/);
    expect(() => parseExpression('inputs.a = 1')).toThrow(/unexpected '='/);
  });
});

describe('the starter workflows for an organisation', () => {
  it("are copied into workflow-templates/ of the organisation's .github repository, where GitHub lists them", () => {
    const dotGithub = tempDir();
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'starter-workflows.mjs'), dotGithub]);
    const copied = readdirSync(join(dotGithub, 'workflow-templates')).sort();
    expect(copied).toEqual(readdirSync(join(ROOT, 'action-templates')).sort());
    for (const file of copied)
      expect(readFileSync(join(dotGithub, 'workflow-templates', file), 'utf8'), file).toBe(
        read('action-templates', file),
      );
  });

  it('point at a mirror with --uses, and refuse a missing target with exit 2', () => {
    const dotGithub = tempDir();
    execFileSync(process.execPath, [
      join(ROOT, 'scripts', 'starter-workflows.mjs'),
      dotGithub,
      '--uses',
      'acme/modelgate-mirror',
    ]);
    const template = readFileSync(join(dotGithub, 'workflow-templates', 'model-pr-report.yml'), 'utf8');
    expect(template).toContain('acme/modelgate-mirror/');
    expect(template).not.toContain('modelgate/modelgate/');
    const missing = spawnSync(process.execPath, [
      join(ROOT, 'scripts', 'starter-workflows.mjs'),
      join(dotGithub, 'nope'),
    ]);
    expect(missing.status).toBe(2);
    expect(String(missing.stderr)).toMatch(/^starter-workflows: error: .*nope does not exist/);
  });
});
