import { describe, expect, it } from 'vitest';
import type { RuleResult } from '../kernel/records/verdict.ts';
import { type ChangeEvidence, decide } from './decide.ts';
import { evidenceOf, recordOf, specOf } from './testing.ts';

/** The decision on a one-rule spec: that rule's result. */
function ruleOf(
  yaml: string,
  candidate: Record<string, number>,
  baseline: Record<string, number> | null,
  evidence?: ChangeEvidence,
): RuleResult {
  const decision = decide(
    specOf(yaml),
    recordOf(candidate),
    baseline === null ? null : recordOf(baseline),
    evidence,
  );
  expect(decision.rules).toHaveLength(1);
  return decision.rules[0] as RuleResult;
}

describe('min and max: inclusive bounds on the candidate', () => {
  it('passes a value exactly at min, and fails one below it', () => {
    expect(ruleOf('gates: { accuracy: { min: 0.9 } }', { accuracy: 0.9 }, null)).toMatchObject({
      status: 'pass',
      reason: '0.9 ≥ min 0.9',
    });
    expect(ruleOf('gates: { accuracy: { min: 0.9 } }', { accuracy: 0.88 }, null)).toMatchObject({
      status: 'fail',
      reason: '0.88 < min 0.9',
    });
  });

  it('passes a value exactly at max, and fails one above it', () => {
    expect(ruleOf('gates: { latency_p95_ms: { max: 20 } }', { latency_p95_ms: 20 }, null).status).toBe(
      'pass',
    );
    expect(ruleOf('gates: { latency_p95_ms: { max: 20 } }', { latency_p95_ms: 25.5 }, null)).toMatchObject({
      status: 'fail',
      reason: '25.5 > max 20',
    });
  });

  it('does not fail a bound met exactly but for float rounding', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    expect(ruleOf('gates: { brier: { max: 0.3 } }', { brier: 0.1 + 0.2 }, null).status).toBe('pass');
  });

  it('prints enough digits that a failing comparison never reads as equal', () => {
    expect(ruleOf('gates: { accuracy: { min: 0.9 } }', { accuracy: 0.89999 }, null).reason).toBe(
      '0.89999 < min 0.9',
    );
  });

  it('applies with or without a baseline, and reports the baseline and Δ when there is one', () => {
    const result = ruleOf('gates: { accuracy: { min: 0.9 } }', { accuracy: 0.931 }, { accuracy: 0.925 });
    expect(result).toEqual({
      metric: 'accuracy',
      rule: 'min',
      threshold: 0.9,
      threshold_text: '0.9',
      candidate: 0.931,
      baseline: 0.925,
      delta: 0.006,
      status: 'pass',
      reason: '0.931 ≥ min 0.9',
    });
  });
});

describe('max_drop: for a higher-is-better metric, fails when baseline − candidate > d', () => {
  const spec = 'gates: { accuracy: { max_drop: 0.01 } }';

  it('fails a drop larger than d and fills every field of the rule', () => {
    expect(ruleOf(spec, { accuracy: 0.93 }, { accuracy: 0.95 })).toEqual({
      metric: 'accuracy',
      rule: 'max_drop',
      threshold: 0.01,
      threshold_text: '0.01',
      candidate: 0.93,
      baseline: 0.95,
      delta: -0.02,
      evidence: 'point',
      status: 'fail',
      reason: 'dropped 0.02 > 0.01 allowed',
    });
  });

  it('passes a drop within d', () => {
    expect(ruleOf(spec, { accuracy: 0.946 }, { accuracy: 0.95 })).toMatchObject({
      status: 'pass',
      reason: 'dropped 0.004 ≤ 0.01 allowed',
    });
  });

  it('passes a drop of exactly d, although 0.95 − 0.94 rounds to 0.010000000000000009', () => {
    expect(0.95 - 0.94).toBeGreaterThan(0.01);
    expect(ruleOf(spec, { accuracy: 0.94 }, { accuracy: 0.95 })).toMatchObject({
      status: 'pass',
      reason: 'dropped 0.01 ≤ 0.01 allowed',
    });
  });

  it('passes an improvement or no change', () => {
    expect(ruleOf(spec, { accuracy: 0.96 }, { accuracy: 0.95 })).toMatchObject({
      status: 'pass',
      reason: 'improved 0.01 (max drop 0.01)',
    });
    expect(ruleOf(spec, { accuracy: 0.95 }, { accuracy: 0.95 })).toMatchObject({
      status: 'pass',
      reason: 'unchanged (max drop 0.01)',
    });
  });

  it('reads a percentage as relative to |baseline|', () => {
    const relative = 'gates: { roc_auc: { max_drop: 1% } }';
    // 1% of 0.9 is 0.009.
    expect(ruleOf(relative, { roc_auc: 0.89 }, { roc_auc: 0.9 })).toMatchObject({
      threshold: 0.009,
      threshold_text: '1%',
      status: 'fail',
      reason: 'dropped 0.01 > 0.009 (1% of 0.9) allowed',
    });
    expect(ruleOf(relative, { roc_auc: 0.892 }, { roc_auc: 0.9 })).toMatchObject({
      status: 'pass',
      reason: 'dropped 0.008 ≤ 0.009 (1% of 0.9) allowed',
    });
  });

  it('resolves a percentage against the magnitude of a negative baseline', () => {
    // r2 can be negative; 10% of |−0.5| is 0.05.
    const result = ruleOf('gates: { r2: { max_drop: 10% } }', { r2: -0.56 }, { r2: -0.5 });
    expect(result.threshold).toBeCloseTo(0.05, 15);
    expect(result).toMatchObject({ status: 'fail', reason: 'dropped 0.06 > 0.05 (10% of 0.5) allowed' });
  });

  it('allows no drop at all against a zero baseline with a relative threshold', () => {
    const relative = 'gates: { r2: { max_drop: 5% } }';
    expect(ruleOf(relative, { r2: -0.001 }, { r2: 0 })).toMatchObject({
      threshold: 0,
      status: 'fail',
      reason: 'dropped 0.001 > 0 (5% of 0) allowed',
    });
    expect(ruleOf(relative, { r2: 0 }, { r2: 0 }).status).toBe('pass');
    expect(ruleOf(relative, { r2: 0.2 }, { r2: 0 }).status).toBe('pass');
  });
});

