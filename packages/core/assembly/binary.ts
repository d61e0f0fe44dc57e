// The metrics of an unweighted binary task with probabilities in one WebAssembly pass: the
// confusion counts, log_loss, brier, roc_auc and average_precision. AssemblyScript, compiled by `npm run kernels` into
// packages/core/src/metrics/binary-kernel.wasm.ts; packages/core/src/metrics/binary-kernel.ts
// runs it.
//
// Why: in a one-shot `modelgate evaluate`, every JavaScript loop over the rows runs cold (the
// interpreter, then a compile), and these metrics took five such loops plus a sort: 45 ms on
// 200k rows, the largest part of evaluate's own time. WebAssembly runs compiled from the first
// row, and the keys are radix sorted here.
//
// It must give the numbers of the JavaScript functions to the last bit (confusion.ts
// classCounts, probability.ts logLoss and brier, ranking.ts binaryRank): the same float64 operations in the same order, and the
// logarithm is JavaScript's own Math.log, imported. The tests compare them.
//
// Memory is the caller's: every pointer is a byte offset into the imported memory.

/** Math.log, from the host: the same function as the JavaScript metrics use. */
declare function log(x: f64): f64;

/** sklearn's log_loss clip (probability.ts LOG_LOSS_EPS). */
const EPS: f64 = 1e-15;
/** Radix digits of 11 bits: three passes over 32-bit keys. */
const DIGIT_BITS: u32 = 11;
const DIGITS: i32 = 1 << DIGIT_BITS;

/**
 * `labels`, `predicted`: i32 per row. `proba`: f64 per row and class, row-major. `keys` and
 * `scratch`: u32 per row. `counts`: u32 per radix digit (2048). Writes ten f64 at `out`:
 *   0: the sum of the rows' log losses, NaN when a probability is not finite
 *   1: the sum of the rows' squared errors, NaN when a positive-class probability is outside [0, 1]
 *   2: 1 when every positive-class probability is finite, else 0
 *   3: 1 when every positive-class probability is a non-negative float32, else 0: the rank
 *      metrics below are then written; otherwise the caller ranks the scores itself
 *   4: roc_auc (NaN when one class is absent)
 *   5: average_precision
 *   6-9: the rows whose (label, prediction) is (0, 0), (0, 1), (1, 0), (1, 1)
 * Returns 0, or 1 when a label or a prediction is neither 0 nor 1: nothing is written then,
 * and the caller's own checks name the row.
 */
