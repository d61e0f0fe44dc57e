import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, ROOT, runBuiltAction, tempDir } from './helpers.ts';

const EXAMPLE = join(ROOT, 'examples', 'breast-cancer');
const EVALUATE_ACTION = join(ROOT, 'actions', 'evaluate');
const COMPARE_ACTION = join(ROOT, 'actions', 'compare-to-baseline');

/** The example project as a user's checkout: its models, its data and its .modelgate.yml. */
function exampleProject(): string {
  const work = tempDir('modelgate-parity-');
  mkdirSync(join(work, 'data'));
  for (const file of ['model.onnx', 'baseline.onnx', '.modelgate.yml', join('data', 'eval.csv')]) {
    copyFileSync(join(EXAMPLE, file), join(work, file));
  }
  return work;
}

/** Measured, so never equal from one run to the next: rows_per_second and latency_*. */
const TIMING = /^(rows_per_second|latency_)/;

/** A record or verdict with what differs between any two runs taken out: the time, and timings. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  // A rule on a timing metric keeps what it checks, not the measured numbers.
  const rule = value as { metric?: unknown; rule?: unknown };
  if (typeof rule.metric === 'string' && typeof rule.rule === 'string' && TIMING.test(rule.metric)) {
    return Object.fromEntries(
      entries.filter(([key]) => ['metric', 'rule', 'threshold', 'status'].includes(key)),
    );
  }
  return Object.fromEntries(
    entries
      .filter(([key]) => key !== 'created_at' && !TIMING.test(key))
      .map(([key, v]) => [key, comparable(v)]),
  );
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** The evaluate action run the way a workflow runs it, in `work`, with action.yml's defaults. */
function evaluateAction(work: string, inputs: Record<string, string>) {
  return runBuiltAction(join(EVALUATE_ACTION, 'dist', 'index.js'), {
    cwd: work,
    actionYml: join(EVALUATE_ACTION, 'action.yml'),
    inputs,
  });
}

/** The compare-to-baseline action on a push to main (no pull request, no comment), in `work`. */
function compareAction(work: string, inputs: Record<string, string>) {
  writeFileSync(join(work, 'push.json'), JSON.stringify({ ref: 'refs/heads/main' }));
  return runBuiltAction(join(COMPARE_ACTION, 'dist', 'index.js'), {
    cwd: work,
    actionYml: join(COMPARE_ACTION, 'action.yml'),
    inputs: { comment: 'false', 'fail-on-regression': 'false', ...inputs },
    env: {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(work, 'push.json'),
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
    },
  });
}

describe('the CLI and the actions read .modelgate.yml the same way', () => {
  it("evaluate: the CLI writes the action's record from the same config, field by field", async () => {
    const work = exampleProject();
    const fromCli = bin(['evaluate', '--model', 'model.onnx', '--out', 'cli.json'], work);
    expect(fromCli.stderr).toBe('');
    expect(fromCli.code).toBe(0);
    const fromAction = await evaluateAction(work, { model: 'model.onnx', out: 'action.json' });
    expect(fromAction.log).not.toMatch(/::error::/);
    expect(fromAction.code).toBe(0);

    const cliRecord = readJson(join(work, 'cli.json'));
    const actionRecord = readJson(join(work, 'action.json'));
    // Both took data, label and slice_by from the evaluate: section.
    expect(cliRecord.data).toMatchObject({ path: 'data/eval.csv', label: 'target' });
    expect(cliRecord.slices.map((s: { column: string }) => s.column)).toContain('size');
    expect(cliRecord.bootstrap).toEqual({ resamples: 1000, confidence: 0.95, seed: 42 });
    expect(Object.keys(cliRecord.metrics)).toContain('latency_p95_ms');
    expect(comparable(cliRecord)).toEqual(comparable(actionRecord));
  });

  it('compare: the CLI reaches the verdict the action reaches, from the same config', async () => {
    const work = exampleProject();
    const fromCli = bin(
      ['compare', '--model', 'model.onnx', '--baseline-model', 'baseline.onnx', '--out', 'cli-verdict.json'],
      work,
    );
    expect(fromCli.stderr).toBe('');
    expect([0, 1]).toContain(fromCli.code);
    // A push to main: no pull request, so no comment to post.
    const fromAction = await compareAction(work, {
      model: 'model.onnx',
      'baseline-model': 'baseline.onnx',
      'verdict-path': 'action-verdict.json',
    });
    expect(fromAction.log).not.toMatch(/::error::/);
    expect(fromAction.code).toBe(0);

    const cliVerdict = readJson(join(work, 'cli-verdict.json'));
    const actionVerdict = readJson(join(work, 'action-verdict.json'));
    expect(fromAction.outputs.passed).toBe(String(cliVerdict.passed));
    expect(fromCli.code).toBe(cliVerdict.passed ? 0 : 1);
    // The slice gates ran, so the slices came from the config's evaluate: section.
    expect(cliVerdict.rules.some((r: { slice?: { column: string } }) => r.slice?.column === 'size')).toBe(
      true,
    );
    expect(cliVerdict.paired).toBe(true);
    expect(comparable(cliVerdict)).toEqual(comparable(actionVerdict));
  });
});

