/**
 * The exact binomial and multinomial draws behind the confusion-cell bootstrap.
 */
import { describe, expect, it } from 'vitest';
import { binomial, multinomial } from './binomial.ts';
import { normalQuantile } from './normal.ts';
import { StreamPurpose, Xoshiro128 } from './rng.ts';

/** log P(X = k) for X ~ Binomial(n, p), by log-space recurrence from k = 0. */
function logPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  out[0] = n * Math.log1p(-p);
  const odds = Math.log(p / (1 - p));
  for (let k = 0; k < n; k++) out[k + 1] = out[k]! + Math.log((n - k) / (k + 1)) + odds;
  return out;
}

/** Pearson's χ² of draws against the pmf, pooling values until each bin expects >= 5. Returns [χ², degrees of freedom]. */
function chiSquare(draws: Int32Array, n: number, p: number): [number, number] {
  const log = logPmf(n, p);
  const counts = new Float64Array(n + 1);
  for (const d of draws) counts[d]! += 1;
  let statistic = 0;
  let bins = 0;
  let expected = 0;
  let observed = 0;
  for (let k = 0; k <= n; k++) {
    expected += draws.length * Math.exp(log[k]!);
    observed += counts[k]!;
    if (expected >= 5 || k === n) {
      statistic += (observed - expected) ** 2 / expected;
      bins++;
      expected = 0;
      observed = 0;
    }
  }
  return [statistic, bins - 1];
}

/**
 * The upper 0.1% point of χ² with `df` degrees of freedom, by the Wilson–Hilferty cube-root
 * approximation (within 1% of the exact point from 4 degrees of freedom up).
 */
function critical(df: number): number {
  const z = normalQuantile(0.999);
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}

describe('binomial', () => {
  it.each([
    [12, 0.3], // inversion (n·p < 10)
    [40, 0.2], // inversion at its limit
    [60, 0.5], // BTRS
    [1000, 0.35], // BTRS
    [25, 0.85], // p > 1/2: drawn as n − Binomial(n, 1 − p)
  ])('draws Binomial(%i, %f) with the exact distribution (chi-square)', (n, p) => {
    const rng = Xoshiro128.stream(n, StreamPurpose.Cells, Math.round(p * 100));
    const draws = Int32Array.from({ length: 40_000 }, () => binomial(rng, n, p));
    expect(draws.every((d) => d >= 0 && d <= n)).toBe(true);
    const [statistic, df] = chiSquare(draws, n, p);
    expect(statistic).toBeLessThan(critical(df));
  });

  it('has the binomial mean and variance for a large n', () => {
    const n = 200_000;
    const p = 0.137;
    const rng = Xoshiro128.stream(1, StreamPurpose.Cells, 0);
    const draws = Float64Array.from({ length: 20_000 }, () => binomial(rng, n, p));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(draws.length));
    expect(Math.abs(variance / (sd * sd) - 1)).toBeLessThan(0.05);
  });

  it('gives the certain outcomes at p = 0, p = 1 and n = 0', () => {
    const rng = Xoshiro128.stream(1, StreamPurpose.Cells, 0);
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
    expect(binomial(rng, 0, 0.5)).toBe(0);
  });
});

describe('multinomial', () => {
  it('puts every row in a cell, none in empty cells, and each cell its share on average', () => {
    const rng = Xoshiro128.stream(2, StreamPurpose.Cells, 0);
    const counts = [50, 0, 30, 15, 5];
    const out = new Float64Array(counts.length);
    const sums = new Float64Array(counts.length);
    const rounds = 4000;
    for (let r = 0; r < rounds; r++) {
      multinomial(rng, 100, counts, out);
      expect(out.reduce((a, b) => a + b, 0)).toBe(100);
      expect(out[1]).toBe(0);
      out.forEach((v, j) => {
        sums[j]! += v;
      });
    }
    counts.forEach((c, j) => {
      const p = c / 100;
      const se = Math.sqrt((100 * p * (1 - p)) / rounds);
      expect(Math.abs(sums[j]! / rounds - 100 * p)).toBeLessThanOrEqual(5 * se);
    });
  });
});
