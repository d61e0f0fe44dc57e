/**
 * Exact binomial and multinomial draws, for resampling a confusion table cell by cell: the
 * cell counts of a bootstrap resample of n rows are Multinomial(n, observed cell shares), so
 * a resample of accuracy, precision, recall, F1 and their kin costs O(cells), not O(n).
 */
import type { Xoshiro128 } from './rng.ts';

// Below this mean the waiting-time method is cheaper than rejection (it costs about n·p + 1
// uniforms); BTRS is only valid for n·p >= 10 (Hörmann 1993).
const INVERSION_MAX_MEAN = 10;

/** One draw from Binomial(n, p), exact; n is a non-negative integer. */
export function binomial(rng: Xoshiro128, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  return n * p < INVERSION_MAX_MEAN ? binomialInversion(rng, n, p) : binomialBtrs(rng, n, p);
}

/** Counts the successes as the number of geometric waiting times that fit into n trials. */
function binomialInversion(rng: Xoshiro128, n: number, p: number): number {
  const logQ = Math.log1p(-p);
  let trials = 0;
  let successes = 0;
  for (;;) {
    trials += Math.ceil(Math.log(rng.nextOpenDouble()) / logQ);
    if (trials > n) return successes;
    successes++;
  }
}

/** log(k!) − Stirling's approximation of it, for k = 0…9 (the formula below is exact enough beyond). */
const STIRLING_TAIL = [
  0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
  0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871,
];

function stirlingTail(k: number): number {
  if (k < STIRLING_TAIL.length) return STIRLING_TAIL[k]!;
  const k1 = k + 1;
  const k1sq = k1 * k1;
  return (1 / 12 - (1 / 360 - 1 / 1260 / k1sq) / k1sq) / k1;
}

/**
 * Hörmann's BTRS ("transformed rejection with squeeze", W. Hörmann, The generation of
 * binomial random variates, J. Stat. Comput. Simul. 46, 1993), for n·p >= 10 and p <= 1/2.
 * Expected cost is a small constant number of uniforms, whatever n is.
 */
function binomialBtrs(rng: Xoshiro128, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / (1 - p);
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  const lpq = Math.log(r);
  const h = stirlingTail(m) + stirlingTail(n - m);
  for (;;) {
    const u = rng.nextOpenDouble() - 0.5;
    let v = rng.nextOpenDouble();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      (m + 0.5) * Math.log((m + 1) / (n - m + 1)) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((n - k + 1) / (k + 1)) +
      (k - m) * lpq +
      h -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= bound) return k;
  }
}

/**
 * Multinomial(n, counts / Σcounts) by conditional binomials: cell j gets Binomial(rows left,
 * its share of the counts left). `out[j]` receives cell j's draw; cells with count 0 get 0.
 */
export function multinomial(rng: Xoshiro128, n: number, counts: ArrayLike<number>, out: Float64Array): void {
  let rowsLeft = n;
  let massLeft = 0;
  for (let j = 0; j < counts.length; j++) massLeft += counts[j]!;
  for (let j = 0; j < counts.length; j++) {
    const count = counts[j]!;
    if (count === 0 || rowsLeft === 0) {
      out[j] = 0;
      continue;
    }
    const draw = count >= massLeft ? rowsLeft : binomial(rng, rowsLeft, count / massLeft);
    out[j] = draw;
    rowsLeft -= draw;
    massLeft -= count;
  }
}
