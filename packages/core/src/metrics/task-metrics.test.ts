import { describe, expect, it } from 'vitest';
import { MEASURED_METRICS, METRICS, metricDirection, PROBABILITY_METRICS } from './names.ts';
import { binaryMetrics, multiclassMetrics, regressionMetrics } from './task-metrics.ts';

const ints = (values: number[]) => Int32Array.from(values);
const floats = (values: number[]) => Float64Array.from(values);

describe('metric names', () => {
  it('list each task’s metrics in the CONTRACT’s order', () => {
    expect(METRICS.binary).toEqual([
      'accuracy',
      'balanced_accuracy',
      'precision',
      'recall',
      'f1',
      'roc_auc',
      'average_precision',
      'log_loss',
      'brier',
    ]);
    expect(METRICS.multiclass).toEqual([
      'accuracy',
      'balanced_accuracy',
      'precision_macro',
      'recall_macro',
      'f1_macro',
      'f1_micro',
      'f1_weighted',
      'log_loss',
      'roc_auc',
    ]);
    expect(METRICS.regression).toEqual([
      'mse',
      'rmse',
      'mae',
      'r2',
      'mape',
      'median_ae',
      'explained_variance',
    ]);
    expect(MEASURED_METRICS).toEqual([
      'rows_per_second',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'model_size_bytes',
    ]);
  });

  it('know the direction of every built-in metric and of no other name', () => {
    const lower = ['log_loss', 'brier', 'mse', 'rmse', 'mae', 'mape', 'median_ae', 'model_size_bytes'];
    for (const name of lower) expect(metricDirection(name), name).toBe('lower');
    for (const name of ['latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'])
      expect(metricDirection(name)).toBe('lower');
    for (const name of ['accuracy', 'roc_auc', 'r2', 'explained_variance', 'f1_micro', 'rows_per_second']) {
      expect(metricDirection(name), name).toBe('higher');
    }
    expect(metricDirection('my_custom_score')).toBeUndefined();
    expect(metricDirection('Accuracy')).toBeUndefined();
  });

  it('mark exactly the probability metrics, all of them built in', () => {
    expect([...PROBABILITY_METRICS].sort()).toEqual(['average_precision', 'brier', 'log_loss', 'roc_auc']);
  });
});

describe('binaryMetrics', () => {
  const labels = ints([0, 1, 1, 0]);
  const predicted = ints([0, 1, 0, 0]);
  const proba = floats([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3]);

  it('gives every binary metric, in METRICS order', () => {
    expect(Object.keys(binaryMetrics({ labels, predicted, proba, numClasses: 2 }))).toEqual(METRICS.binary);
  });

  it('leaves out, rather than NaN, the probability metrics when only hard labels exist', () => {
    const result = binaryMetrics({ labels, predicted, numClasses: 2 });
    expect(Object.keys(result)).toEqual(METRICS.binary.filter((name) => !PROBABILITY_METRICS.has(name)));
    expect(result.recall).toBe(0.5);
  });

  it('gives NaN for every metric on zero rows', () => {
    const result = binaryMetrics({ labels: ints([]), predicted: ints([]), proba: floats([]), numClasses: 2 });
    expect(Object.keys(result)).toEqual(METRICS.binary);
    for (const value of Object.values(result)) expect(value).toBeNaN();
  });

  it('refuses a class count other than 2, which is a bug in the caller', () => {
    expect(() => binaryMetrics({ labels, predicted, numClasses: 3 })).toThrow(/numClasses is 3, expected 2/);
  });
});

describe('multiclassMetrics', () => {
  it('gives NaN roc_auc but a real log_loss when a class never occurs in the labels', () => {
    const result = multiclassMetrics({
      labels: ints([0, 1, 0, 1]),
      predicted: ints([0, 1, 2, 1]),
      proba: floats([0.7, 0.2, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4, 0.3, 0.6, 0.1]),
      numClasses: 3,
    });
    expect(Object.keys(result)).toEqual(METRICS.multiclass);
    expect(result.roc_auc).toBeNaN();
    expect(result.log_loss).toBeCloseTo(-(Math.log(0.7) * 2 + Math.log(0.3) + Math.log(0.6)) / 4, 15);
    expect(result.accuracy).toBe(0.75);
  });
});

describe('regressionMetrics', () => {
  it('gives every regression metric, in METRICS order', () => {
    const result = regressionMetrics({ target: floats([1, 2, 3]), predicted: floats([1, 2, 4]) });
    expect(Object.keys(result)).toEqual(METRICS.regression);
    expect(result.mae).toBe(1 / 3);
  });
});
