/**
 * The metrics of an unweighted binary task with probabilities, computed by one WebAssembly pass
 * (packages/core/assembly/binary.ts, compiled into binary-kernel.wasm.ts by `npm run kernels`).
 *
 * In a one-shot process every JavaScript loop over the rows runs cold; these metrics were five
 * such loops and a sort, 45 ms on 200k rows. The kernel runs compiled from the first row and
 * radix sorts: 12 ms, the copy of the inputs into its memory included. Its values are those of
 * classCounts, logLoss, brier and binaryRank to the last bit (the same float64 operations in the
 * same order, and the same Math.log); the tests hold it to that.
 */
import { KERNEL_DATA_START, KERNEL_MAX_BYTES, type Kernel, loadKernel } from '../kernel/wasm.ts';
import { BINARY_KERNEL_WASM } from './binary-kernel.wasm.ts';
import type { ClassCounts } from './confusion.ts';

/** What the kernel computes. A rank metric is undefined when the kernel could not rank the scores. */
export interface BinaryProbabilitySums {
  /** classCounts(labels, predicted, 2). */
  readonly counts: ClassCounts;
  /** Sum of the rows' log losses; NaN when a probability is not finite. */
  readonly logLoss: number;
  /** Sum of the rows' squared errors; NaN when a positive-class probability is outside [0, 1]. */
  readonly brier: number;
  /** Whether every positive-class probability is finite (the rank metrics need it). */
  readonly positiveFinite: boolean;
  /**
   * ROC AUC and average precision, when every positive-class probability is a non-negative
   * float32 (a float32 model's output); otherwise undefined, and the caller ranks the scores.
   */
  readonly rank: { readonly rocAuc: number; readonly averagePrecision: number } | undefined;
}

type BinaryProbability = (
  rows: number,
  labels: number,
  predicted: number,
  proba: number,
  keys: number,
  scratch: number,
  counts: number,
  out: number,
) => number;

const RADIX_COUNTS_BYTES = 2048 * 4;
const OUT_BYTES = 10 * 8;
/** Bytes of kernel memory per row: label and prediction (i32), two probabilities (f64), key and scratch (u32). */
const BYTES_PER_ROW = 4 + 4 + 16 + 4 + 4;
/** Past this many rows the caller stays in JavaScript. */
const KERNEL_MAX_ROWS = Math.floor(
  (KERNEL_MAX_BYTES - KERNEL_DATA_START - RADIX_COUNTS_BYTES - OUT_BYTES) / BYTES_PER_ROW,
);

let kernel: Kernel | undefined;

/**
 * The kernel's counts and sums for `labels` and `predicted` (class 0 or 1 per row) and the
 * row-major [rows × 2] `proba`. Undefined when the caller must compute them in JavaScript: no
 * rows or more than {@link KERNEL_MAX_ROWS}, arrays of the wrong length, a label or a
 * prediction that is not 0 or 1 (the caller's own checks then name it), or a kernel memory that
 * cannot grow to the rows.
 */
export function binaryProbabilitySums(
  labels: Int32Array,
  predicted: Int32Array,
  proba: Float64Array,
): BinaryProbabilitySums | undefined {
  const rows = labels.length;
  // Rows the kernel does not take go to JavaScript, whose checks word any mismatch.
  if (rows === 0 || rows > KERNEL_MAX_ROWS || predicted.length !== rows || proba.length !== rows * 2) {
    return undefined;
  }
  kernel ??= loadKernel(BINARY_KERNEL_WASM, { binary: { log: Math.log } });
  // The fixed-size parts first, then the rows' arrays, each 8-byte aligned.
  const outAt = KERNEL_DATA_START;
  const countsAt = outAt + OUT_BYTES;
  const probaAt = countsAt + RADIX_COUNTS_BYTES;
  const labelsAt = probaAt + rows * 16;
  const predictedAt = labelsAt + rows * 4;
  const keysAt = predictedAt + rows * 4;
  const scratchAt = keysAt + rows * 4;
  const memory = kernel.memory(scratchAt + rows * 4);
  if (memory === undefined) return undefined;
  new Float64Array(memory, probaAt, rows * 2).set(proba);
  new Int32Array(memory, labelsAt, rows).set(labels);
  new Int32Array(memory, predictedAt, rows).set(predicted);
  const run = kernel.exports.binaryProbability as BinaryProbability;
  if (run(rows, labelsAt, predictedAt, probaAt, keysAt, scratchAt, countsAt, outAt) !== 0) return undefined;
  const out = new Float64Array(memory, outAt, 10);
  return {
    counts: binaryCounts(out[6] as number, out[7] as number, out[8] as number, out[9] as number, rows),
    logLoss: out[0] as number,
    brier: out[1] as number,
    positiveFinite: out[2] === 1,
    rank: out[3] === 1 ? { rocAuc: out[4] as number, averagePrecision: out[5] as number } : undefined,
  };
}

/** classCounts' result from the four cells of the confusion matrix (rows: label, columns: prediction). */
function binaryCounts(n00: number, n01: number, n10: number, n11: number, rows: number): ClassCounts {
  const truePositive = Float64Array.of(n00, n11);
  const predicted = Float64Array.of(n00 + n10, n01 + n11);
  const actual = Float64Array.of(n00 + n01, n10 + n11);
  const present = Uint8Array.from([0, 1], (c) =>
    (actual[c] as number) > 0 || (predicted[c] as number) > 0 ? 1 : 0,
  );
  return { numClasses: 2, truePositive, predicted, actual, present, correct: n00 + n11, total: rows };
}