describe('max_increase: for a lower-is-better metric, fails when candidate − baseline > d', () => {
  it('fails an increase larger than d and passes one within it', () => {
    const spec = 'gates: { log_loss: { max_increase: 0.02 } }';
    expect(ruleOf(spec, { log_loss: 0.33 }, { log_loss: 0.3 })).toMatchObject({
      status: 'fail',
      reason: 'increased 0.03 > 0.02 allowed',
    });
    expect(ruleOf(spec, { log_loss: 0.31 }, { log_loss: 0.3 })).toMatchObject({
      status: 'pass',
      reason: 'increased 0.01 ≤ 0.02 allowed',
    });
    expect(ruleOf(spec, { log_loss: 0.25 }, { log_loss: 0.3 })).toMatchObject({
      status: 'pass',
      reason: 'improved 0.05 (max increase 0.02)',
    });
  });

  it('reads a percentage as relative to the baseline: 25% of 8 ms allows up to 10 ms', () => {
    const spec = 'gates: { latency_p95_ms: { max_increase: 25% } }';
    expect(ruleOf(spec, { latency_p95_ms: 10 }, { latency_p95_ms: 8 })).toMatchObject({
      threshold: 2,
      status: 'pass',
      reason: 'increased 2 ≤ 2 (25% of 8) allowed',
    });
    expect(ruleOf(spec, { latency_p95_ms: 10.5 }, { latency_p95_ms: 8 })).toMatchObject({
      status: 'fail',
      reason: 'increased 2.5 > 2 (25% of 8) allowed',
    });
  });

  it('allows no increase at all against a zero baseline with a relative threshold', () => {
    const spec = 'gates: { false_alarms: { higher_is_better: false, max_increase: 10% } }';
    expect(ruleOf(spec, { false_alarms: 1 }, { false_alarms: 0 }).status).toBe('fail');
    expect(ruleOf(spec, { false_alarms: 0 }, { false_alarms: 0 }).status).toBe('pass');
  });
});

describe('min_improvement: fails unless the candidate beats the baseline by d in the good direction', () => {
  it('on a higher-is-better metric, needs candidate − baseline ≥ d', () => {
    const spec = 'gates: { f1: { min_improvement: 0.005 } }';
    expect(ruleOf(spec, { f1: 0.806 }, { f1: 0.8 })).toMatchObject({
      status: 'pass',
      reason: 'improved 0.006 ≥ 0.005 required',
    });
    expect(ruleOf(spec, { f1: 0.803 }, { f1: 0.8 })).toMatchObject({
      status: 'fail',
      reason: 'improved 0.003 < 0.005 required',
    });
    expect(ruleOf(spec, { f1: 0.79 }, { f1: 0.8 })).toMatchObject({
      status: 'fail',
      reason: 'dropped 0.01; needs an improvement of at least 0.005',
    });
    expect(ruleOf(spec, { f1: 0.8 }, { f1: 0.8 })).toMatchObject({
      status: 'fail',
      reason: 'unchanged; needs an improvement of at least 0.005',
    });
  });

  it('on a lower-is-better metric, needs baseline − candidate ≥ d', () => {
    const spec = 'gates: { mse: { min_improvement: 0.1 } }';
    expect(ruleOf(spec, { mse: 1.85 }, { mse: 2 })).toMatchObject({
      status: 'pass',
      reason: 'improved 0.15 ≥ 0.1 required',
    });
    expect(ruleOf(spec, { mse: 1.95 }, { mse: 2 }).status).toBe('fail');
    expect(ruleOf(spec, { mse: 2.1 }, { mse: 2 })).toMatchObject({
      status: 'fail',
      reason: 'increased 0.1; needs an improvement of at least 0.1',
    });
  });

  it('passes an improvement of exactly d, although 0.7 − 0.6 rounds to 0.09999999999999998', () => {
    expect(0.7 - 0.6).toBeLessThan(0.1);
    expect(
      ruleOf('gates: { accuracy: { min_improvement: 0.1 } }', { accuracy: 0.7 }, { accuracy: 0.6 }).status,
    ).toBe('pass');
  });

  it('with a relative threshold, needs d × |baseline|', () => {
    expect(ruleOf('gates: { rmse: { min_improvement: 5% } }', { rmse: 1.9 }, { rmse: 2 })).toMatchObject({
      threshold: 0.1,
      status: 'pass',
      reason: 'improved 0.1 ≥ 0.1 (5% of 2) required',
    });
  });

  it('with a relative threshold against a zero baseline, needs any strict improvement', () => {
    const spec = 'gates: { r2: { min_improvement: 1% } }';
    expect(ruleOf(spec, { r2: 0.001 }, { r2: 0 })).toMatchObject({
      status: 'pass',
      reason: 'improved 0.001; any improvement is required (1% of a zero baseline)',
    });
    expect(ruleOf(spec, { r2: 0 }, { r2: 0 })).toMatchObject({
      status: 'fail',
      reason: 'unchanged; any improvement is required (1% of a zero baseline)',
    });
    expect(ruleOf('gates: { r2: { min_improvement: 0% } }', { r2: 0 }, { r2: 0 }).status).toBe('pass');
  });
});