describe('compare: one baseline rule, the flag or input, else registry:production', () => {
  it('with no baseline given, both score the registry’s production model paired, and decide alike', async () => {
    const work = exampleProject();
    // The baseline model, gated as the first model and registered as production.
    for (const args of [
      ['evaluate', '--model', 'baseline.onnx', '--out', 'base-eval.json'],
      ['compare', '--candidate', 'base-eval.json', '--baseline', 'none', '--out', 'base-verdict.json'],
      ['register', '--name', 'breast-cancer', '--model', 'baseline.onnx', '--evaluation', 'base-eval.json'],
    ]) {
      const extra = args[0] === 'register' ? ['--verdict', 'base-verdict.json', '--alias', 'production'] : [];
      const run = bin([...args, ...extra], work);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    const fromCli = bin(['compare', '--model', 'model.onnx', '--out', 'cli-verdict.json'], work);
    expect([0, 1], fromCli.stderr).toContain(fromCli.code);
    const fromAction = await compareAction(work, {
      model: 'model.onnx',
      'verdict-path': 'action-verdict.json',
    });
    expect(fromAction.log).not.toMatch(/::error::/);
    expect(fromAction.code).toBe(0);

    const cliVerdict = readJson(join(work, 'cli-verdict.json'));
    const actionVerdict = readJson(join(work, 'action-verdict.json'));
    expect(cliVerdict.paired).toBe(true);
    expect(cliVerdict.baseline).toEqual({
      sha256: readJson(join(work, 'base-eval.json')).model.sha256,
      ref: 'production',
    });
    expect(cliVerdict.notes[0]).toMatch(/^baseline: breast-cancer v1 \(production\)/);
    expect(fromAction.outputs.passed).toBe(String(cliVerdict.passed));
    expect(comparable(cliVerdict)).toEqual(comparable(actionVerdict));
  });

  it('with no baseline given and no model name, both refuse the same way, naming the option their way', async () => {
    const work = exampleProject();
    writeFileSync(join(work, '.modelgate.yml'), 'gates: { accuracy: { min: 0.5 } }\n');
    // The settings refuse before any file is read: c.json need not exist.
    const fromCli = bin(['compare', '--candidate', 'c.json'], work);
    expect(fromCli.code).toBe(2);
    expect(fromCli.stderr.split('\n')[0]).toBe(
      "modelgate: error: --baseline is 'registry:production' (the default), which needs the model's registry name: set --name or 'model:' in .modelgate.yml",
    );
    const fromAction = await compareAction(work, { candidate: 'c.json' });
    expect(fromAction.code).toBe(1);
    expect(fromAction.log).toContain(
      "::error::input 'baseline' is 'registry:production', which needs the model's registry name: set input 'name' or 'model:' in .modelgate.yml",
    );
  });
});

describe('one precedence: the flag or input, then the config file, then the default', () => {
  it('takes what the flag gives over the file, and the default for what neither gives, in both', async () => {
    const work = exampleProject();
    writeFileSync(
      join(work, 'other.yml'),
      'evaluate: { data: data/eval.csv, label: target, bootstrap: 50, seed: 3, slice_by: size }\n',
    );
    const fromCli = bin(
      ['evaluate', '--model', 'model.onnx', '--config', 'other.yml', '--seed', '9', '--out', 'cli.json'],
      work,
    );
    expect(fromCli.stderr).toBe('');
    const fromAction = await evaluateAction(work, {
      model: 'model.onnx',
      config: 'other.yml',
      seed: '9',
      out: 'action.json',
    });
    expect(fromAction.code).toBe(0);
    const record = readJson(join(work, 'cli.json'));
    // seed from the flag, resamples from the file, confidence from the default.
    expect(record.bootstrap).toEqual({ resamples: 50, confidence: 0.95, seed: 9 });
    expect(comparable(record)).toEqual(comparable(readJson(join(work, 'action.json'))));
  });

  it('names a bad value from the file by its key there, in the CLI and the action alike', async () => {
    const work = exampleProject();
    writeFileSync(
      join(work, '.modelgate.yml'),
      'evaluate: { data: data/eval.csv, label: target, slice_by: size, bootstrap: many }\n',
    );
    const line =
      "'evaluate.bootstrap' in .modelgate.yml 'many' is not valid; expected an integer from 0 to 100000";
    const fromCli = bin(['evaluate', '--model', 'model.onnx'], work);
    expect(fromCli.code).toBe(2);
    expect(fromCli.stderr.split('\n')[0]).toBe(`modelgate: error: ${line}`);
    const fromAction = await evaluateAction(work, { model: 'model.onnx' });
    expect(fromAction.code).toBe(1);
    expect(fromAction.log).toContain(`::error::${line}`);
    // A flag that overrides the bad value makes it moot.
    expect(bin(['evaluate', '--model', 'model.onnx', '--bootstrap', '0', '--out', 'e.json'], work).code).toBe(
      0,
    );
  });
});

describe('modelgate train reads the train: section the train action reads', () => {
  it('runs the command and writes the model the file names, and a flag overrides the file', () => {
    const work = exampleProject();
    const command = 'cp model.onnx "$MODELGATE_MODEL_PATH"; echo "lr=$MODELGATE_PARAM_LR"';
    writeFileSync(
      join(work, '.modelgate.yml'),
      `train: { command: ${JSON.stringify(command)}, model_path: out/m.onnx, gpus: none, params: { lr: 0.2 } }\n`,
    );
    const fromFile = bin(['train'], work);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toContain('lr=0.2');
    expect(readJson(join(work, 'out', 'modelgate-train.json')).params).toEqual({ lr: 0.2 });

    const fromFlags = bin(['train', '--out', 'flag/m.onnx', '--params', '{"lr": 0.5}'], work);
    expect(fromFlags.code, fromFlags.stderr).toBe(0);
    expect(fromFlags.stdout).toContain('lr=0.5');
    expect(readJson(join(work, 'flag', 'modelgate-train.json')).params).toEqual({ lr: 0.5 });
  });

  it('without --out or model_path, names both', async () => {
    const work = exampleProject();
    const run = await cli(['train', '--command', 'true'], work);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      "modelgate: error: --out is required: where the training command writes the model (or 'train.model_path' in .modelgate.yml)",
    );
  });
});

