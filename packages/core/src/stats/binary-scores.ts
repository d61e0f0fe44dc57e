/**
 * The probability metrics of a binary classifier (ROC AUC, average precision, log loss,
 * Brier), prepared for row-weighted resampling: rows sorted once by score, with the per-row
 * terms computed once. The per-resample pass is `binaryKernel` in hot.ts.
 */
import { LOG_LOSS_EPS } from '../metrics/index.ts';
import { sortedOrder } from './bootstrap-kernel.ts';
import type { RowModel } from './hot.ts';

/** The order of the binary kernel's outputs. */
export const BINARY_SCORE_METRICS = ['roc_auc', 'average_precision', 'log_loss', 'brier'] as const;

export type BinaryRowModel = Extract<RowModel, { kind: 'binary' }>;

/**
 * Sorts the rows by positive-class probability (highest first) and lays out, per rank:
 * positive (1/0), the log-loss term, the Brier term, and whether the rank closes a group
 * of tied scores.
 *
 * @param labels true class per row, 0 or 1
 * @param proba row-major [rows × 2] probabilities; column 1 is the positive class
 */
export function binaryRowModel(labels: Int32Array, proba: Float64Array): BinaryRowModel {
  const rows = labels.length;
  const score = new Float64Array(rows);
  let finite = true;
  let probabilities = true;
  for (let i = 0; i < rows; i++) {
    const p0 = proba[2 * i]!;
    const p1 = proba[2 * i + 1]!;
    score[i] = p1;
    if (!(Number.isFinite(p0) && Number.isFinite(p1))) finite = false;
    if (!(p1 >= 0 && p1 <= 1)) probabilities = false;
  }
  // Non-finite scores make every metric NaN (sklearn raises), so their order does not matter.
  const order = finite ? sortedOrder(score).reverse() : Uint32Array.from({ length: rows }, (_, i) => i);
  const data = new Float64Array(4 * rows);
  const high = 1 - LOG_LOSS_EPS;
  for (let k = 0; k < rows; k++) {
    const row = order[k]!;
    const y = labels[row] === 1 ? 1 : 0;
    const p1 = score[row]!;
    // The metrics module's log loss, term for term: clip both columns, renormalise the row.
    const c0 = Math.min(Math.max(proba[2 * row]!, LOG_LOSS_EPS), high);
    const c1 = Math.min(Math.max(p1, LOG_LOSS_EPS), high);
    const error = y - p1;
    data[4 * k] = y;
    data[4 * k + 1] = -Math.log((y === 1 ? c1 : c0) / (c0 + c1));
    data[4 * k + 2] = error * error;
    data[4 * k + 3] = k === rows - 1 || score[order[k + 1]!] !== p1 ? 1 : 0;
  }
  return { kind: 'binary', order, data, finite, probabilities };
}
