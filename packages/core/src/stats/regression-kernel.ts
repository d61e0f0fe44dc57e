/**
 * Every regression metric, prepared for row-weighted resampling: rows sorted once by
 * absolute error (so a resample finds the weighted median without sorting), with the
 * per-row terms computed once. The per-resample pass is `regressionKernel` in hot.ts.
 */
import { argsortFloat64, MAPE_EPSILON } from '../metrics/index.ts';
import type { RowModel } from './hot.ts';

/** The order of the regression kernel's outputs. */
export const REGRESSION_METRICS = [
  'mse',
  'rmse',
  'mae',
  'r2',
  'mape',
  'median_ae',
  'explained_variance',
] as const;

export type RegressionRowModel = Extract<RowModel, { kind: 'regression' }>;

/**
 * Sorts the rows by absolute error (stably, as the metrics module's weighted median does)
 * and lays out, per rank: |error|, error², |error| / max(|y|, ε), y − mean(y), and
 * error − mean(error) (about a data value, see below), the deviations that give R² and
 * explained variance in one pass.
 */
export function regressionRowModel(target: Float64Array, predicted: Float64Array): RegressionRowModel {
  const rows = target.length;
  const finite = target.every(Number.isFinite) && predicted.every(Number.isFinite);
  const absolute = new Float64Array(rows);
  let targetSum = 0;
  let errorSum = 0;
  for (let i = 0; i < rows; i++) {
    absolute[i] = Math.abs(predicted[i]! - target[i]!);
    targetSum += target[i]!;
    errorSum += target[i]! - predicted[i]!;
  }
  // Deviations are taken about the data value nearest the mean: as good as the mean for the
  // one-pass spreads, and exactly 0 for every row when the values are all equal, so that a
  // constant target has a spread of exactly 0 (R² is then 0 or 1, as sklearn gives).
  const targetCentre = nearest(target, rows > 0 ? targetSum / rows : 0, (i) => target[i]!);
  const errorCentre = nearest(target, rows > 0 ? errorSum / rows : 0, (i) => target[i]! - predicted[i]!);
  const order = finite ? argsortFloat64(absolute) : Uint32Array.from({ length: rows }, (_, i) => i);
  const data = new Float64Array(5 * rows);
  for (let k = 0; k < rows; k++) {
    const row = order[k]!;
    const y = target[row]!;
    const error = y - predicted[row]!;
    data[5 * k] = absolute[row]!;
    data[5 * k + 1] = error * error;
    data[5 * k + 2] = absolute[row]! / Math.max(Math.abs(y), MAPE_EPSILON);
    data[5 * k + 3] = y - targetCentre;
    data[5 * k + 4] = error - errorCentre;
  }
  return { kind: 'regression', order, data, finite };
}

/** The value of(i) closest to `mean` (0 for no rows). */
function nearest(values: Float64Array, mean: number, of: (i: number) => number): number {
  let best = 0;
  let distance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(of(i) - mean);
    if (d < distance) {
      distance = d;
      best = of(i);
    }
  }
  return best;
}
