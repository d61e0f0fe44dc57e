import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../kernel/errors.ts';
import { metricDirection } from '../metrics/index.ts';
import { BUILT_IN_METRICS } from './schema.ts';
import { checkGatesFitTask, loadGateSpec, parseGateSpec } from './spec.ts';
import { specOf } from './testing.ts';

/** The InputError a spec gives, as the CLI prints it: message and hint. */
function problemOf(yaml: string): { message: string; hint: string | undefined } {
  try {
    specOf(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return { message: (error as InputError).message, hint: (error as InputError).hint };
  }
  throw new Error('expected the spec to be rejected');
}

const KNOWN =
  'accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, log_loss, brier, ' +
  'precision_macro, recall_macro, f1_macro, f1_micro, f1_weighted, mse, rmse, mae, r2, mape, median_ae, ' +
  'explained_variance, rows_per_second, latency_p50_ms, latency_p95_ms, latency_p99_ms, model_size_bytes';

describe('parseGateSpec: valid specs', () => {
  it('parses the CONTRACT example, keeping the spec’s metric order and ignoring other sections', () => {
    const spec = specOf(`
model: churn
evaluate: { data: data/eval.csv, label: churned, slice_by: [region] }
gates:
  accuracy:       { min: 0.90, max_drop: 0.01 }
  roc_auc:        { max_drop: 1% }
  f1:             { min_improvement: 0.005 }
  log_loss:       { max_increase: 0.02, significance: 0.05 }
  latency_p95_ms: { max: 20, max_increase: 25% }
slice_gates:
  accuracy: { max_drop: 0.03 }
registry: { backend: fs, path: .modelgate/registry }
deploy:   { target: server, url: http://127.0.0.1:8080 }
`);
    expect(spec).toEqual({
      gates: [
        {
          metric: 'accuracy',
          direction: 'higher',
          rules: [
            { kind: 'min', amount: 0.9, relative: false, text: '0.9' },
            { kind: 'max_drop', amount: 0.01, relative: false, text: '0.01' },
          ],
        },
        {
          metric: 'roc_auc',
          direction: 'higher',
          rules: [{ kind: 'max_drop', amount: 1, relative: true, text: '1%' }],
        },
        {
          metric: 'f1',
          direction: 'higher',
          rules: [{ kind: 'min_improvement', amount: 0.005, relative: false, text: '0.005' }],
        },
        {
          metric: 'log_loss',
          direction: 'lower',
          rules: [{ kind: 'max_increase', amount: 0.02, relative: false, text: '0.02' }],
          significance: 0.05,
        },
        {
          metric: 'latency_p95_ms',
          direction: 'lower',
          rules: [
            { kind: 'max', amount: 20, relative: false, text: '20' },
            { kind: 'max_increase', amount: 25, relative: true, text: '25%' },
          ],
        },
      ],
      sliceGates: [
        {
          metric: 'accuracy',
          direction: 'higher',
          rules: [{ kind: 'max_drop', amount: 0.03, relative: false, text: '0.03' }],
        },
      ],
      requireBaseline: false,
    });
  });

  it('orders a metric’s rules min, max, max_drop, max_increase, min_improvement whatever the spec’s order', () => {
    const spec = specOf('gates: { accuracy: { min_improvement: 0, max_drop: 0.1, max: 1, min: 0.5 } }');
    expect(spec.gates[0]?.rules.map((rule) => rule.kind)).toEqual([
      'min',
      'max',
      'max_drop',
      'min_improvement',
    ]);
  });

  it('reads percentages with a space before the sign, and keeps the text as written', () => {
    const spec = specOf('gates: { roc_auc: { max_drop: "0.5 %" }, mse: { max_increase: 2.5% } }');
    expect(spec.gates[0]?.rules[0]).toEqual({
      kind: 'max_drop',
      amount: 0.5,
      relative: true,
      text: '0.5 %',
    });
    expect(spec.gates[1]?.rules[0]).toEqual({
      kind: 'max_increase',
      amount: 2.5,
      relative: true,
      text: '2.5%',
    });
  });

  it('accepts every built-in metric of every task, with the change rule of its direction', () => {
    for (const metric of BUILT_IN_METRICS) {
      const rule = metricDirection(metric) === 'lower' ? 'max_increase' : 'max_drop';
      const spec = specOf(`gates: { ${metric}: { min: 0, ${rule}: 1% } }`);
      expect(spec.gates[0]?.direction).toBe(metricDirection(metric));
    }
  });

  it('takes a custom metric’s direction from higher_is_better', () => {
    const spec = specOf(`
gates:
  coverage_at_k: { higher_is_better: true, max_drop: 0.02 }
  false_alarms:  { higher_is_better: false, max_increase: 3, max: 50 }
`);
    expect(spec.gates.map((gate) => [gate.metric, gate.direction])).toEqual([
      ['coverage_at_k', 'higher'],
      ['false_alarms', 'lower'],
    ]);
  });

  it('accepts higher_is_better on a built-in metric when it agrees with the metric’s direction', () => {
    expect(specOf('gates: { log_loss: { higher_is_better: false, max: 0.5 } }').gates[0]?.direction).toBe(
      'lower',
    );
  });

  it('reads slice_gates and require_baseline', () => {
    const spec = specOf('require_baseline: true\nslice_gates: { recall: { min: 0.6 } }');
    expect(spec.requireBaseline).toBe(true);
    expect(spec.gates).toEqual([]);
    expect(spec.sliceGates[0]?.metric).toBe('recall');
  });

  it('treats an empty document or an empty gates section as a spec without gates', () => {
    const empty = { gates: [], sliceGates: [], requireBaseline: false };
    expect(parseGateSpec(null, 'gates.yml')).toEqual(empty);
    expect(specOf('gates:\nslice_gates:')).toEqual(empty);
    expect(specOf('model: churn')).toEqual(empty);
  });
});

describe('parseGateSpec: bad specs give one line naming the file, the metric and the fix', () => {
  it('an unknown metric, with a did-you-mean and the known names', () => {
    expect(problemOf('gates: { acuracy: { min: 0.9 } }')).toEqual({
      message: `gates.yml: gates.acuracy: unknown metric; did you mean 'accuracy'? Known: ${KNOWN}`,
      hint: 'a metric modelgate does not compute needs `higher_is_better: true` or `higher_is_better: false`',
    });
  });

  it('an unknown metric that resembles nothing', () => {
    expect(problemOf('gates: { throughput_score: { min: 3 } }').message).toBe(
      `gates.yml: gates.throughput_score: unknown metric. Known: ${KNOWN}`,
    );
  });

  it('an unknown metric in slice_gates names slice_gates', () => {
    expect(problemOf('slice_gates: { recal: { min: 0.5 } }').message).toBe(
      `gates.yml: slice_gates.recal: unknown metric; did you mean 'recall'? Known: ${KNOWN}`,
    );
  });

  it('a threshold that is not a number', () => {
    expect(problemOf('gates: { accuracy: { max_drop: abc } }')).toEqual({
      message: "gates.yml: gates.accuracy.max_drop: 'abc' is not a number or a percentage like 1%",
      hint: undefined,
    });
  });

  it('a decimal comma in a block mapping', () => {
    expect(problemOf('gates:\n  accuracy:\n    min: 1,5')).toEqual({
      message: "gates.yml: gates.accuracy.min: '1,5' is not a number",
      hint: 'write decimals with a point: 1.5',
    });
  });

  it('a decimal comma in a flow mapping, where YAML splits it into a second key', () => {
    expect(problemOf('gates: { accuracy: { min: 0,9 } }')).toEqual({
      message:
        "gates.yml: gates.accuracy.9: '9' is not a rule; a decimal comma splits the number in a { … } mapping",
      hint: 'write decimals with a point (1.5, not 1,5)',
    });
  });

  it('a quoted number', () => {
    expect(problemOf('gates: { accuracy: { min: "0.9" } }')).toEqual({
      message: "gates.yml: gates.accuracy.min: '0.9' is not a number",
      hint: 'write the number without quotes: 0.9',
    });
  });

  it('a percentage on min or max, which are absolute', () => {
    expect(problemOf('gates: { accuracy: { min: 90% } }').message).toBe(
      "gates.yml: gates.accuracy.min: min is an absolute value, got '90%'; percentages apply only to max_drop, max_increase and min_improvement",
    );
  });

  it('a rule with no value', () => {
    expect(problemOf('gates: { accuracy: { max: } }').message).toBe(
      'gates.yml: gates.accuracy.max: has no value; expected a number',
    );
    expect(problemOf('gates: { accuracy: { max_drop: } }').message).toBe(
      'gates.yml: gates.accuracy.max_drop: has no value; expected a number or a percentage like 1%',
    );
  });

  it('an unknown rule, with a did-you-mean', () => {
    expect(problemOf('gates: { accuracy: { max_dorp: 0.01 } }').message).toBe(
      "gates.yml: gates.accuracy.max_dorp: unknown rule 'max_dorp'; did you mean 'max_drop'? Rules: min, max, max_drop, max_increase, min_improvement, significance, on_inconclusive, higher_is_better",
    );
  });

  it('max_drop on a lower-is-better metric says to use max_increase', () => {
    expect(problemOf('gates: { log_loss: { max_drop: 0.02 } }').message).toBe(
      'gates.yml: gates.log_loss.max_drop: log_loss is lower-is-better, so a drop is an improvement; use max_increase to limit how far it may rise',
    );
  });

  it('max_increase on a higher-is-better metric says to use max_drop', () => {
    expect(problemOf('gates: { roc_auc: { max_increase: 1% } }').message).toBe(
      'gates.yml: gates.roc_auc.max_increase: roc_auc is higher-is-better, so an increase is an improvement; use max_drop to limit how far it may fall',
    );
  });

  it('a rule against a custom metric’s stated direction', () => {
    expect(problemOf('gates: { false_alarms: { higher_is_better: false, max_drop: 2 } }').message).toBe(
      'gates.yml: gates.false_alarms.max_drop: false_alarms is lower-is-better, so a drop is an improvement; use max_increase to limit how far it may rise',
    );
  });

  it('higher_is_better that contradicts a built-in metric', () => {
    expect(problemOf('gates: { log_loss: { higher_is_better: true, max: 1 } }')).toEqual({
      message:
        'gates.yml: gates.log_loss.higher_is_better: log_loss is a built-in lower-is-better metric; its direction cannot be changed',
      hint: 'remove higher_is_better',
    });
  });

  it('higher_is_better that is not a boolean', () => {
    expect(problemOf('gates: { hits: { higher_is_better: yes, min: 1 } }').message).toBe(
      "gates.yml: gates.hits.higher_is_better: must be true or false, got 'yes'",
    );
  });

  it('a negative threshold, absolute or relative', () => {
    expect(problemOf('gates: { accuracy: { max_drop: -0.01 } }').message).toBe(
      'gates.yml: gates.accuracy.max_drop: must not be negative (it is the size of a change), got -0.01',
    );
    expect(problemOf('gates: { mse: { max_increase: -5% } }').message).toBe(
      "gates.yml: gates.mse.max_increase: must not be negative (it is the size of a change), got '-5%'",
    );
    expect(problemOf('gates: { f1: { min_improvement: -0.1 } }').message).toBe(
      'gates.yml: gates.f1.min_improvement: must not be negative (it is the size of a change), got -0.1',
    );
  });

  it('significance outside (0, 1)', () => {
    for (const alpha of ['0', '1', '-0.05']) {
      expect(problemOf(`gates: { accuracy: { max_drop: 0.01, significance: ${alpha} } }`).message).toBe(
        `gates.yml: gates.accuracy.significance: must be between 0 and 1 (exclusive), e.g. 0.05; got ${Number(alpha)}`,
      );
    }
  });

  it('significance written as a percentage level gets the fraction as a hint', () => {
    expect(problemOf('gates: { accuracy: { max_drop: 0.01, significance: 5 } }').hint).toBe(
      'a level of 5% is written 0.05',
    );
    expect(problemOf('gates: { accuracy: { max_drop: 0.01, significance: 5% } }').hint).toBe(
      'write it as a fraction: 0.05',
    );
  });

  it('significance with no change rule to apply to', () => {
    expect(problemOf('gates: { accuracy: { min: 0.9, significance: 0.05 } }').message).toBe(
      'gates.yml: gates.accuracy.significance: applies to a change rule, and there is none (max_drop or min_improvement)',
    );
    expect(problemOf('gates: { mae: { max: 3, significance: 0.05 } }').message).toBe(
      'gates.yml: gates.mae.significance: applies to a change rule, and there is none (max_increase or min_improvement)',
    );
  });

  it('an empty rule set, written as {} or as nothing', () => {
    expect(problemOf('gates: { accuracy: {} }').message).toBe(
      'gates.yml: gates.accuracy: no rules; give at least one of min, max, max_drop, min_improvement',
    );
    expect(problemOf('gates:\n  log_loss:\n').message).toBe(
      'gates.yml: gates.log_loss: no rules; give at least one of min, max, max_increase, min_improvement',
    );
    expect(problemOf('gates: { hits: { higher_is_better: true } }').message).toBe(
      'gates.yml: gates.hits: no rules; give at least one of min, max, max_drop, min_improvement',
    );
  });

  it('min above max', () => {
    expect(problemOf('gates: { accuracy: { min: 0.9, max: 0.8 } }').message).toBe(
      'gates.yml: gates.accuracy: min 0.9 is above max 0.8: no value can pass',
    );
  });

  it('a rule set that is not a mapping', () => {
    expect(problemOf('gates: { accuracy: 0.9 }')).toEqual({
      message: 'gates.yml: gates.accuracy: must be a mapping of rules, got 0.9',
      hint: 'e.g. accuracy: { min: 0.9 }',
    });
  });

  it('a gates section that is not a mapping', () => {
    expect(problemOf('gates: [accuracy]').message).toBe(
      'gates.yml: gates: must be a mapping of metric name to rules, got a list',
    );
  });

  it('a document that is not a mapping', () => {
    expect(problemOf('- accuracy').message).toBe(
      "gates.yml: expected a YAML mapping with a 'gates' section, got a list",
    );
  });

  it('require_baseline that is not a boolean', () => {
    expect(problemOf('require_baseline: yes').message).toBe(
      "gates.yml: require_baseline: must be true or false, got 'yes'",
    );
  });

  it('a misspelt section, which would otherwise silently gate nothing', () => {
    expect(problemOf('gate: { accuracy: { min: 0.9 } }').message).toBe(
      "gates.yml: gate: unknown section 'gate'; did you mean 'gates'?",
    );
    expect(problemOf('requireBaseline: true').message).toBe(
      "gates.yml: requireBaseline: unknown section 'requireBaseline'; did you mean 'require_baseline'?",
    );
  });

  it('reports the first problem in the document’s order', () => {
    expect(problemOf('gates: { f1: { min: x }, accuracy: { max_drop: y } }').message).toMatch(
      /gates\.f1\.min/,
    );
    expect(problemOf('gates: { accuracy: { max_drop: y }, f1: { min: x } }').message).toMatch(
      /gates\.accuracy\.max_drop/,
    );
  });

  it('every message is one line', () => {
    for (const yaml of ['gates: { acuracy: { min: 0.9 } }', 'gates: { log_loss: { max_drop: 1 } }', '- x']) {
      expect(problemOf(yaml).message).not.toContain('\n');
    }
  });
});

describe('loadGateSpec', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'modelgate-gates-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  }

  it('reads and validates a gates file', async () => {
    const path = await write('ok.yml', 'gates:\n  accuracy: { min: 0.9 }\n');
    expect((await loadGateSpec(path)).gates[0]?.rules[0]?.kind).toBe('min');
  });

  it('names the file and the line of invalid YAML', async () => {
    const path = await write('broken.yml', 'gates:\n  accuracy: { min: 0.9\n  f1: { min: 0.5 }\n');
    await expect(loadGateSpec(path)).rejects.toThrow(
      new InputError(
        `${path}: invalid YAML at line 3, column 3: Flow map in block collection must be sufficiently indented and end with a }`,
      ),
    );
  });

  it('rejects a metric gated twice instead of letting the second silently win', async () => {
    const path = await write(
      'twice.yml',
      'gates:\n  accuracy: { min: 0.9 }\n  accuracy: { max_drop: 0.01 }\n',
    );
    await expect(loadGateSpec(path)).rejects.toThrow(
      `${path}: invalid YAML at line 3, column 3: Map keys must be unique`,
    );
  });

  it('names the file in spec errors', async () => {
    const path = await write('typo.yml', 'gates:\n  acuracy: { min: 0.9 }\n');
    await expect(loadGateSpec(path)).rejects.toThrow(
      `${path}: gates.acuracy: unknown metric; did you mean 'accuracy'?`,
    );
  });

  it.each([
    ['an empty file', ''],
    ['an empty gates section', 'gates: {}\n'],
    ['a model name alone', 'model: bc\n'],
    ['sections without a metric', 'gates:\nslice_gates:\nrequire_baseline: true\n'],
  ])('refuses a spec with no gates (%s): it would pass every model', async (_, text) => {
    const path = await write('empty.yml', text);
    await expect(loadGateSpec(path)).rejects.toThrow(
      new InputError(
        `${path} has no gates, so every model would pass; add a 'gates:' section, e.g. gates: { accuracy: { min: 0.9 } }`,
      ),
    );
  });

  it('accepts slice_gates alone, and remembers the file for later errors', async () => {
    const path = await write('slices.yml', 'slice_gates: { accuracy: { min: 0.8 } }\n');
    expect(await loadGateSpec(path)).toMatchObject({
      file: path,
      gates: [],
      sliceGates: [{ metric: 'accuracy' }],
    });
  });

  it('says when the file is missing', async () => {
    const path = join(directory, 'absent.yml');
    await expect(loadGateSpec(path)).rejects.toThrow(new InputError(`gate spec not found: ${path}`));
  });

  it('parses YAML the way the spec reads it (a percentage stays text, a number stays a number)', () => {
    expect(parse('max_drop: 1%')).toEqual({ max_drop: '1%' });
    expect(parse('max_drop: 1e-3')).toEqual({ max_drop: 0.001 });
  });
});