describe('custom metrics follow their higher_is_better', () => {
  it('higher_is_better: true gates drops', () => {
    const spec = 'gates: { coverage: { higher_is_better: true, max_drop: 0.02 } }';
    expect(ruleOf(spec, { coverage: 0.7 }, { coverage: 0.75 })).toMatchObject({
      status: 'fail',
      reason: 'dropped 0.05 > 0.02 allowed',
    });
  });

  it('higher_is_better: false gates increases, and an improvement is a decrease', () => {
    const spec = 'gates: { false_alarms: { higher_is_better: false, max_increase: 2, min_improvement: 1 } }';
    const decision = decide(
      specOf(spec),
      recordOf({ false_alarms: 7 }),
      recordOf({ false_alarms: 10 }),
      undefined,
    );
    expect(decision.rules.map((rule) => [rule.rule, rule.status, rule.reason])).toEqual([
      ['max_increase', 'pass', 'improved 3 (max increase 2)'],
      ['min_improvement', 'pass', 'improved 3 ≥ 1 required'],
    ]);
  });
});

describe('no baseline', () => {
  const spec = `
gates:
  accuracy: { min: 0.9, max_drop: 0.01 }
  roc_auc: { max_drop: 1% }
`;

  it('skips the change rules, still applies the bounds, and passes when the bounds pass', () => {
    const decision = decide(specOf(spec), recordOf({ accuracy: 0.93, roc_auc: 0.97 }), null, undefined);
    expect(decision.rules.map((rule) => [rule.metric, rule.rule, rule.status, rule.reason])).toEqual([
      ['accuracy', 'min', 'pass', '0.93 ≥ min 0.9'],
      ['accuracy', 'max_drop', 'skip', 'no baseline'],
      ['roc_auc', 'max_drop', 'skip', 'no baseline'],
    ]);
    expect(decision.passed).toBe(true);
    expect(decision.notes).toContain('no baseline: the change rules were skipped and only min/max applied');
  });

  it('fails on a bound even without a baseline', () => {
    const decision = decide(specOf(spec), recordOf({ accuracy: 0.85, roc_auc: 0.97 }), null, undefined);
    expect(decision.passed).toBe(false);
  });

  it('leaves a relative threshold unresolved: NaN in memory, null in the verdict’s JSON', () => {
    const decision = decide(specOf(spec), recordOf({ accuracy: 0.93, roc_auc: 0.97 }), null, undefined);
    const relative = decision.rules[2] as RuleResult;
    expect(relative.threshold).toBeNaN();
    expect(JSON.parse(JSON.stringify(relative))).toMatchObject({
      threshold: null,
      threshold_text: '1%',
      baseline: null,
      delta: null,
    });
  });

  it('still reports the significance of a skipped change rule, but no bound or evidence', () => {
    const result = ruleOf(
      'gates: { accuracy: { max_drop: 0.01, significance: 0.05 } }',
      { accuracy: 0.9 },
      null,
    );
    expect(result).toMatchObject({ status: 'skip', significance: 0.05 });
    expect(result.bound).toBeUndefined();
    expect(result.evidence).toBeUndefined();
  });

  it('with require_baseline: true, fails the change rules instead of skipping them', () => {
    const decision = decide(
      specOf(`require_baseline: true\n${spec}`),
      recordOf({ accuracy: 0.93, roc_auc: 0.97 }),
      null,
      undefined,
    );
    expect(decision.rules.map((rule) => [rule.rule, rule.status, rule.reason])).toEqual([
      ['min', 'pass', '0.93 ≥ min 0.9'],
      ['max_drop', 'fail', 'no baseline, and require_baseline is set'],
      ['max_drop', 'fail', 'no baseline, and require_baseline is set'],
    ]);
    expect(decision.passed).toBe(false);
    expect(decision.notes).toContain('there is no baseline and require_baseline is set, so the gate fails');
  });

  it('with require_baseline: true and only bounds, still fails (with a note) rather than pass silently', () => {
    const decision = decide(
      specOf('require_baseline: true\ngates: { accuracy: { min: 0.9 } }'),
      recordOf({ accuracy: 0.93 }),
      null,
      undefined,
    );
    expect(decision.rules.map((rule) => rule.status)).toEqual(['pass']);
    expect(decision.passed).toBe(false);
    expect(decision.notes).toEqual(['there is no baseline and require_baseline is set, so the gate fails']);
  });

  it('with require_baseline: true and a baseline, decides as usual', () => {
    const decision = decide(
      specOf(`require_baseline: true\n${spec}`),
      recordOf({ accuracy: 0.93, roc_auc: 0.97 }),
      recordOf({ accuracy: 0.935, roc_auc: 0.975 }),
      undefined,
    );
    expect(decision.rules.map((rule) => rule.status)).toEqual(['pass', 'pass', 'pass']);
    expect(decision.passed).toBe(true);
  });
});

