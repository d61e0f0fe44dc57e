/**
 * The probability metrics of a multiclass classifier (log loss, one-vs-rest macro ROC AUC),
 * prepared for row-weighted resampling: each class's probability column sorted once. The
 * per-resample pass is `multiclassKernel` in hot.ts.
 */
import { argsortFloat64, LOG_LOSS_EPS, rowsSumToOne } from '../metrics/index.ts';
import type { RowModel } from './hot.ts';

/** The order of the multiclass kernel's outputs. */
export const MULTICLASS_SCORE_METRICS = ['log_loss', 'roc_auc'] as const;

export type MulticlassRowModel = Extract<RowModel, { kind: 'multiclass' }>;

/**
 * Computes each row's log-loss term, and per class: the rows by descending probability of
 * that class, with per rank whether the row belongs to the class and whether the rank
 * closes a group of tied probabilities.
 *
 * @param labels true class per row, 0..numClasses−1
 * @param proba row-major [rows × numClasses] probabilities
 */
export function multiclassRowModel(
  labels: Int32Array,
  proba: Float64Array,
  numClasses: number,
): MulticlassRowModel {
  const rows = labels.length;
  const finite = proba.every(Number.isFinite);
  // sklearn refuses multiclass ROC AUC unless every row sums to 1.
  const sumsToOne = finite && rowsSumToOne(proba, numClasses);
  const logLossTerm = new Float64Array(rows);
  const high = 1 - LOG_LOSS_EPS;
  for (let i = 0; i < rows; i++) {
    // The metrics module's log loss, term for term: clip every column, renormalise the row.
    const offset = i * numClasses;
    let rowSum = 0;
    for (let c = 0; c < numClasses; c++) rowSum += Math.min(Math.max(proba[offset + c]!, LOG_LOSS_EPS), high);
    const truth = Math.min(Math.max(proba[offset + labels[i]!]!, LOG_LOSS_EPS), high);
    logLossTerm[i] = -Math.log(truth / rowSum);
  }
  const orders = new Uint32Array(sumsToOne ? rows * numClasses : 0);
  const data = new Float64Array(2 * orders.length);
  if (sumsToOne) {
    const column = new Float64Array(rows);
    for (let c = 0; c < numClasses; c++) {
      for (let i = 0; i < rows; i++) column[i] = proba[i * numClasses + c]!;
      const order = argsortFloat64(column).reverse();
      orders.set(order, c * rows);
      for (let k = 0; k < rows; k++) {
        const row = order[k]!;
        const at = 2 * (c * rows + k);
        data[at] = labels[row] === c ? 1 : 0;
        data[at + 1] = k === rows - 1 || column[order[k + 1]!] !== column[row] ? 1 : 0;
      }
    }
  }
  return { kind: 'multiclass', numClasses, logLossTerm, orders, data, finite, rowsSumToOne: sumsToOne };
}
