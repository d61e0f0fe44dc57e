import { describe, expect, it } from 'vitest';
import {
  chartNumber,
  formatChange,
  formatInterval,
  formatPercent,
  formatValue,
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