describe('a metric a record lacks is an error, which does not pass', () => {
  it('names the metric and the candidate evaluation', () => {
    const decision = decide(
      specOf('gates: { roc_auc: { min: 0.8 } }'),
      recordOf({ accuracy: 0.9 }),
      recordOf({ roc_auc: 0.85 }),
      undefined,
    );
    expect(decision.rules[0]).toMatchObject({
      status: 'error',
      reason: 'roc_auc is not in the candidate evaluation',
      candidate: null,
      baseline: 0.85,
    });
    expect(decision.passed).toBe(false);
  });

  it('names the metric and the baseline evaluation, while bounds on it still decide', () => {
    const decision = decide(
      specOf('gates: { roc_auc: { min: 0.8, max_drop: 0.01 } }'),
      recordOf({ roc_auc: 0.9 }),
      recordOf({ accuracy: 0.85 }),
      undefined,
    );
    expect(decision.rules.map((rule) => [rule.rule, rule.status, rule.reason])).toEqual([
      ['min', 'pass', '0.9 ≥ min 0.8'],
      ['max_drop', 'error', 'roc_auc is not in the baseline evaluation'],
    ]);
    expect(decision.passed).toBe(false);
  });

  it('says when the metric is there but has no value (undefined on that data)', () => {
    const candidate = recordOf({});
    (candidate.metrics as Record<string, unknown>).roc_auc = { value: null };
    const decision = decide(specOf('gates: { roc_auc: { min: 0.8 } }'), candidate, null, undefined);
    expect(decision.rules[0]?.reason).toBe('roc_auc has no value in the candidate evaluation');
  });

  it('suggests the record’s metric when a custom metric’s name looks like a typo of it', () => {
    const decision = decide(
      specOf('gates: { acuracy: { higher_is_better: true, min: 0.9 } }'),
      recordOf({ accuracy: 0.95 }),
      null,
      undefined,
    );
    expect(decision.rules[0]?.reason).toBe(
      "acuracy is not in the candidate evaluation; did you mean 'accuracy'?",
    );
  });

  it('does not mistake an object’s built-in properties for a custom metric', () => {
    const decision = decide(
      specOf('gates: { constructor: { higher_is_better: true, min: 0 } }'),
      recordOf({}),
      null,
      undefined,
    );
    expect(decision.rules[0]).toMatchObject({
      status: 'error',
      reason: 'constructor is not in the candidate evaluation',
    });
  });
});