export function binaryProbability(
  rows: i32,
  labels: usize,
  predicted: usize,
  proba: usize,
  keys: usize,
  scratch: usize,
  counts: usize,
  out: usize,
): i32 {
  // The confusion counts, and the range check that keeps every other step safe.
  let n00: i32 = 0;
  let n01: i32 = 0;
  let n10: i32 = 0;
  let n11: i32 = 0;
  for (let i = 0; i < rows; i++) {
    const truth = load<i32>(labels + ((<usize>i) << 2));
    const guess = load<i32>(predicted + ((<usize>i) << 2));
    if (<u32>truth > 1 || <u32>guess > 1) return 1;
    const cell = (truth << 1) | guess;
    if (cell == 0) n00++;
    else if (cell == 1) n01++;
    else if (cell == 2) n10++;
    else n11++;
  }
  store<f64>(out, <f64>n00, 48);
  store<f64>(out, <f64>n01, 56);
  store<f64>(out, <f64>n10, 64);
  store<f64>(out, <f64>n11, 72);

  const high: f64 = 1 - EPS;
  let logLoss: f64 = 0;
  let brier: f64 = 0;
  let positives: i32 = 0;
  let finite = true;
  let positiveFinite = true;
  let inRange = true;
  let float32 = true;
  for (let i = 0; i < rows; i++) {
    const positive = load<i32>(labels + ((<usize>i) << 2));
    const row = proba + ((<usize>i) << 4);
    const p0 = load<f64>(row);
    const p1 = load<f64>(row, 8);
    // logLoss: clip each probability, normalise by the row's clipped sum.
    if (!isFinite(p1)) positiveFinite = false;
    if (!(isFinite(p0) && isFinite(p1))) finite = false;
    const c0 = min(max(p0, EPS), high);
    const c1 = min(max(p1, EPS), high);
    const rowSum = c0 + c1;
    logLoss += -log((positive == 1 ? c1 : c0) / rowSum);
    // brier: the squared error of the positive-class probability.
    if (!(p1 >= 0 && p1 <= 1)) inRange = false;
    const error = <f64>positive - p1;
    brier += error * error;
    // binaryRank's key: the float32 bits, then the class in the low bit (-0 gets 0's key).
    positives += positive;
    const narrow = <f32>p1;
    if (!(p1 >= 0) || <f64>narrow != p1) float32 = false;
    store<u32>(keys + ((<usize>i) << 2), (reinterpret<u32>(narrow) << 1) | <u32>positive);
  }
  store<f64>(out, finite ? logLoss : NaN);
  store<f64>(out, inRange ? brier : NaN, 8);
  store<f64>(out, positiveFinite ? 1 : 0, 16);
  const ranked = positiveFinite && float32 && rows > 0;
  store<f64>(out, ranked ? 1 : 0, 24);
  if (!ranked) return 0;

  radixSort(keys, scratch, rows, counts);
  // binaryRank's walk: down the sorted keys, closing each score group as it ends.
  const allPositives = <f64>positives;
  let truePositives: f64 = 0;
  let falsePositives: f64 = 0;
  let doubledArea: f64 = 0;
  let previousRecall: f64 = 0;
  let sum: f64 = 0;
  let groupPositives: f64 = 0;
  let groupNegatives: f64 = 0;
  let previous = load<u32>(keys + ((<usize>(rows - 1)) << 2)) >>> 1;
  for (let k = rows - 1; ; k--) {
    const key: u32 = k >= 0 ? load<u32>(keys + ((<usize>k) << 2)) : 0;
    if (k < 0 || key >>> 1 != previous) {
      const previousTruePositives = truePositives;
      truePositives += groupPositives;
      falsePositives += groupNegatives;
      doubledArea += groupNegatives * (previousTruePositives + truePositives);
      const predictedPositive = truePositives + falsePositives;
      const precision = predictedPositive != 0 ? truePositives / predictedPositive : 0;
      const recall = allPositives > 0 ? truePositives / allPositives : 1;
      sum += (recall - previousRecall) * precision;
      previousRecall = recall;
      if (k < 0) break;
      previous = key >>> 1;
      groupPositives = 0;
      groupNegatives = 0;
    }
    if ((key & 1) == 1) groupPositives += 1;
    else groupNegatives += 1;
  }
  store<f64>(
    out,
    truePositives > 0 && falsePositives > 0 ? doubledArea / (2 * truePositives * falsePositives) : NaN,
    32,
  );
  store<f64>(out, sum, 40);
  return 0;
}

/** Sorts `rows` u32 keys ascending: least significant digit first, through `scratch`. */
function radixSort(keys: usize, scratch: usize, rows: i32, counts: usize): void {
  let from = keys;
  let to = scratch;
  for (let shift: u32 = 0; shift < 32; shift += DIGIT_BITS) {
    memory.fill(counts, 0, (<usize>DIGITS) << 2);
    for (let i = 0; i < rows; i++) {
      const digit = (load<u32>(from + ((<usize>i) << 2)) >>> shift) & (DIGITS - 1);
      const count = counts + ((<usize>digit) << 2);
      store<u32>(count, load<u32>(count) + 1);
    }
    let total: u32 = 0;
    for (let digit = 0; digit < DIGITS; digit++) {
      const count = counts + ((<usize>digit) << 2);
      const n = load<u32>(count);
      store<u32>(count, total);
      total += n;
    }
    for (let i = 0; i < rows; i++) {
      const key = load<u32>(from + ((<usize>i) << 2));
      const count = counts + ((<usize>((key >>> shift) & (DIGITS - 1))) << 2);
      const slot = load<u32>(count);
      store<u32>(count, slot + 1);
      store<u32>(to + ((<usize>slot) << 2), key);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  // Three passes leave the keys in scratch.
  if (from != keys) memory.copy(keys, from, (<usize>rows) << 2);
}
