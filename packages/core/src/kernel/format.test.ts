import { describe, expect, it } from 'vitest';
import {
  chartNumber,
  formatChange,
  formatCount,
  formatInterval,
  formatPercent,
  formatValue,
  oneDecimal,
  shortDigest,
} from './format.ts';

describe('numbers in the report', () => {
  it('show metric values with 4 decimals, and a perfect score as 1.0000 beside its neighbours', () => {
    expect(formatValue(0.96)).toBe('0.9600');
    expect(formatValue(1)).toBe('1.0000');
    expect(formatValue(0)).toBe('0.0000');
    expect(formatValue(-0.0136)).toBe('-0.0136');
  });

  it('show counts and sizes as integers, with separators from five digits', () => {
    expect(formatValue(895)).toBe('895');
    expect(formatValue(18_452)).toBe('18,452');
    expect(formatValue(382_388.71)).toBe('382,388.7');
  });

  it('keep small differences readable instead of rounding them to zero', () => {
    expect(formatValue(-0.00096)).toBe('-0.000960');
    expect(formatValue(3.2e-8)).toBe('3.20e-8');
  });

  it('sign every change and give it relative to the baseline, except against zero', () => {
    expect(formatChange(-0.03, 0.96)).toBe('-0.0300 (-3.13%)');
    expect(formatChange(0.0899, 0.0975)).toBe('+0.0899 (+92.2%)');
    expect(formatChange(0, 0.5)).toBe('±0 (±0%)');
    expect(formatChange(0.2, 0)).toBe('+0.2000');
    expect(formatChange(null, 0.5)).toBe('—');
    expect(formatPercent(0.00004)).toBe('+<0.01%');
  });

  it('write intervals and digests compactly', () => {
    expect(formatInterval([-0.031, -0.009])).toBe('[-0.0310, -0.0090]');
    expect(formatInterval(undefined)).toBe('—');
    expect(shortDigest('sha256:b3f1c0de9a7e4d2c8b6a5f4e')).toBe('b3f1c0de9a7e');
    expect(shortDigest(null)).toBe('unknown');
  });

  it('give charts plain decimals with 6 significant digits, never exponents', () => {
    expect(chartNumber(0.967741935)).toBe('0.967742');
    expect(chartNumber(1.25e-8)).toBe('0.0000000125');
    expect(chartNumber(3.1e22)).toBe('31000000000000000000000');
    expect(chartNumber(-0.5)).toBe('-0.5');
  });
});

describe('the grouping written out', () => {
  const oneDecimalIntl = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const countIntl = new Intl.NumberFormat('en-US');
  /** Reproducible values: mulberry32. */
  let state = 7;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('writes one decimal as Intl.NumberFormat does, ties and carries included', () => {
    const values = [1000, 1000.05, 1000.15, 1000.25, 1000.95, 1234.45, 9999.95, 99999.96, 999999999.95];
    values.push(999999999.94, 1e9 - 0.01, 123456.05, 4096.55, 1000.0499999, 2048.000001);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** (3 + random() * 6);
      values.push(magnitude, Math.round(magnitude * 100) / 100, Math.round(magnitude * 20) / 20);
    }
    for (const value of values)
      for (const signed of [value, -value])
        if (Math.abs(signed) >= 1000 && Math.abs(signed) < 1e9)
          expect(oneDecimal(signed), String(signed)).toBe(oneDecimalIntl.format(signed));
  });

  it('writes counts as Intl.NumberFormat does', () => {
    const values = [
      0,
      -0,
      1,
      12,
      123,
      1234,
      12345,
      123456,
      1234567,
      2 ** 53 - 1,
      2 ** 53,
      1e21,
      0.5,
      1234.5678,
    ];
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(10 ** (random() * 16)));
    for (const value of values)
      for (const signed of [value, -value])
        expect(formatCount(signed), String(signed)).toBe(countIntl.format(signed));
  });
});
