import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  chiSquareHomogeneity,
  kolmogorovN,
  ks2samp,
  smirnov,
  wasserstein,
} from './index.ts';

// Made by __fixtures__/make-reference.py with Debian's python3-scipy (see the file's generated_by).
const reference = JSON.parse(
  readFileSync(new URL('./__fixtures__/scipy-reference.json', import.meta.url), 'utf8'),
) as {
  samples: Record<string, number[]>;
  ks_2samp: { name: string; a: string; b: string; statistic: number; p_value: number }[];
  kstwo: { n: number; x: number; sf: number; cdf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  chi2_contingency: {
    name: string;
    a: number[];
    b: number[];
    statistic: number;
    p_value: number;
    dof: number;
  }[];
  false_discovery_control: { name: string; p: number[]; adjusted: number[] }[];
  wasserstein_distance: { name: string; a: number[]; b: number[]; distance: number }[];
};
const STATISTIC = 1e-9;
const P_VALUE = 1e-6;
const sample = (name: string): number[] => reference.samples[name] ?? [];

describe('ks2samp equals scipy.stats.ks_2samp (method auto)', () => {
  it.each(reference.ks_2samp)('$name', ({ a, b, statistic, p_value }) => {
    const result = ks2samp(sample(a), sample(b));
    expect(Math.abs(result.statistic - statistic)).toBeLessThan(STATISTIC);
    expect(Math.abs(result.pValue - p_value)).toBeLessThan(P_VALUE);
  });

  it('is exact up to 10,000 values a side and asymptotic beyond', () => {
    expect(ks2samp(sample('x10000'), sample('x1500')).method).toBe('exact');
    expect(ks2samp(sample('normal 10500'), sample('s7')).method).toBe('asymp');
  });
});

describe('the Kolmogorov distribution equals scipy.stats.kstwo', () => {
  it.each(reference.kstwo)('n=$n x=$x', ({ n, x, sf, cdf }) => {
    expect(Math.abs(kolmogorovN(n, x, false) - sf)).toBeLessThan(P_VALUE);
    expect(Math.abs(kolmogorovN(n, x, true) - cdf)).toBeLessThan(P_VALUE);
  });

  it.each(reference.smirnov)('smirnov n=$n x=$x', ({ n, x, sf }) => {
    expect(Math.abs(smirnov(n, x) - sf)).toBeLessThan(P_VALUE);
  });
});

describe('chiSquareHomogeneity equals scipy.stats.chi2_contingency (defaults)', () => {
  it.each(reference.chi2_contingency)('$name', ({ a, b, statistic, p_value, dof }) => {
    const result = chiSquareHomogeneity(a, b);
    expect(Math.abs(result.statistic - statistic)).toBeLessThan(STATISTIC);
    expect(Math.abs(result.pValue - p_value)).toBeLessThan(P_VALUE);
    expect(result.dof).toBe(dof);
  });
});

describe('benjaminiHochberg equals scipy.stats.false_discovery_control(method="bh")', () => {
  it.each(reference.false_discovery_control)('$name', ({ p, adjusted }) => {
    benjaminiHochberg(p).forEach((value, i) => {
      expect(Math.abs(value - (adjusted[i] as number))).toBeLessThan(STATISTIC);
    });
  });
});

describe('wasserstein equals scipy.stats.wasserstein_distance', () => {
  it.each(reference.wasserstein_distance)('$name', ({ a, b, distance }) => {
    const sorted = (v: number[]) => Float64Array.from(v).sort();
    expect(Math.abs(wasserstein(sorted(a), sorted(b)) - distance)).toBeLessThan(STATISTIC);
  });
});