describe('on_inconclusive', () => {
  it('is read at the top level and inside a rule', () => {
    const spec = specOf(
      'on_inconclusive: fail\ngates: { accuracy: { max_drop: 0.01, significance: 0.05, on_inconclusive: pass } }',
    );
    expect(spec.onInconclusive).toBe('fail');
    expect(spec.gates[0]?.onInconclusive).toBe('pass');
  });

  it('must be pass or fail', () => {
    expect(problemOf('on_inconclusive: maybe\ngates: { accuracy: { min: 0.9 } }').message).toBe(
      "gates.yml: on_inconclusive: must be pass or fail, got 'maybe'",
    );
    expect(
      problemOf('gates: { accuracy: { max_drop: 0.01, significance: 0.05, on_inconclusive: true } }').message,
    ).toBe('gates.yml: gates.accuracy.on_inconclusive: must be pass or fail, got true');
  });

  it('inside a rule, needs significance (without it nothing is inconclusive)', () => {
    expect(problemOf('gates: { accuracy: { max_drop: 0.01, on_inconclusive: fail } }')).toEqual({
      message:
        'gates.yml: gates.accuracy.on_inconclusive: applies only with significance: without it, point estimates decide and nothing is inconclusive',
      hint: 'add significance: 0.05, or remove on_inconclusive',
    });
  });
});

