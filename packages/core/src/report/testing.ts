/**
 * Hand-built evaluation records and verdicts for the report's tests and the rendered example.
 * The numbers are those of a real binary classifier on 200 rows (accuracy 0.96 = 192/200, and
 * the confusion matrix agrees with it), so a report built from them reads like a real one.
 */
import type { EvaluationRecord, MetricValue, SliceResult } from '../kernel/records/evaluation.ts';
import { type RuleResult, ruleBlocks, type Verdict } from '../kernel/records/verdict.ts';

const CANDIDATE_SHA = 'b3f1c0de9a7e4d2c8b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa';
const BASELINE_SHA = '7a9e2f4411c3d5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4';
const DATA_SHA = '4e1d7c0b9a8f7e6d5c4b3a29181726354453627180f9e8d7c6b5a49382716050';

function metrics(values: Record<string, number | [number, number, number]>): Record<string, MetricValue> {
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => [
      name,
      Array.isArray(v) ? { value: v[0], ci: [v[1], v[2]] } : { value: v },
    ]),
  );
}

export function candidateRecord(overrides: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    schema: 'modelgate/evaluation@1',
    task: 'binary',
    model: {
      path: 'models/churn.onnx',
      sha256: CANDIDATE_SHA,
      bytes: 18_452,
      output: 'probabilities',
      transform: 'none',
      inputs: [{ name: 'input', type: 'float32', shape: ['N', 30] }],
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', 2] }],
    },
    data: { path: 'data/eval.csv', sha256: DATA_SHA, rows: 200, label: 'churned', classes: ['0', '1'] },
    metrics: metrics({
      accuracy: [0.93, 0.895, 0.965],
      balanced_accuracy: [0.9227, 0.884, 0.959],
      precision: [0.944, 0.9, 0.978],
      recall: [0.944, 0.903, 0.979],
      f1: [0.944, 0.914, 0.971],
      roc_auc: [0.9812, 0.962, 0.995],
      log_loss: [0.1874, 0.131, 0.252],
      latency_p95_ms: 0.84,
      model_size_bytes: 18_452,
    }),
    confusion_matrix: {
      labels: ['0', '1'],
      matrix: [
        [68, 7],
        [7, 118],
      ],
    },
    slices: [
      slice('region', 'eu', 90, { accuracy: 0.9556 }),
      slice('region', 'us', 70, { accuracy: 0.9286 }),
      slice('region', 'apac', 40, { accuracy: 0.875 }),
    ],
    bootstrap: { resamples: 1000, confidence: 0.95, seed: 42 },
    provider: 'cpu',
    notes: [],
    created_at: '2025-05-14T09:12:00.000Z',
    tool: { name: 'modelgate', version: '0.1.0' },
    ...overrides,
  };
}

export function baselineRecord(overrides: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return candidateRecord({
    model: {
      path: 'registry/churn/3/model.onnx',
      sha256: BASELINE_SHA,
      bytes: 18_452,
      output: 'probabilities',
      transform: 'none',
      inputs: [{ name: 'input', type: 'float32', shape: ['N', 30] }],
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', 2] }],
    },
    metrics: metrics({
      accuracy: [0.96, 0.93, 0.985],
      balanced_accuracy: [0.9573, 0.927, 0.982],
      precision: [0.968, 0.935, 0.992],
      recall: [0.968, 0.936, 0.992],
      f1: [0.968, 0.945, 0.988],
      roc_auc: [0.9948, 0.986, 1.0],
      log_loss: [0.0975, 0.061, 0.142],
      latency_p95_ms: 0.81,
      model_size_bytes: 18_452,
    }),
    confusion_matrix: {
      labels: ['0', '1'],
      matrix: [
        [71, 4],
        [4, 121],
      ],
    },
    slices: [
      slice('region', 'eu', 90, { accuracy: 0.9667 }),
      slice('region', 'us', 70, { accuracy: 0.9571 }),
      slice('region', 'apac', 40, { accuracy: 0.95 }),
    ],
    ...overrides,
  });
}

export function slice(
  column: string,
  value: string,
  rows: number,
  values: Record<string, number>,
): SliceResult {
  return { column, value, rows, metrics: metrics(values) };
}

