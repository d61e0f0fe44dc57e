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

/** True when every value is finite; sklearn's `assert_all_finite` raises otherwise. */
export function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) return false;
  }
  return true;
}

/**
 * The distinct values of `values`, ascending. One native Float64Array sort (no comparator,
 * so it stays in C++), then an in-place dedupe. `-0` and `0` count as one value, as they do
 * for numpy's `np.diff(...) != 0` grouping. The values must be finite.
 */
export function sortedDistinct(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    const value = sorted[i] as number;
    if (distinct === 0 || value !== sorted[distinct - 1]) sorted[distinct++] = value;
  }
  return sorted.subarray(0, distinct);
}

/** The index of `value` in the ascending `distinct` array (which must contain it). */
export function indexOfDistinct(distinct: Float64Array, value: number): number {
  let low = 0;
  let high = distinct.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((distinct[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
