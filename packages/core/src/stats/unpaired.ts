/**
 * The difference of a metric between two evaluation records that were not made on the same
 * rows together: the weaker evidence, used when there are only the two records.
 *
 * Treating the two estimates as independent ignores what paired data would show (that both
 * models find the same rows hard), so this interval is wider than the paired one for
 * positively correlated models, and says nothing about which rows changed. The result is
 * labelled with how it was made.
 *
 * What a record must carry, per metric (the `metrics` entries of `modelgate/evaluation@1`):
 * - `value`, and `ci` with the record's `bootstrap.confidence`: enough for a normal
 *   approximation (each side's standard error from its interval's width);
 * - optionally the bootstrap distribution itself (the metric's value in each resample,
 *   e.g. from `bootstrapDistributions`, stored as `encodeArray(values)` from shards.ts):
 *   then the difference's distribution is the exact convolution of the two, with no
 *   normality assumed, which matters for skewed metrics near 0 or 1.
 */
import { percentileInterval, quantileSorted } from './interval.ts';
import { normalCdf, normalQuantile } from './normal.ts';

/** What one evaluation record says about one metric. */
export interface MetricEvidence {
  /** The point value on all rows. */
  value: number;
  /** The two-sided bootstrap interval, at `confidence`. */
  ci?: [number, number];
  /** The confidence of `ci` (the record's `bootstrap.confidence`). */
  confidence?: number;
  /** The bootstrap distribution: the value in each resample (NaN where undefined). */
  resamples?: ArrayLike<number>;
}

/** How an unpaired difference was made. */
export type UnpairedMethod = 'bootstrap-distributions' | 'normal-from-intervals';

/** candidate − baseline from two independent evaluations. */
export interface UnpairedDelta {
  delta: number;
  /** Two-sided interval of the difference at the requested confidence. */
  ci: [number, number];
  /** One-sided bounds at the same confidence. */
  lower: number;
  upper: number;
  /** Probability that the difference is <= 0 under the independence model. */
  pNonPositive: number;
  method: UnpairedMethod;
}

// All |A|·|B| differences are formed up to this many (1,000 × 1,000 resamples is 1e6);
// beyond, a fixed, evenly spread subset of pairs of this size.
const MAX_PAIRS = 4_000_000;

/**
 * The difference candidate − baseline with an interval at `confidence`, or undefined when
 * the records do not carry enough for one (no intervals: the bootstrap was off).
 */
export function unpairedDifference(
  candidate: MetricEvidence,
  baseline: MetricEvidence,
  confidence: number,
): UnpairedDelta | undefined {
  const delta = candidate.value - baseline.value;
  if (!Number.isFinite(delta)) return undefined;
  const a = definedSorted(candidate.resamples);
  const b = definedSorted(baseline.resamples);
  if (a !== undefined && b !== undefined) return fromDistributions(delta, a, b, confidence);
  const se = Math.hypot(standardError(candidate) ?? Number.NaN, standardError(baseline) ?? Number.NaN);
  if (Number.isNaN(se)) return undefined;
  const z = normalQuantile(0.5 + confidence / 2);
  const oneSided = normalQuantile(confidence);
  return {
    delta,
    ci: [delta - z * se, delta + z * se],
    lower: delta - oneSided * se,
    upper: delta + oneSided * se,
    pNonPositive: se > 0 ? normalCdf(-delta / se) : delta <= 0 ? 1 : 0,
    method: 'normal-from-intervals',
  };
}

/** A side's standard error from its interval: half its width over the normal quantile of its confidence. */
function standardError(side: MetricEvidence): number | undefined {
  if (side.ci === undefined || side.confidence === undefined) return undefined;
  const [low, high] = side.ci;
  if (!(Number.isFinite(low) && Number.isFinite(high) && side.confidence > 0 && side.confidence < 1))
    return undefined;
  return (high - low) / (2 * normalQuantile(0.5 + side.confidence / 2));
}

function definedSorted(values: ArrayLike<number> | undefined): Float64Array | undefined {
  if (values === undefined) return undefined;
  const defined = Float64Array.from(values).filter((v) => !Number.isNaN(v));
  return defined.length > 0 ? defined.sort() : undefined;
}

/**
 * The distribution of A − B for independent A and B, each drawn from its bootstrap
 * distribution: every pair of resamples, or an even spread of pairs when there are too many.
 */
function fromDistributions(
  delta: number,
  a: Float64Array,
  b: Float64Array,
  confidence: number,
): UnpairedDelta {
  const pairs = a.length * b.length;
  // Pair a[i] with b[(i·step + j) mod |B|] for j < |B|/step: every a meets the same number of b's, spread over B.
  const step = pairs <= MAX_PAIRS ? 1 : Math.ceil(pairs / MAX_PAIRS);
  const perA = Math.ceil(b.length / step);
  const differences = new Float64Array(a.length * perA);
  let at = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < perA; j++) differences[at++] = a[i]! - b[(i + j * step) % b.length]!;
  }
  differences.sort();
  let nonPositive = 0;
  // Binary search for the count of differences <= 0.
  let low = 0;
  let high = differences.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (differences[middle]! <= 0) low = middle + 1;
    else high = middle;
  }
  nonPositive = low;
  return {
    delta,
    ci: percentileInterval(differences, confidence),
    lower: quantileSorted(differences, 1 - confidence),
    upper: quantileSorted(differences, confidence),
    pNonPositive: nonPositive / differences.length,
    method: 'bootstrap-distributions',
  };
}