describe('slice_gates: applied to every slice of the candidate', () => {
  const spec = 'slice_gates: { accuracy: { min: 0.8, max_drop: 0.03 } }';
  const candidate = recordOf({ accuracy: 0.92 }, [
    { column: 'region', value: 'eu', metrics: { accuracy: 0.93 } },
    { column: 'region', value: 'us', metrics: { accuracy: 0.86 } },
    { column: 'region', value: 'apac', metrics: { accuracy: 0.9 } },
  ]);
  const baseline = recordOf({ accuracy: 0.93 }, [
    { column: 'region', value: 'us', metrics: { accuracy: 0.91 } },
    { column: 'region', value: 'eu', metrics: { accuracy: 0.935 } },
    { column: 'plan', value: 'apac', metrics: { accuracy: 0.99 } },
  ]);

  it('matches each slice to the baseline’s slice with the same column and value', () => {
    const decision = decide(specOf(spec), candidate, baseline, undefined);
    expect(decision.rules.map((rule) => [rule.slice?.value, rule.rule, rule.baseline, rule.status])).toEqual([
      ['eu', 'min', 0.935, 'pass'],
      ['eu', 'max_drop', 0.935, 'pass'],
      ['us', 'min', 0.91, 'pass'],
      ['us', 'max_drop', 0.91, 'fail'],
      ['apac', 'min', null, 'pass'],
      ['apac', 'max_drop', null, 'skip'],
    ]);
    expect(decision.rules[3]).toMatchObject({
      metric: 'accuracy',
      slice: { column: 'region', value: 'us' },
      reason: 'dropped 0.05 > 0.03 allowed',
    });
    expect(decision.passed).toBe(false);
  });

  it('skips the change rules of a slice the baseline lacks, saying so, without failing', () => {
    const decision = decide(specOf(spec), candidate, baseline, undefined);
    expect(decision.rules[5]).toMatchObject({
      slice: { column: 'region', value: 'apac' },
      status: 'skip',
      reason: 'slice region=apac is not in the baseline evaluation',
    });
  });

  it('skips the slices’ change rules when there is no baseline at all', () => {
    const decision = decide(specOf(spec), candidate, null, undefined);
    expect(decision.rules.filter((rule) => rule.rule === 'max_drop').map((rule) => rule.reason)).toEqual([
      'no baseline',
      'no baseline',
      'no baseline',
    ]);
    expect(decision.passed).toBe(true);
  });

  it('does not gate the overall metrics with slice_gates, nor the slices with gates', () => {
    const decision = decide(
      specOf('gates: { f1: { min: 0.5 } }\nslice_gates: { accuracy: { min: 0.5 } }'),
      recordOf({ f1: 0.7, accuracy: 0.1 }, [
        { column: 'region', value: 'eu', metrics: { accuracy: 0.9, f1: 0.1 } },
      ]),
      null,
      undefined,
    );
    expect(decision.rules.map((rule) => [rule.metric, rule.slice?.value, rule.status])).toEqual([
      ['f1', undefined, 'pass'],
      ['accuracy', 'eu', 'pass'],
    ]);
  });

  it('notes slice_gates that had no slices to apply to', () => {
    const decision = decide(specOf(spec), recordOf({ accuracy: 0.9 }), null, undefined);
    expect(decision.rules).toEqual([]);
    expect(decision.passed).toBe(true);
    expect(decision.notes).toContain(
      'slice_gates were not applied: the candidate evaluation has no slices (evaluate with --slice-by)',
    );
  });

  it('notes a baseline slice that the candidate no longer has', () => {
    const decision = decide(specOf(spec), candidate, baseline, undefined);
    expect(decision.notes).toContain(
      'slice plan=apac is in the baseline but not in the candidate evaluation; it was not gated',
    );
  });

  it('names the slice when a slice lacks the metric', () => {
    const decision = decide(
      specOf('slice_gates: { roc_auc: { min: 0.5 } }'),
      recordOf({}, [{ column: 'region', value: 'eu', metrics: { accuracy: 1 } }]),
      null,
      undefined,
    );
    expect(decision.rules[0]?.reason).toBe('roc_auc is not in the candidate evaluation for slice region=eu');
  });

  it('asks the evidence for the slice’s own interval and bound', () => {
    const evidence = evidenceOf('paired', {
      'accuracy@region=us': { interval: [-0.08, -0.02], lower: -0.075, upper: -0.035 },
      accuracy: { interval: [-0.5, 0.5], lower: -0.5, upper: 0.5 },
    });
    const decision = decide(
      specOf('slice_gates: { accuracy: { max_drop: 0.03, significance: 0.05 } }'),
      candidate,
      baseline,
      evidence,
    );
    const us = decision.rules.find((rule) => rule.slice?.value === 'us');
    expect(us).toMatchObject({
      ci: [-0.08, -0.02],
      bound: -0.035,
      bounds: [-0.075, -0.035],
      status: 'fail',
      evidence: 'paired',
    });
    expect(evidence.calls).toContainEqual({
      metric: 'accuracy',
      alpha: 0.05,
      side: 'upper',
      slice: { column: 'region', value: 'us' },
    });
  });
});

