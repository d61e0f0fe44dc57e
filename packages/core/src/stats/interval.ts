/**
 * From a metric's bootstrap distribution to an interval.
 *
 * Undefined resamples: a resample can leave a metric undefined (NaN), e.g. ROC AUC when the
 * resample happens to hold no positive row. Such resamples are left out and the interval is
 * taken over the defined ones: the distribution conditional on the metric existing, which
 * is what a resample-until-defined loop would give. When fewer than
 * {@link MIN_DEFINED_SHARE} of the resamples are defined, the data cannot support an
 * interval and none is given.
 */

/** Below this share of defined resamples a metric gets no interval. */
export const MIN_DEFINED_SHARE = 0.5;

/** The defined (non-NaN) values of column `column` of a row-major [resamples × columns] table, sorted ascending. */
export function sortedColumn(table: Float64Array, columns: number, column: number): Float64Array {
  const resamples = table.length / columns;
  const values = new Float64Array(resamples);
  let defined = 0;
  for (let b = 0; b < resamples; b++) {
    const value = table[b * columns + column]!;
    if (!Number.isNaN(value)) values[defined++] = value;
  }
  return values.subarray(0, defined).sort();
}

/** The q-quantile of ascending `sorted` values, interpolating linearly between order statistics (numpy's default, Hyndman & Fan type 7). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  const low = sorted[below]!;
  const high = sorted[above]!;
  // Written so that equal neighbours give exactly that value.
  return fraction === 0 || low === high ? low : low + fraction * (high - low);
}

/** True when enough of `resamples` were defined for an interval. */
export function enoughDefined(defined: number, resamples: number): boolean {
  return defined > 0 && defined >= MIN_DEFINED_SHARE * resamples;
}

/** The two-sided percentile interval at `confidence` of ascending `sorted` values. */
export function percentileInterval(sorted: Float64Array, confidence: number): [number, number] {
  const tail = (1 - confidence) / 2;
  return [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)];
}