describe('a config file that is not there, or two that disagree', () => {
  it('is exit 2 naming --config for every command, and input config for the action', async () => {
    const work = exampleProject();
    const commands = [
      ['evaluate', '--model', 'model.onnx'],
      ['compare', '--model', 'model.onnx', '--baseline', 'none'],
      ['train', '--command', 'true', '--out', 'm.onnx'],
      ['deploy', '--name', 'bc', '--url', 'http://127.0.0.1:9'],
      ['serve', '--port', '0'],
      ['merge', 'part-1.json'],
      ['select', 'eval.json', '--metric', 'roc_auc'],
    ];
    for (const args of commands) {
      const run = await cli([...args, '--config', 'missing.yml'], work);
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr.split('\n')[0], args[0]).toBe(
        "modelgate: error: --config 'missing.yml': no such file",
      );
    }
    const fromAction = await evaluateAction(work, { model: 'model.onnx', config: 'missing.yml' });
    expect(fromAction.code).toBe(1);
    expect(fromAction.log).toContain("::error::input 'config' 'missing.yml': no such file");
  });

  it('compare: --gates is --config by another name, and the two must not disagree', async () => {
    const work = exampleProject();
    writeFileSync(join(work, 'gates.yml'), 'gates: { accuracy: { min: 0.5 } }\n');
    const both = await cli(
      [
        'compare',
        '--candidate',
        'c.json',
        '--baseline',
        'none',
        '--gates',
        'gates.yml',
        '--config',
        '.modelgate.yml',
      ],
      work,
    );
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe(
      "modelgate: error: --gates 'gates.yml' and --config '.modelgate.yml' disagree: --gates is another name for --config",
    );
    const missing = await cli(
      ['compare', '--candidate', 'c.json', '--baseline', 'none', '--gates', 'nope.yml'],
      work,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe("modelgate: error: --gates 'nope.yml': no such file");

    // The same file under both names is fine, and so is either name alone.
    expect(bin(['evaluate', '--model', 'model.onnx', '--bootstrap', '0', '--out', 'c.json'], work).code).toBe(
      0,
    );
    for (const flags of [
      ['--gates', 'gates.yml', '--config', './gates.yml'],
      ['--gates', 'gates.yml'],
      ['--config', 'gates.yml'],
    ]) {
      const run = await cli(
        ['compare', '--candidate', join(work, 'c.json'), '--baseline', 'none', ...flags],
        work,
      );
      expect(run.stderr, flags.join(' ')).toBe('');
      expect(run.code, flags.join(' ')).toBe(0);
    }
  });
});