describe('checkGatesFitTask: a gate on a metric the task does not compute is a mistake in the spec', () => {
  const fit = (yaml: string, task: 'binary' | 'multiclass' | 'regression') => () =>
    checkGatesFitTask({ ...specOf(yaml), file: 'gates.yml' }, task);

  it('names the metric, the task and what it computes: rmse on a classifier', () => {
    expect(fit('gates: { rmse: { max: 0.5 } }', 'binary')).toThrow(
      new InputError(
        'gates.yml: gates.rmse: a binary model has no rmse. A binary evaluation computes accuracy, balanced_accuracy, ' +
          'precision, recall, f1, roc_auc, average_precision, log_loss, brier, rows_per_second, latency_p50_ms, ' +
          'latency_p95_ms, latency_p99_ms, model_size_bytes',
      ),
    );
  });

  it('suggests the metric of the same family: f1_macro on a binary model means f1', () => {
    expect(fit('slice_gates: { f1_macro: { min: 0.8 } }', 'binary')).toThrow(
      /^gates\.yml: slice_gates\.f1_macro: a binary model has no f1_macro; did you mean 'f1'\? A binary evaluation computes accuracy, /,
    );
  });

  it('accepts the task’s own metrics, the measured ones, and custom metrics', () => {
    expect(
      fit(
        'gates: { f1_macro: { min: 0.8 }, latency_p95_ms: { max: 20 }, revenue: { min: 1, higher_is_better: true } }',
        'multiclass',
      ),
    ).not.toThrow();
  });
});
