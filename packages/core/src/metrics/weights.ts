/**
 * Small shared pieces: sample weights, input checks, and the one sort the rank metrics need.
 *
 * Absent weights mean a weight of 1 for every row. Every loop reads `weights?.[i] ?? 1`-style
 * through {@link weightAt}, so an all-ones weight vector runs the very same arithmetic as no
 * weights at all and gives bitwise the same result (multiplying by 1 is exact).
 */

/** The weight of row `i`: 1 when there are no weights. */
export function weightAt(weights: Float64Array | undefined, i: number): number {
  return weights === undefined ? 1 : (weights[i] as number);
}

/** Σ wᵢ, summed in row order (numpy's `weights.sum()`, and the last entry of sklearn's cumsum). */
export function totalWeight(rows: number, weights: Float64Array | undefined): number {
  if (weights === undefined) return rows;
  let total = 0;
  for (let i = 0; i < rows; i++) total += weights[i] as number;
  return total;
}

/**
 * Throws when two per-row arrays disagree in length. A mismatch is a bug in the caller, not
 * something a user can fix, so it is a plain Error rather than an InputError.
 */
export function checkRows(what: string, rows: number, length: number, label: string): void {
  if (length !== rows) {
    throw new RangeError(`${what}: ${label} has ${length} entries but there are ${rows} rows`);
  }
}

/** The checks of a metric over per-class probabilities: `proba` is [rows × numClasses], `weights` one per row. */
export function checkProbaRows(
  what: string,
  rows: number,
  numClasses: number,
  proba: Float64Array,
  weights: Float64Array | undefined,
): void {
  checkRows(what, rows * numClasses, proba.length, 'proba');
  if (weights !== undefined) checkRows(what, rows, weights.length, 'weights');
}

/** True when every value is finite; sklearn's `assert_all_finite` raises otherwise. */
export function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) return false;
  }
  return true;
}

// The two 32-bit halves of a float64 sit in platform byte order.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Radix digits of 16 bits: four passes over a 64-bit key, each with a 65,536-bucket histogram. */
const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;

/**
 * The row order that sorts finite `values` ascending, stable for ties: an LSD radix sort
 * over the IEEE-754 bits made order-preserving. A comparator sort over an index array costs
 * about 5× more at 200k rows; a pass whose digit is the same for every value (the low bits
 * of float32-derived scores, say) is skipped. `-0` sorts just before `0`, next to it.
 */
export function argsortFloat64(values: Float64Array): Uint32Array {
  const rows = values.length;
  const words = new Uint32Array(new Float64Array(values).buffer);
  const [lowWord, highWord] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const keys = new Uint32Array(rows * 2); // [low, high] per row, both order-preserving
  for (let i = 0; i < rows; i++) {
    const low = words[2 * i + lowWord] as number;
    const high = words[2 * i + highWord] as number;
    // Negative: flip every bit (larger magnitude sorts first); positive: set the sign bit.
    const negative = high >>> 31 === 1;
    keys[2 * i] = negative ? ~low >>> 0 : low;
    keys[2 * i + 1] = negative ? ~high >>> 0 : (high | 0x80000000) >>> 0;
  }
  let order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  let scratch = new Uint32Array(rows);
  const offsets = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1; // passes 0, 1 read the low word, 2, 3 the high word
    const shift = (pass & 1) * DIGIT_BITS;
    offsets.fill(0);
    for (let i = 0; i < rows; i++) {
      const digit = ((keys[2 * i + word] as number) >>> shift) & (BUCKETS - 1);
      offsets[digit] = (offsets[digit] as number) + 1;
    }
    if (rows === 0 || offsets[((keys[word] as number) >>> shift) & (BUCKETS - 1)] === rows) continue;
    let position = 0;
    for (let digit = 0; digit < BUCKETS; digit++) {
      const count = offsets[digit] as number;
      offsets[digit] = position;
      position += count;
    }
    for (let k = 0; k < rows; k++) {
      const row = order[k] as number;
      const digit = ((keys[2 * row + word] as number) >>> shift) & (BUCKETS - 1);
      const target = offsets[digit] as number;
      scratch[target] = row;
      offsets[digit] = target + 1;
    }
    [order, scratch] = [scratch, order];
  }
  return order;
}
