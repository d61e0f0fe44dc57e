/**
 * The unpaired difference of two evaluation records: the weaker evidence, from intervals or
 * from bootstrap distributions.
 */
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normal.ts';
import { unpairedDifference } from './unpaired.ts';

describe('unpairedDifference', () => {
  it('from intervals: adds the two standard errors in quadrature (normal approximation)', () => {
    const z = normalQuantile(0.975);
    // Standard errors 0.02 and 0.015: intervals value ± z·se at 95%.
    const candidate = {
      value: 0.8,
      ci: [0.8 - z * 0.02, 0.8 + z * 0.02] as [number, number],
      confidence: 0.95,
    };
    const baseline = {
      value: 0.77,
      ci: [0.77 - z * 0.015, 0.77 + z * 0.015] as [number, number],
      confidence: 0.95,
    };
    const result = unpairedDifference(candidate, baseline, 0.95)!;
    const se = 0.025; // √(0.02² + 0.015²)
    expect(result.method).toBe('normal-from-intervals');
    expect(result.delta).toBeCloseTo(0.03, 15);
    expect(result.ci[0]).toBeCloseTo(0.03 - z * se, 12);
    expect(result.ci[1]).toBeCloseTo(0.03 + z * se, 12);
    expect(result.lower).toBeCloseTo(0.03 - normalQuantile(0.95) * se, 12);
    expect(result.upper).toBeCloseTo(0.03 + normalQuantile(0.95) * se, 12);
    expect(result.pNonPositive).toBeCloseTo(normalCdf(-0.03 / se), 12);
  });

  it('from intervals made at another confidence: reads each at its own', () => {
    const z90 = normalQuantile(0.95);
    const z95 = normalQuantile(0.975);
    const result = unpairedDifference(
      { value: 1, ci: [1 - z90 * 0.3, 1 + z90 * 0.3], confidence: 0.9 },
      { value: 0, ci: [-z95 * 0.4, z95 * 0.4], confidence: 0.95 },
      0.95,
    )!;
    expect(result.ci[1] - result.ci[0]).toBeCloseTo(2 * z95 * 0.5, 12);
  });

  it('from distributions: the quantiles of every pairwise difference', () => {
    const a = [0.5, 0.7, 0.6, 0.9];
    const b = [0.55, 0.65, 0.6];
    const result = unpairedDifference({ value: 0.65, resamples: a }, { value: 0.6, resamples: b }, 0.5)!;
    const all = a.flatMap((x) => b.map((y) => x - y)).sort((x, y) => x - y);
    const quantile = (q: number) => {
      const position = q * (all.length - 1);
      const below = Math.floor(position);
      return all[below]! + (position - below) * (all[Math.min(below + 1, all.length - 1)]! - all[below]!);
    };
    expect(result.method).toBe('bootstrap-distributions');
    expect(result.ci[0]).toBeCloseTo(quantile(0.25), 15);
    expect(result.ci[1]).toBeCloseTo(quantile(0.75), 15);
    expect(result.lower).toBeCloseTo(quantile(0.5), 15);
    expect(result.pNonPositive).toBe(all.filter((d) => d <= 0).length / all.length);
  });

  it('from distributions: leaves out undefined resamples', () => {
    const result = unpairedDifference(
      { value: 1, resamples: [1, Number.NaN, 1] },
      { value: 0, resamples: [0] },
      0.9,
    )!;
    expect(result.ci).toEqual([1, 1]);
  });

  it('is undefined when a record has no interval (its bootstrap was off) or a value is undefined', () => {
    expect(
      unpairedDifference({ value: 0.8 }, { value: 0.7, ci: [0.6, 0.8], confidence: 0.95 }, 0.95),
    ).toBeUndefined();
    expect(
      unpairedDifference({ value: Number.NaN, ci: [0, 1], confidence: 0.95 }, { value: 0.7 }, 0.95),
    ).toBeUndefined();
  });
});