describe('significance: a change rule has three outcomes, decided by the one-sided (1 − α) bounds of Δ', () => {
  const dropSpec = 'gates: { accuracy: { max_drop: 0.01, significance: 0.05 } }';

  it('is inconclusive when the bounds straddle the tolerance: the issue’s 0.05 drop against max_drop 0.03', () => {
    // The example: a 95% interval of Δ of [−0.08, −0.02] cannot tell whether the drop is within 0.03.
    const spec = 'gates: { accuracy: { max_drop: 0.03, significance: 0.05 } }';
    const evidence = evidenceOf('paired', {
      accuracy: { interval: [-0.08, -0.02], lower: -0.075, upper: -0.025 },
    });
    expect(ruleOf(spec, { accuracy: 0.9 }, { accuracy: 0.95 }, evidence)).toEqual({
      metric: 'accuracy',
      rule: 'max_drop',
      threshold: 0.03,
      threshold_text: '0.03',
      candidate: 0.9,
      baseline: 0.95,
      delta: -0.05,
      ci: [-0.08, -0.02],
      significance: 0.05,
      bounds: [-0.075, -0.025],
      evidence: 'paired',
      on_inconclusive: 'pass',
      // (0.025 from Δ to the upper bound / 0.02 from Δ to the tolerance)² × 200 rows = 312.5
      rows_to_settle: 320,
      status: 'inconclusive',
      reason:
        'dropped 0.05 > 0.03 allowed, but the data cannot tell: the one-sided 95% bounds of Δ, [-0.075, -0.025], ' +
        'straddle -0.03; about 320 rows (now 200) would settle it; counted as a pass (on_inconclusive: pass)',
    });
  });

  it('lets an inconclusive rule pass the verdict by default, and fail it with on_inconclusive: fail', () => {
    const evidence = evidenceOf('paired', { accuracy: { lower: -0.075, upper: -0.025 } });
    const run = (yaml: string) =>
      decide(specOf(yaml), recordOf({ accuracy: 0.9 }), recordOf({ accuracy: 0.95 }), evidence);

    const byDefault = run('gates: { accuracy: { max_drop: 0.03, significance: 0.05 } }');
    expect(byDefault.passed).toBe(true);
    expect(byDefault.rules[0]).toMatchObject({ status: 'inconclusive', on_inconclusive: 'pass' });

    const strict = run('on_inconclusive: fail\ngates: { accuracy: { max_drop: 0.03, significance: 0.05 } }');
    expect(strict.passed).toBe(false);
    expect(strict.rules[0]).toMatchObject({ status: 'inconclusive', on_inconclusive: 'fail' });
    expect(strict.rules[0]?.reason).toMatch(/; counted as a fail \(on_inconclusive: fail\)$/);

    const explicitPass = run(
      'on_inconclusive: pass\ngates: { accuracy: { max_drop: 0.03, significance: 0.05 } }',
    );
    expect(explicitPass.passed).toBe(true);
  });

  it('takes a rule’s own on_inconclusive over the spec’s', () => {
    const evidence = evidenceOf('paired', { accuracy: { lower: -0.075, upper: -0.025 } });
    const decision = decide(
      specOf(
        'on_inconclusive: pass\ngates: { accuracy: { max_drop: 0.03, significance: 0.05, on_inconclusive: fail } }',
      ),
      recordOf({ accuracy: 0.9 }),
      recordOf({ accuracy: 0.95 }),
      evidence,
    );
    expect(decision.passed).toBe(false);
    expect(decision.rules[0]?.on_inconclusive).toBe('fail');
  });

  it('passes only when even the lower bound of Δ is within the tolerance', () => {
    const evidence = evidenceOf('paired', { accuracy: { lower: -0.008, upper: 0.003 } });
    expect(ruleOf(dropSpec, { accuracy: 0.946 }, { accuracy: 0.95 }, evidence)).toMatchObject({
      bound: -0.008,
      bounds: [-0.008, 0.003],
      status: 'pass',
      reason: 'dropped 0.004 ≤ 0.01 allowed; 95% lower bound of Δ is -0.008, within -0.01',
    });
  });

  it('fails a real drop (upper bound of Δ below −d)', () => {
    const evidence = evidenceOf('paired', {
      accuracy: { interval: [-0.031, -0.014], lower: -0.029, upper: -0.012 },
    });
    expect(ruleOf(dropSpec, { accuracy: 0.93 }, { accuracy: 0.95 }, evidence)).toMatchObject({
      bound: -0.012,
      status: 'fail',
      reason:
        'dropped 0.02 > 0.01 allowed; 95% upper bound of Δ is -0.012, beyond -0.01, so the drop is real',
    });
  });

  it('calls a drop beyond d that noise could explain inconclusive, not a pass', () => {
    // The point drop of 0.015 exceeds 0.01, but Δ could plausibly be as high as −0.004.
    const evidence = evidenceOf('paired', { accuracy: { lower: -0.026, upper: -0.004 } });
    const rule = ruleOf(dropSpec, { accuracy: 0.935 }, { accuracy: 0.95 }, evidence);
    expect(rule.status).toBe('inconclusive');
    // (0.011 / 0.005)² × 200 = 968
    expect(rule.rows_to_settle).toBe(970);
  });

  it('says when Δ sits on the tolerance and no number of rows would settle it', () => {
    const evidence = evidenceOf('paired', { accuracy: { lower: -0.02, upper: 0 } });
    const rule = ruleOf(dropSpec, { accuracy: 0.94 }, { accuracy: 0.95 }, evidence);
    expect(rule).toMatchObject({ status: 'inconclusive', rows_to_settle: null });
    expect(rule.reason).toContain('Δ sits on the tolerance, so more rows would not settle it');
  });

  it('estimates the rows from a slice’s own size for a slice rule', () => {
    const evidence = evidenceOf('paired', { 'accuracy@region=us': { lower: -0.075, upper: -0.025 } });
    const decision = decide(
      specOf('slice_gates: { accuracy: { max_drop: 0.03, significance: 0.05 } }'),
      recordOf({}, [{ column: 'region', value: 'us', metrics: { accuracy: 0.9 } }]),
      recordOf({}, [{ column: 'region', value: 'us', metrics: { accuracy: 0.95 } }]),
      evidence,
    );
    // The slice has 50 rows: (0.025 / 0.02)² × 50 = 78.1
    expect(decision.rules[0]).toMatchObject({ status: 'inconclusive', rows_to_settle: 79 });
    expect(decision.rules[0]?.reason).toContain('about 79 rows (now 50) would settle it');
  });

  it('asks for both bounds of Δ at α', () => {
    const evidence = evidenceOf('paired', {});
    decide(
      specOf(`
gates:
  accuracy: { max_drop: 0.01, significance: 0.05 }
  log_loss: { max_increase: 0.02, significance: 0.1 }
`),
      recordOf({ accuracy: 0.9, log_loss: 0.3 }),
      recordOf({ accuracy: 0.9, log_loss: 0.3 }),
      evidence,
    );
    expect(evidence.calls).toEqual([
      { metric: 'accuracy', alpha: 0.05, side: 'lower' },
      { metric: 'accuracy', alpha: 0.05, side: 'upper' },
      { metric: 'log_loss', alpha: 0.1, side: 'lower' },
      { metric: 'log_loss', alpha: 0.1, side: 'upper' },
    ]);
  });

  it('max_increase: fails when the lower bound of Δ is above +d, passes when the upper bound is within it', () => {
    const spec = 'gates: { log_loss: { max_increase: 0.02, significance: 0.1 } }';
    const real = evidenceOf('paired', { log_loss: { lower: 0.025, upper: 0.06 } });
    expect(ruleOf(spec, { log_loss: 0.34 }, { log_loss: 0.3 }, real)).toMatchObject({
      status: 'fail',
      reason:
        'increased 0.04 > 0.02 allowed; 90% lower bound of Δ is +0.025, beyond +0.02, so the increase is real',
    });
    const within = evidenceOf('paired', { log_loss: { lower: -0.01, upper: 0.015 } });
    expect(ruleOf(spec, { log_loss: 0.305 }, { log_loss: 0.3 }, within)).toMatchObject({
      status: 'pass',
      reason: 'increased 0.005 ≤ 0.02 allowed; 90% upper bound of Δ is +0.015, within +0.02',
    });
    const noise = evidenceOf('paired', { log_loss: { lower: 0.01, upper: 0.07 } });
    expect(ruleOf(spec, { log_loss: 0.34 }, { log_loss: 0.3 }, noise).status).toBe('inconclusive');
  });

  it('resolves a relative threshold before comparing it with the bound', () => {
    // 1% of 0.9 = 0.009: an upper bound of −0.0095 shows a real drop beyond it.
    const spec = 'gates: { roc_auc: { max_drop: 1%, significance: 0.05 } }';
    const evidence = evidenceOf('paired', { roc_auc: { lower: -0.03, upper: -0.0095 } });
    expect(ruleOf(spec, { roc_auc: 0.88 }, { roc_auc: 0.9 }, evidence).status).toBe('fail');
  });

  it('min_improvement: passes when the lower bound shows it, fails when the upper bound shows it is not reached, else inconclusive', () => {
    const spec = 'gates: { f1: { min_improvement: 0.005, significance: 0.05 } }';
    const shown = evidenceOf('paired', { f1: { lower: 0.006, upper: 0.014 } });
    expect(ruleOf(spec, { f1: 0.81 }, { f1: 0.8 }, shown)).toMatchObject({
      status: 'pass',
      reason: 'improved 0.01 ≥ 0.005 required; 95% lower bound of Δ is +0.006, ≥ +0.005 required',
    });
    const notReached = evidenceOf('paired', { f1: { lower: -0.01, upper: 0.004 } });
    expect(ruleOf(spec, { f1: 0.797 }, { f1: 0.8 }, notReached)).toMatchObject({
      status: 'fail',
      reason:
        'dropped 0.003; needs an improvement of at least 0.005; 95% upper bound of Δ is +0.004, beyond +0.005, so the improvement is not reached',
    });
    const unclear = evidenceOf('paired', { f1: { lower: 0.001, upper: 0.019 } });
    const rule = ruleOf(spec, { f1: 0.81 }, { f1: 0.8 }, unclear);
    expect(rule.status).toBe('inconclusive');
    expect(rule.reason).toMatch(
      /^improved 0\.01 ≥ 0\.005 required, but the data cannot tell: the one-sided 95% bounds of Δ, \[\+0\.001, \+0\.019\], straddle \+0\.005/,
    );
  });

  it('min_improvement on a lower-is-better metric reads the upper bound of Δ for a pass and the lower for a fail', () => {
    const spec = 'gates: { mse: { min_improvement: 0.1, significance: 0.05 } }';
    const shown = evidenceOf('paired', { mse: { lower: -0.4, upper: -0.2 } });
    expect(ruleOf(spec, { mse: 1.7 }, { mse: 2 }, shown)).toMatchObject({
      status: 'pass',
      reason: 'improved 0.3 ≥ 0.1 required; 95% upper bound of Δ is -0.2, ≤ -0.1 required',
    });
    const notReached = evidenceOf('paired', { mse: { lower: -0.05, upper: 0.1 } });
    expect(ruleOf(spec, { mse: 1.98 }, { mse: 2 }, notReached).status).toBe('fail');
    const unclear = evidenceOf('paired', { mse: { lower: -0.5, upper: -0.05 } });
    expect(ruleOf(spec, { mse: 1.7 }, { mse: 2 }, unclear).status).toBe('inconclusive');
  });

  it('without evidence, falls back to point estimates and says so', () => {
    const decision = decide(
      specOf(dropSpec),
      recordOf({ accuracy: 0.935 }),
      recordOf({ accuracy: 0.95 }),
      undefined,
    );
    expect(decision.rules[0]).toMatchObject({ status: 'fail', evidence: 'point', significance: 0.05 });
    expect(decision.rules[0]?.bound).toBeUndefined();
    expect(decision.notes).toEqual([
      'significance was not applied to accuracy max_drop: no bootstrap of the difference is available ' +
        '(was the bootstrap off?), so point estimates decided',
    ]);
  });

  it('falls back to point estimates for a metric the evidence has no bound for', () => {
    const evidence = evidenceOf('paired', { roc_auc: { upper: 0 } });
    const decision = decide(
      specOf(dropSpec),
      recordOf({ accuracy: 0.935 }),
      recordOf({ accuracy: 0.95 }),
      evidence,
    );
    expect(decision.rules[0]).toMatchObject({ status: 'fail', evidence: 'point' });
    expect(decision.notes[0]).toMatch(/^significance was not applied to accuracy max_drop/);
  });

  it('marks unpaired evidence on the rule and notes that it is weaker', () => {
    const evidence = evidenceOf('unpaired', {
      accuracy: { interval: [-0.05, 0.02], lower: -0.009, upper: 0.015 },
    });
    const decision = decide(
      specOf(dropSpec),
      recordOf({ accuracy: 0.935 }),
      recordOf({ accuracy: 0.95 }),
      evidence,
    );
    expect(decision.rules[0]).toMatchObject({ status: 'pass', evidence: 'unpaired', bound: -0.009 });
    expect(decision.notes).toEqual([
      'significance used independent bootstraps of the two evaluations (unpaired), weaker evidence than a ' +
        'paired bootstrap on the same rows; compare with --baseline-model for paired statistics',
    ]);
  });

  it('without significance, point estimates decide but the CI of Δ is still reported', () => {
    const evidence = evidenceOf('paired', { accuracy: { interval: [-0.03, 0.001], upper: 0.0 } });
    const result = ruleOf(
      'gates: { accuracy: { max_drop: 0.01 } }',
      { accuracy: 0.935 },
      { accuracy: 0.95 },
      evidence,
    );
    expect(result).toMatchObject({ status: 'fail', evidence: 'point', ci: [-0.03, 0.001] });
    expect(result.bound).toBeUndefined();
    expect(result.significance).toBeUndefined();
    expect(evidence.calls).toEqual([]);
  });
});

