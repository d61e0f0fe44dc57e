/**
 * Effect sizes that say how far a distribution moved, beside the tests that say whether it did:
 * the population stability index (PSI) and the Wasserstein distance.
 */

/** Reference-quantile bins for PSI: deciles. */
export const PSI_BINS = 10;
/**
 * An empty bin's share is taken as this (on either side), so that its log ratio stays finite:
 * the usual convention of PSI tools. A bin empty on one side then adds
 * (p − 0.0001)·ln(p/0.0001), about 0.06 for p = 0.01.
 */
export const PSI_EPSILON = 1e-4;

/** numpy's default (linear) quantile of sorted values. */
function quantileLinear(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/** How many of the ascending edges lie strictly below x: the bin (e₍ᵢ₋₁₎, eᵢ] that holds x. */
function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** PSI = Σ (cᵢ − rᵢ)·ln(cᵢ/rᵢ) over bins, each share at least {@link PSI_EPSILON}. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number {
  const totalR = reference.reduce((s, v) => s + v, 0);
  const totalC = current.reduce((s, v) => s + v, 0);
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max((reference[i] as number) / totalR, PSI_EPSILON);
    const c = Math.max((current[i] as number) / totalC, PSI_EPSILON);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** The decile edges of the reference (duplicates merged: a column of few values has fewer bins). */
export function referenceEdges(sortedReference: Float64Array): number[] {
  const edges: number[] = [];
  for (let i = 1; i < PSI_BINS; i++) {
    const edge = quantileLinear(sortedReference, i / PSI_BINS);
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return edges;
}

/** Counts of values per bin of the edges. */
export function binCounts(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const bin = binOf(edges, values[i] as number);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/** PSI of a numeric column over the reference's deciles. */
export function psiNumeric(sortedReference: Float64Array, current: ArrayLike<number>): number {
  const edges = referenceEdges(sortedReference);
  return psiFromCounts(binCounts(edges, sortedReference), binCounts(edges, current));
}

/**
 * The first Wasserstein distance ∫|F₁ − F₂|, equal to `scipy.stats.wasserstein_distance(a, b)`,
 * of two ascending samples.
 */
export function wasserstein(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(a[0] as number, b[0] as number);
  while (i < a.length || j < b.length) {
    const x = Math.min(
      i < a.length ? (a[i] as number) : Infinity,
      j < b.length ? (b[j] as number) : Infinity,
    );
    distance += Math.abs(i / a.length - j / b.length) * (x - previous);
    previous = x;
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
  }
  return distance;
}

/** The population standard deviation (numpy's default, ddof 0). */
export function standardDeviation(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] as number;
  mean /= values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

/**
 * The Wasserstein distance between two category distributions under the 0/1 metric (moving a
 * row to another category costs 1): the total variation distance ½·Σ|pᵢ − qᵢ|, in [0, 1].
 */
export function totalVariation(reference: readonly number[], current: readonly number[]): number {
  const totalR = reference.reduce((s, v) => s + v, 0);
  const totalC = current.reduce((s, v) => s + v, 0);
  let sum = 0;
  for (let i = 0; i < reference.length; i++)
    sum += Math.abs((reference[i] as number) / totalR - (current[i] as number) / totalC);
  return sum / 2;
}
