/**
 * The chi-square test of homogeneity of two samples over k categories, equal to
 * `scipy.stats.chi2_contingency` on the 2 × k table with its defaults: Pearson's statistic,
 * Yates' continuity correction only when there is one degree of freedom (a 2 × 2 table), and
 * statistic 0, p-value 1 when both samples hold one and the same category (no degrees of freedom).
 */

// Lanczos' approximation (g = 7, 9 terms): log Γ to about 1e-15 relative.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const EPSILON = 1e-16;
const MAX_ITERATIONS = 10_000;

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(a, x), the regularized lower incomplete gamma function, by its series (for x < a + 1). */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x), the regularized upper incomplete gamma function, by its continued fraction (for x ≥ a + 1), Lentz's method. */
function upperFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Q(a, x) = Γ(a, x)/Γ(a). */
export function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
}

/** P(χ²_dof > x), scipy.stats.chi2.sf. */
export function chiSquareSf(x: number, dof: number): number {
  return upperGamma(dof / 2, x / 2);
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
}

/**
 * The test on counts of the same k categories in two samples (a category seen on one side only
 * has count 0 on the other). Every category must be counted at least once on some side: a
 * column of zeros has no expected frequency (scipy refuses it too).
 */
export function chiSquareHomogeneity(first: readonly number[], second: readonly number[]): ChiSquareResult {
  const k = first.length;
  if (second.length !== k)
    throw new RangeError('chiSquareHomogeneity needs the same categories on both sides');
  const total1 = first.reduce((s, v) => s + v, 0);
  const total2 = second.reduce((s, v) => s + v, 0);
  const total = total1 + total2;
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  let statistic = 0;
  for (let j = 0; j < k; j++) {
    const column = (first[j] as number) + (second[j] as number);
    if (column === 0) throw new RangeError(`category ${j} is counted on neither side`);
    for (const [observed, rowTotal] of [
      [first[j] as number, total1],
      [second[j] as number, total2],
    ] as const) {
      const expected = (rowTotal * column) / total;
      let diff = observed - expected;
      // Yates: move each count half a unit toward its expectation (never past it).
      if (dof === 1) diff = Math.sign(diff) * Math.max(Math.abs(diff) - 0.5, 0);
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}
