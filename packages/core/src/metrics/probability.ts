/**
 * Metrics on predicted probabilities: log loss and the Brier score, as scikit-learn 1.2.1
 * computes them.
 */
import { checkProbaRows, checkRows, totalWeight, weightAt } from './weights.ts';

/**
 * The CONTRACT clips probabilities to [1e-15, 1 − 1e-15]. sklearn 1.2.1's own default is
 * `eps='auto'` (float64 machine epsilon, 2.2e-16), so the reference values are computed with
 * `log_loss(..., eps=1e-15)`, the value older sklearn and most users know.
 */
export const LOG_LOSS_EPS = 1e-15;

/**
 * Log loss over a row-major [rows × numClasses] probability matrix, as
 * `log_loss(y, proba, eps=1e-15, labels=range(C), sample_weight=w)`: clip every probability to
 * [eps, 1 − eps], divide each row by its (clipped) sum, which is sklearn 1.2.1's
 * renormalisation, and take the weighted mean of −log p(true class).
 *
 * `labels=range(C)` means a class absent from the labels still counts as a column, so a slice
 * holding a single class still has a log loss. NaN where sklearn raises: fewer than 2
 * classes, non-finite probabilities, or a total weight of 0.
 */
export function logLoss(
  labels: Int32Array,
  proba: Float64Array,
  numClasses: number,
  weights?: Float64Array,
): number {
  const rows = labels.length;
  checkProbaRows('logLoss', rows, numClasses, proba, weights);
  if (numClasses < 2) return Number.NaN;
  const high = 1 - LOG_LOSS_EPS;
  let weighted = 0;
  for (let i = 0; i < rows; i++) {
    const offset = i * numClasses;
    let rowSum = 0;
    for (let c = 0; c < numClasses; c++) {
      const p = proba[offset + c] as number;
      // Checked here rather than in a pass of its own: the clip would turn ±∞ into a number.
      if (!Number.isFinite(p)) return Number.NaN;
      rowSum += clip(p, high);
    }
    const truth = clip(proba[offset + (labels[i] as number)] as number, high);
    weighted += -Math.log(truth / rowSum) * weightAt(weights, i);
  }
  const total = totalWeight(rows, weights);
  return total === 0 ? Number.NaN : weighted / total;
}

function clip(p: number, high: number): number {
  // np.clip(p, eps, 1 − eps); inputs are finite here.
  return Math.min(Math.max(p, LOG_LOSS_EPS), high);
}

/**
 * Brier score (`brier_score_loss`): the weighted mean of (y − p)² for the positive-class
 * probability p. NaN where sklearn raises: a probability outside [0, 1] or not finite, or a
 * total weight of 0.
 */
export function brier(isPositive: Uint8Array, probability: Float64Array, weights?: Float64Array): number {
  const rows = isPositive.length;
  checkRows('brier', rows, probability.length, 'probability');
  if (weights !== undefined) checkRows('brier', rows, weights.length, 'weights');
  let weighted = 0;
  for (let i = 0; i < rows; i++) {
    const p = probability[i] as number;
    if (!(p >= 0 && p <= 1)) return Number.NaN;
    const error = (isPositive[i] as number) - p;
    weighted += error * error * weightAt(weights, i);
  }
  const total = totalWeight(rows, weights);
  return total === 0 ? Number.NaN : weighted / total;
}
