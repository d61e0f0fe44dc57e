import type { MetricValue } from '../kernel/records/evaluation.ts';
import { binaryMetrics, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import type { Predictions } from '../stats/index.ts';

/** The point value of every metric of the task. NaN means undefined on this data (sklearn raises). */
export function pointMetrics(p: Predictions): Record<string, number> {
  if (p.task === 'regression') return regressionMetrics({ target: p.target, predicted: p.predicted });
  const input = {
    labels: p.labels,
    numClasses: p.numClasses,
    predicted: p.predicted,
    ...(p.proba === undefined ? {} : { proba: p.proba }),
  };
  return p.task === 'binary' ? binaryMetrics(input) : multiclassMetrics(input);
}

/** The rows of `p` at `rows`, in that order. */
export function subsetPredictions(p: Predictions, rows: Int32Array): Predictions {
  if (p.task === 'regression') {
    return { task: p.task, target: gather(p.target, rows, 1), predicted: gather(p.predicted, rows, 1) };
  }
  return {
    task: p.task,
    numClasses: p.numClasses,
    labels: gather(p.labels, rows, 1),
    predicted: gather(p.predicted, rows, 1),
    ...(p.proba === undefined ? {} : { proba: gather(p.proba, rows, p.numClasses) }),
  };
}

function gather<T extends Float64Array | Int32Array>(values: T, rows: Int32Array, width: number): T {
  const out = new (values.constructor as new (n: number) => T)(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    const from = (rows[i] as number) * width;
    for (let k = 0; k < width; k++) out[i * width + k] = values[from + k] as number;
  }
  return out;
}

/**
 * Metrics with bootstrap intervals, for all rows or a subset (a slice). Metrics undefined on
 * this data are left out, with a note saying which and why.
 */
export async function scoreMetrics(
  all: Predictions,
  rows: Int32Array | undefined,
  bootstrap: { resamples: number; confidence: number; seed: number },
  notes: string[],
  where: string,
): Promise<Record<string, MetricValue>> {
  const p = rows === undefined ? all : subsetPredictions(all, rows);
  const values = pointMetrics(p);
  const defined = Object.keys(values).filter((name) => Number.isFinite(values[name]));
  const undefinedHere = Object.keys(values).filter((name) => !Number.isFinite(values[name]));
  if (undefinedHere.length > 0) {
    notes.push(
      `${where}${undefinedHere.join(', ')} left out: undefined on these rows (e.g. only one class present)`,
    );
  }
  // The bootstrap's code (its hot loops, the worker pool) loads only when it runs.
  const intervals =
    bootstrap.resamples > 0
      ? await (await import('../stats/bootstrap.ts')).bootstrapIntervals(p, defined, bootstrap)
      : {};
  const out: Record<string, MetricValue> = {};
  for (const name of defined) {
    const ci = intervals[name];
    out[name] = ci === undefined ? { value: values[name] as number } : { value: values[name] as number, ci };
  }
  return out;
}
