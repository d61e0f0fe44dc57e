/**
 * McNemar's exact test and the normal distribution against SciPy's values
 * (test/fixtures/stats/scipy.json, made by generate.py beside it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { mcnemarExact } from './mcnemar.ts';
import { normalCdf, normalQuantile } from './normal.ts';

const scipy = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/stats/scipy.json', import.meta.url), 'utf8'),
) as {
  mcnemar: Array<{ candidateOnly: number; baselineOnly: number; pValue: number }>;
  normalQuantile: Array<{ p: number; value: number }>;
  normalCdf: Array<{ x: number; value: number }>;
};

/** Per-row correctness with the given discordant counts, plus some rows both get right or wrong. */
function correctness(candidateOnly: number, baselineOnly: number): [Uint8Array, Uint8Array] {
  const bothRight = 7;
  const bothWrong = 4;
  const rows = candidateOnly + baselineOnly + bothRight + bothWrong;
  const candidate = new Uint8Array(rows);
  const baseline = new Uint8Array(rows);
  let i = 0;
  for (let k = 0; k < candidateOnly; k++) candidate[i++] = 1;
  for (let k = 0; k < baselineOnly; k++) baseline[i++] = 1;
  for (let k = 0; k < bothRight; k++, i++) {
    candidate[i] = 1;
    baseline[i] = 1;
  }
  return [candidate, baseline];
}

describe('mcnemarExact', () => {
  it.each(scipy.mcnemar)(
    'gives scipy binomtest p-value for $candidateOnly vs $baselineOnly discordant rows',
    ({ candidateOnly, baselineOnly, pValue }) => {
      const [candidate, baseline] = correctness(candidateOnly, baselineOnly);
      const result = mcnemarExact(candidate, baseline);
      expect(result.candidateOnly).toBe(candidateOnly);
      expect(result.baselineOnly).toBe(baselineOnly);
      if (pValue < 1e-300) expect(result.pValue).toBeLessThan(1e-290);
      else expect(Math.abs(result.pValue - pValue)).toBeLessThanOrEqual(1e-10 * pValue);
    },
  );

  it('counts only rows where exactly one model is right', () => {
    const candidate = Uint8Array.from([1, 1, 0, 0, 1, 0]);
    const baseline = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    expect(mcnemarExact(candidate, baseline)).toMatchObject({ candidateOnly: 2, baselineOnly: 1 });
  });

  it('refuses correctness arrays of different lengths, naming both sizes', () => {
    expect(() => mcnemarExact(new Uint8Array(3), new Uint8Array(4))).toThrow(InputError);
    expect(() => mcnemarExact(new Uint8Array(3), new Uint8Array(4))).toThrow(
      /candidate has 3 and the baseline 4/,
    );
  });
});

describe('the normal distribution', () => {
  it.each(scipy.normalQuantile)('Φ⁻¹($p) matches scipy norm.ppf', ({ p, value }) => {
    expect(Math.abs(normalQuantile(p) - value)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(value)));
  });

  it.each(scipy.normalCdf)('Φ($x) matches scipy norm.cdf', ({ x, value }) => {
    // The absolute term covers Φ(−38) ≈ 2.9e-316, a subnormal that scipy rounds to 0.
    expect(Math.abs(normalCdf(x) - value)).toBeLessThanOrEqual(1e-12 * value + 1e-300);
  });

  it('has the limits and symmetry a quantile function needs', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(0.3)).toBeCloseTo(-normalQuantile(0.7), 15);
    expect(normalCdf(normalQuantile(0.123))).toBeCloseTo(0.123, 14);
  });
});
