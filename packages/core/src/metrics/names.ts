/**
 * The single source of truth for metric names and their directions. Gates, reports, the
 * docs and the evaluator all read these lists; nothing else spells a metric name out.
 */

import type { Task } from '../kernel/records/evaluation.ts';

export type { Task };

/** Which way a metric improves. */
export type Direction = 'higher' | 'lower';

/** The computed metrics of each task, in the CONTRACT's order (the measured ones excluded). */
export const METRICS: Readonly<Record<Task, readonly string[]>> = Object.freeze({
  binary: Object.freeze([
    'accuracy',
    'balanced_accuracy',
    'precision',
    'recall',
    'f1',
    'roc_auc',
    'average_precision',
    'log_loss',
    'brier',
  ]),
  multiclass: Object.freeze([
    'accuracy',
    'balanced_accuracy',
    'precision_macro',
    'recall_macro',
    'f1_macro',
    'f1_micro',
    'f1_weighted',
    'log_loss',
    'roc_auc',
  ]),
  regression: Object.freeze(['mse', 'rmse', 'mae', 'r2', 'mape', 'median_ae', 'explained_variance']),
});

/** Metrics measured while running the model, for every task (absent in predictions mode). */
export const MEASURED_METRICS: readonly string[] = Object.freeze([
  'rows_per_second',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'model_size_bytes',
]);

/** Metrics that need class probabilities; they are left out when only hard labels exist. */
export const PROBABILITY_METRICS: ReadonlySet<string> = new Set([
  'roc_auc',
  'average_precision',
  'log_loss',
  'brier',
]);

// The CONTRACT's "Direction" list: these are lower-is-better, every other built-in is higher.
const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'log_loss',
  'brier',
  'mse',
  'rmse',
  'mae',
  'mape',
  'median_ae',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'model_size_bytes',
]);

const BUILT_IN: ReadonlySet<string> = new Set([
  ...METRICS.binary,
  ...METRICS.multiclass,
  ...METRICS.regression,
  ...MEASURED_METRICS,
]);

/**
 * The direction of a built-in metric, or `undefined` for a name modelgate does not know
 * (a gate on such a metric must state `higher_is_better` itself).
 */
export function metricDirection(name: string): Direction | undefined {
  if (!BUILT_IN.has(name)) return undefined;
  return LOWER_IS_BETTER.has(name) ? 'lower' : 'higher';
}
