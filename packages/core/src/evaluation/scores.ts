import type { OutputTransform } from '../kernel/records/evaluation.ts';

/** Tolerance for "rows sum to 1": float32 softmax rows are off by a few ulps, never by 1e-3. */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

export interface ClassScores {
  /** Row-major [rows × numClasses] probabilities. */
  readonly proba: Float64Array;
  readonly predicted: Int32Array;
  readonly transform: OutputTransform;
}

/**
 * Turns a classifier's output into probabilities and hard predictions. A single column is the
 * positive-class probability of a binary model. Rows that are not probabilities (out of [0,1],
 * or not summing to 1) are logits: softmax for C columns, sigmoid for one.
 */
export function toClassScores(
  values: Float64Array,
  rows: number,
  columns: number,
  numClasses: number,
): ClassScores {
  if (columns === 1) {
    let logits = false;
    for (let i = 0; i < rows; i++) {
      const v = values[i] as number;
      if (!(v >= 0 && v <= 1)) {
        logits = true;
        break;
      }
    }
    const proba = new Float64Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const v = values[i] as number;
      const p = logits ? 1 / (1 + Math.exp(-v)) : v;
      proba[2 * i] = 1 - p;
      proba[2 * i + 1] = p;
    }
    return { proba, predicted: argmaxRows(proba, rows, 2), transform: logits ? 'sigmoid' : 'none' };
  }
  if (columns !== numClasses) throw new Error(`output has ${columns} columns for ${numClasses} classes`);
  // Probabilities (the usual case) are checked and their argmax taken in the same pass.
  const predicted = new Int32Array(rows);
  const logits =
    columns === 2
      ? !pairsAreProbabilities(values, rows, predicted)
      : !rowsAreProbabilities(values, rows, columns, predicted);
  if (!logits) return { proba: values, predicted, transform: 'none' };
  const proba = softmaxRows(values, rows, columns);
  return { proba, predicted: argmaxRows(proba, rows, columns), transform: 'softmax' };
}

/**
 * Whether every row is probabilities summing to 1, writing each row's argmax (the first column
 * on a tie) as it goes. False at the first row that is not.
 */
function rowsAreProbabilities(
  values: Float64Array,
  rows: number,
  columns: number,
  predicted: Int32Array,
): boolean {
  for (let i = 0; i < rows; i++) {
    const base = i * columns;
    let sum = 0;
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < columns; c++) {
      const v = values[base + c] as number;
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
      if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) return false;
    predicted[i] = best;
  }
  return true;
}

/**
 * {@link rowsAreProbabilities} for two columns, the usual binary output, without the inner loop
 * over columns: a third of the time on a cold start.
 */
function pairsAreProbabilities(values: Float64Array, rows: number, predicted: Int32Array): boolean {
  for (let i = 0; i < rows; i++) {
    const first = values[2 * i] as number;
    const second = values[2 * i + 1] as number;
    if (!(first >= 0 && first <= 1 && second >= 0 && second <= 1)) return false;
    if (Math.abs(first + second - 1) > PROBABILITY_SUM_TOLERANCE) return false;
    predicted[i] = second > first ? 1 : 0;
  }
  return true;
}

/** Softmax of each row, in float64, shifted by the row maximum for stability. */
export function softmaxRows(values: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const base = i * columns;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < columns; c++) max = Math.max(max, values[base + c] as number);
    let sum = 0;
    for (let c = 0; c < columns; c++) {
      const e = Math.exp((values[base + c] as number) - max);
      out[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < columns; c++) out[base + c] = (out[base + c] as number) / sum;
  }
  return out;
}

/** Index of each row's largest value; the first one on ties, as numpy's argmax. */
export function argmaxRows(values: Float64Array, rows: number, columns: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const base = i * columns;
    let best = 0;
    let bestValue = values[base] as number;
    for (let c = 1; c < columns; c++) {
      const v = values[base + c] as number;
      if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}
