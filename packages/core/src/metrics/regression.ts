/**
 * Regression metrics, as scikit-learn 1.2.1 computes them (single output).
 *
 * Every function returns NaN where sklearn raises: a non-finite target or prediction
 * (`check_array`), or a total weight of 0 (`np.average` divides by it). Weighted means are
 * Σ wᵢxᵢ / Σ wᵢ, numpy's `np.average(x, weights=w)`.
 */
import { allFinite, argsortFloat64, checkRows, totalWeight, weightAt } from './weights.ts';

/** sklearn's guard against dividing by a zero target in MAPE: `np.finfo(np.float64).eps`. */
export const MAPE_EPSILON = Number.EPSILON;

/** Target and prediction of the same length, finite, with optional weights. */
function usable(
  what: string,
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): boolean {
  checkRows(what, target.length, predicted.length, 'predicted');
  if (weights !== undefined) checkRows(what, target.length, weights.length, 'weights');
  return target.length > 0 && allFinite(target) && allFinite(predicted);
}

/** Σ wᵢ·f(i) / Σ wᵢ, or NaN when the weights sum to 0. */
function weightedMean(rows: number, weights: Float64Array | undefined, value: (i: number) => number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += value(i) * weightAt(weights, i);
  const total = totalWeight(rows, weights);
  return total === 0 ? Number.NaN : sum / total;
}

/** Mean squared error. */
export function meanSquaredError(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  if (!usable('mse', target, predicted, weights)) return Number.NaN;
  return weightedMean(target.length, weights, (i) => {
    const error = (target[i] as number) - (predicted[i] as number);
    return error * error;
  });
}

/** Root mean squared error: `mean_squared_error(squared=False)`, the square root of the MSE. */
export function rootMeanSquaredError(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  return Math.sqrt(meanSquaredError(target, predicted, weights));
}

/** Mean absolute error. */
export function meanAbsoluteError(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  if (!usable('mae', target, predicted, weights)) return Number.NaN;
  return weightedMean(target.length, weights, (i) =>
    Math.abs((predicted[i] as number) - (target[i] as number)),
  );
}

/**
 * Mean absolute percentage error, as a fraction (not ×100): |ŷ − y| / max(|y|, ε) with
 * ε = float64 machine epsilon, so a zero target gives a huge but finite term, as in sklearn.
 */
export function meanAbsolutePercentageError(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  if (!usable('mape', target, predicted, weights)) return Number.NaN;
  return weightedMean(target.length, weights, (i) => {
    const y = target[i] as number;
    return Math.abs((predicted[i] as number) - y) / Math.max(Math.abs(y), MAPE_EPSILON);
  });
}

/**
 * Median absolute error. Unweighted it is `np.median`: the mean of the two middle errors
 * when the row count is even. With weights, sklearn 1.2.1 switches to `_weighted_percentile`
 * at 50, the *lower* weighted median: the smallest error whose cumulative weight reaches half
 * the total. So all-ones weights give the lower middle error for an even row count, not the
 * average of the two middles; that difference is sklearn's, and is kept to stay exact.
 */
export function medianAbsoluteError(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  if (!usable('median_ae', target, predicted, weights)) return Number.NaN;
  const rows = target.length;
  const errors = new Float64Array(rows);
  for (let i = 0; i < rows; i++) errors[i] = Math.abs((predicted[i] as number) - (target[i] as number));
  if (weights === undefined) {
    errors.sort();
    const middle = rows >>> 1;
    return rows % 2 === 1
      ? (errors[middle] as number)
      : ((errors[middle - 1] as number) + (errors[middle] as number)) / 2;
  }
  return weightedLowerMedian(errors, weights);
}

/**
 * sklearn's `_weighted_percentile(values, weights, 50)`: sort, accumulate the weights in that
 * order, and take the first value whose cumulative weight is ≥ half the total
 * (`np.searchsorted`, side left). When all weights are 0, sklearn searches for the smallest
 * positive double, finds nothing, and clips to the largest value; so does this.
 */
export function weightedLowerMedian(values: Float64Array, weights: Float64Array): number {
  checkRows('weightedLowerMedian', values.length, weights.length, 'weights');
  const order = argsortFloat64(values);
  let total = 0;
  for (let k = 0; k < order.length; k++) total += weights[order[k] as number] as number;
  let half = 0.5 * total;
  if (half === 0) half = Number.MIN_VALUE; // sklearn: np.nextafter(0, 1), see GH20528
  // Re-accumulating in the same order reproduces the cumulative sums exactly.
  let cumulative = 0;
  for (let k = 0; k < order.length; k++) {
    const row = order[k] as number;
    cumulative += weights[row] as number;
    if (cumulative >= half) return values[row] as number;
  }
  return values[order[order.length - 1] as number] as number;
}

/**
 * sklearn's `force_finite=True` ending shared by R² and explained variance: a zero numerator
 * (perfect predictions) scores 1 even when the target is constant; a constant target with
 * imperfect predictions scores 0 instead of −∞.
 */
function forceFinite(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/** R² (`r2_score`). NaN for fewer than 2 rows, where sklearn warns and returns NaN. */
export function r2(target: Float64Array, predicted: Float64Array, weights?: Float64Array): number {
  if (!usable('r2', target, predicted, weights) || target.length < 2) return Number.NaN;
  const rows = target.length;
  const mean = weightedMean(rows, weights, (i) => target[i] as number);
  if (Number.isNaN(mean)) return Number.NaN;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < rows; i++) {
    const weight = weightAt(weights, i);
    const y = target[i] as number;
    const error = y - (predicted[i] as number);
    const spread = y - mean;
    numerator += weight * (error * error);
    denominator += weight * (spread * spread);
  }
  return forceFinite(numerator, denominator);
}

/** Explained variance (`explained_variance_score`): 1 − Var(y − ŷ) / Var(y), both weighted. */
export function explainedVariance(
  target: Float64Array,
  predicted: Float64Array,
  weights?: Float64Array,
): number {
  if (!usable('explained_variance', target, predicted, weights)) return Number.NaN;
  const rows = target.length;
  const difference = (i: number) => (target[i] as number) - (predicted[i] as number);
  const differenceMean = weightedMean(rows, weights, difference);
  const targetMean = weightedMean(rows, weights, (i) => target[i] as number);
  if (Number.isNaN(differenceMean)) return Number.NaN;
  const numerator = weightedMean(rows, weights, (i) => {
    const centred = difference(i) - differenceMean;
    return centred * centred;
  });
  const denominator = weightedMean(rows, weights, (i) => {
    const centred = (target[i] as number) - targetMean;
    return centred * centred;
  });
  return forceFinite(numerator, denominator);
}
