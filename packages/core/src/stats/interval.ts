/**
 * From a metric's bootstrap distribution to an interval: BCa (bias-corrected and
 * accelerated, Efron 1987), falling back to the plain percentile interval where BCa's
 * inputs are undefined.
 *
 * Why BCa: in repeated-sampling experiments (300–400 samples from each of several binormal
 * populations, 1,000 resamples each), 95% percentile intervals held a true ROC AUC of
 * 0.92–0.98 (80–200 rows) only 90.5–91.5% of the time, and one above 0.99 only 82–84%;
 * BCa intervals held them 93–96% and 92% of the time (the misses left are mostly samples
 * with no misordered pair at all, whose bootstrap distribution is a single point; with only
 * 25 positive rows, 90.7% against the percentile's 89.3%), and accuracy and F1 93–97.5%
 * on every population tried. A metric bounded at 1 has a skewed
 * sampling distribution, and the bootstrap distribution is biased with it; BCa corrects the
 * percentile levels for both, with the bias taken from the bootstrap distribution itself
 * (z₀) and the skewness from the rows' influence values (the acceleration a, see
 * influence.ts). When z₀ = a = 0 it is the percentile interval.
 *
 * Undefined resamples: a resample can leave a metric undefined (NaN), e.g. ROC AUC when the
 * resample happens to hold no positive row. Such resamples are left out and the interval is
 * taken over the defined ones: the distribution conditional on the metric existing, which
 * is what a resample-until-defined loop would give. When fewer than
 * {@link MIN_DEFINED_SHARE} of the resamples are defined, the data cannot support an
 * interval and none is given.
 */
import { normalCdf, normalQuantile } from './normal.ts';

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
  const position = Math.min(Math.max(q, 0), 1) * (n - 1);
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

/** How many of ascending `sorted` are < `value`, and how many equal it. */
function rankOf(sorted: Float64Array, value: number): { below: number; equal: number } {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < sorted.length && sorted[end] === value) end++;
  return { below: low, equal: end - low };
}

/**
 * The quantile levels BCa uses in place of `levels`, given the metric's value on all rows
 * (`observed`) and its acceleration `a`; undefined where BCa does not apply (an undefined
 * input, or an acceleration so large that the correction is not monotone).
 */
export function bcaLevels(
  sorted: Float64Array,
  observed: number,
  a: number,
  levels: readonly number[],
): number[] | undefined {
  const n = sorted.length;
  if (n === 0 || !Number.isFinite(observed) || !Number.isFinite(a)) return undefined;
  const { below, equal } = rankOf(sorted, observed);
  // Ties count half; keep the share off 0 and 1 so that z₀ stays finite.
  const share = Math.min(Math.max((below + equal / 2) / n, 0.5 / n), 1 - 0.5 / n);
  const z0 = normalQuantile(share);
  const adjusted: number[] = [];
  for (const level of levels) {
    const z = z0 + normalQuantile(level);
    const denominator = 1 - a * z;
    if (!(denominator > 0)) return undefined;
    adjusted.push(normalCdf(z0 + z / denominator));
  }
  return adjusted;
}

/** Quantiles of `sorted` at `levels`, BCa-adjusted where possible (see {@link bcaLevels}). */
export function adjustedQuantiles(
  sorted: Float64Array,
  observed: number,
  a: number,
  levels: readonly number[],
): number[] {
  const used = bcaLevels(sorted, observed, a, levels) ?? levels;
  return used.map((level) => quantileSorted(sorted, level));
}

/** The two-sided interval at `confidence`: BCa where possible, else percentile. */
export function confidenceInterval(
  sorted: Float64Array,
  observed: number,
  a: number,
  confidence: number,
): [number, number] {
  const tail = (1 - confidence) / 2;
  const [low, high] = adjustedQuantiles(sorted, observed, a, [tail, 1 - tail]);
  return [low!, high!];
}

/** The two-sided percentile interval at `confidence` of ascending `sorted` values. */
export function percentileInterval(sorted: Float64Array, confidence: number): [number, number] {
  const tail = (1 - confidence) / 2;
  return [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)];
}