/** A rule result; `status` and the numbers are the caller's, as the gate code would give them. */
export function rule(
  fields: Partial<RuleResult> & Pick<RuleResult, 'metric' | 'rule' | 'status'>,
): RuleResult {
  const threshold = fields.threshold ?? 0.01;
  return {
    threshold,
    threshold_text: String(threshold),
    candidate: null,
    baseline: null,
    delta: null,
    reason: '',
    ...fields,
  };
}

export function verdict(rules: RuleResult[], overrides: Partial<Verdict> = {}): Verdict {
  return {
    schema: 'modelgate/verdict@1',
    passed: !rules.some(ruleBlocks),
    paired: true,
    candidate: { sha256: CANDIDATE_SHA },
    baseline: { sha256: BASELINE_SHA, ref: 'champion' },
    rules,
    notes: [],
    created_at: '2025-05-14T09:12:03.000Z',
    tool: { name: 'modelgate', version: '0.1.0' },
    ...overrides,
  };
}

/** The churn gates of CONTRACT.md's example spec, decided on the records above (paired). */
export function failingChurnVerdict(): Verdict {
  return verdict(
    [
      rule({
        metric: 'accuracy',
        rule: 'min',
        threshold: 0.9,
        threshold_text: '0.90',
        candidate: 0.93,
        baseline: 0.96,
        delta: -0.03,
        ci: [-0.05, -0.01],
        status: 'pass',
        reason: '0.930 ≥ 0.90',
      }),
      rule({
        metric: 'accuracy',
        rule: 'max_drop',
        threshold: 0.01,
        threshold_text: '0.01',
        candidate: 0.93,
        baseline: 0.96,
        delta: -0.03,
        ci: [-0.05, -0.01],
        status: 'fail',
        reason: 'dropped 0.030 > 0.01 allowed',
      }),
      rule({
        metric: 'roc_auc',
        rule: 'max_drop',
        threshold: 0.009948,
        threshold_text: '1%',
        candidate: 0.9812,
        baseline: 0.9948,
        delta: -0.0136,
        ci: [-0.024, -0.004],
        significance: 0.05,
        bound: -0.0056,
        evidence: 'paired',
        status: 'fail',
        reason: 'dropped 0.0136 > 0.00995 allowed; the 95% bound -0.0056 shows the drop is real',
      }),
      rule({
        metric: 'f1',
        rule: 'min_improvement',
        threshold: 0.005,
        threshold_text: '0.005',
        candidate: 0.944,
        baseline: 0.968,
        delta: -0.024,
        ci: [-0.041, -0.008],
        status: 'fail',
        reason: 'changed -0.024, needs +0.005',
      }),
      rule({
        metric: 'log_loss',
        rule: 'max_increase',
        threshold: 0.02,
        threshold_text: '0.02',
        candidate: 0.1874,
        baseline: 0.0975,
        delta: 0.0899,
        ci: [0.041, 0.139],
        significance: 0.05,
        bound: 0.048,
        evidence: 'paired',
        status: 'fail',
        reason: 'rose 0.090 > 0.02 allowed; the 95% bound 0.048 shows the rise is real',
      }),
      rule({
        metric: 'latency_p95_ms',
        rule: 'max',
        threshold: 20,
        threshold_text: '20',
        candidate: 0.84,
        baseline: 0.81,
        delta: 0.03,
        status: 'pass',
        reason: '0.84 ≤ 20',
      }),
      rule({
        metric: 'latency_p95_ms',
        rule: 'max_increase',
        threshold: 0.2025,
        threshold_text: '25%',
        candidate: 0.84,
        baseline: 0.81,
        delta: 0.03,
        status: 'pass',
        reason: 'rose 0.03 ≤ 0.2025 allowed',
      }),
      sliceRule('eu', 0.9556, 0.9667, 'pass'),
      sliceRule('us', 0.9286, 0.9571, 'pass'),
      sliceRule('apac', 0.875, 0.95, 'fail'),
    ],
    { mcnemar: { candidate_only: 4, baseline_only: 10, p_value: 0.18 } },
  );
}

export function sliceRule(
  value: string,
  candidate: number,
  baseline: number,
  status: RuleResult['status'],
): RuleResult {
  const delta = candidate - baseline;
  return rule({
    metric: 'accuracy',
    rule: 'max_drop',
    threshold: 0.03,
    threshold_text: '0.03',
    candidate,
    baseline,
    delta,
    status,
    reason:
      status === 'fail' ? `dropped ${(-delta).toFixed(3)} > 0.03 allowed` : `changed ${delta.toFixed(3)}`,
    slice: { column: 'region', value },
  });
}
