import { kolmogorovN } from './kolmogorov.ts';

/**
 * Up to this many rows on the larger side, the p-value is exact (scipy's `MAX_AUTO_N` of
 * `method='auto'`); beyond it, the Kolmogorov distribution of the effective sample size.
 */
export const KS_EXACT_MAX_N = 10_000;

export interface KsResult {
  /** sup |F₁ − F₂|, the largest gap between the two empirical distribution functions. */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymp';
}

const ascending = (values: ArrayLike<number>): Float64Array => Float64Array.from(values).sort();

function gcd(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The largest gap between the two empirical CDFs, each evaluated right-continuously at every value. */
function largestGap(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let above = 0;
  let below = 0;
  while (i < a.length || j < b.length) {
    const x = Math.min(
      i < a.length ? (a[i] as number) : Infinity,
      j < b.length ? (b[j] as number) : Infinity,
    );
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    const diff = i / a.length - j / b.length;
    if (diff > above) above = diff;
    if (-diff > below) below = -diff;
  }
  return Math.max(above, below);
}

/** P(D ≥ h/n) for two samples of n each: 2·Σ ±C(2n, n − kh)/C(2n, n), by a Horner-like scheme. */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm,
 * computed directly (Viehmann 2021's recursion for 1 − p, within Hodges' inside method), one
 * sliding column at a time.
 */
function outsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let length = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastMinj = minj;
    const lastLength = length;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let value = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      value = ((A[jj + minj - lastMinj] as number) * i + value * j) / (i + j);
      A[jj] = value;
    }
    length = maxj - minj;
    if (lastLength > length) A.fill(1, length, length + (lastLength - length));
  }
  return A[maxj - minj - 1] as number;
}

/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, equal to `scipy.stats.ks_2samp(a, b)` with
 * its default `method='auto'`: exact when neither sample has more than {@link KS_EXACT_MAX_N}
 * values (the statistic is then the lattice value h/lcm(n₁, n₂) the exact count uses), else
 * the Kolmogorov distribution of n = round(n₁n₂/(n₁ + n₂)).
 */
export function ks2samp(first: ArrayLike<number>, second: ArrayLike<number>): KsResult {
  const a = ascending(first);
  const b = ascending(second);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp needs a value on each side');
  let d = largestGap(a, b);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    // scipy keeps the lattice value even when it falls back to the asymptotic distribution.
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const effective = (m * n) / (m + n);
  const p = kolmogorovN(roundHalfEven(effective), d, false);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymp' };
}