describe('the overall decision', () => {
  const spec = `
gates:
  accuracy: { min: 0.9, max_drop: 0.01 }
  log_loss: { max_increase: 0.02 }
`;

  it('passes when every rule passes or is skipped', () => {
    const decision = decide(
      specOf(spec),
      recordOf({ accuracy: 0.95, log_loss: 0.2 }),
      recordOf({ accuracy: 0.95, log_loss: 0.2 }),
      undefined,
    );
    expect(decision).toEqual({ passed: true, rules: expect.any(Array), notes: [] });
  });

  it('fails when any rule fails', () => {
    const decision = decide(
      specOf(spec),
      recordOf({ accuracy: 0.95, log_loss: 0.3 }),
      recordOf({ accuracy: 0.95, log_loss: 0.2 }),
      undefined,
    );
    expect(decision.rules.map((rule) => rule.status)).toEqual(['pass', 'pass', 'fail']);
    expect(decision.passed).toBe(false);
  });

  it('lists the rules in the spec’s metric order, then the slices', () => {
    const decision = decide(
      specOf(`${spec}slice_gates: { accuracy: { min: 0.5 } }`),
      recordOf({ accuracy: 0.95, log_loss: 0.2 }, [{ column: 'r', value: 'x', metrics: { accuracy: 0.9 } }]),
      null,
      undefined,
    );
    expect(decision.rules.map((rule) => `${rule.metric}.${rule.rule}${rule.slice ? '@x' : ''}`)).toEqual([
      'accuracy.min',
      'accuracy.max_drop',
      'log_loss.max_increase',
      'accuracy.min@x',
    ]);
  });

  it('passes a spec without rules, with a note that nothing was checked', () => {
    expect(decide(specOf('model: churn'), recordOf({}), null, undefined)).toEqual({
      passed: true,
      rules: [],
      notes: ['the gate spec has no rules, so nothing was checked'],
    });
  });
});
