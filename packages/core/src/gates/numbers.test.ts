import { describe, expect, it } from 'vitest';
import {
  confidenceLabel,
  exceeds,
  formatPair,
  formatSigned,
  formatValue,
  tidy,
  tidyDifference,
} from './numbers.ts';

describe('exceeds: greater by more than rounding', () => {
  it('ignores the rounding of one subtraction, relative to the operands', () => {
    expect(0.95 - 0.94).not.toBe(0.01);
    expect(exceeds(0.95 - 0.94, 0.01, 0.95, 0.94)).toBe(false);
    expect(exceeds(0.1 + 0.2, 0.3)).toBe(false);
  });

  it('sees any real difference, even a tiny one on a tiny scale', () => {
    expect(exceeds(0.0100001, 0.01)).toBe(true);
    expect(exceeds(1e-9, 0)).toBe(true);
    expect(exceeds(0.01, 0.01)).toBe(false);
  });

  it('is strict: equal values do not exceed each other', () => {
    expect(exceeds(5, 5)).toBe(false);
    expect(exceeds(0, 0)).toBe(false);
  });
});

describe('formatting for reasons', () => {
  it('shows 4 significant digits without trailing zeros, and large values whole', () => {
    expect(formatValue(0.93124)).toBe('0.9312');
    expect(formatValue(0.9)).toBe('0.9');
    expect(formatValue(0)).toBe('0');
    // From 10,000 up, as the report's table prints it: 12345.6 reads the same everywhere.
    expect(formatValue(123456.7)).toBe('123,456.7');
    expect(formatValue(12345.6)).toBe('12,345.6');
    expect(formatValue(0.00012346)).toBe('0.0001235');
  });

  it('signs differences', () => {
    expect(formatSigned(0.003)).toBe('+0.003');
    expect(formatSigned(-0.012)).toBe('-0.012');
    expect(formatSigned(0)).toBe('0');
  });

  it('adds digits until two different values print differently', () => {
    expect(formatPair(0.89999, 0.9)).toEqual(['0.89999', '0.9']);
    expect(formatPair(0.0100001, 0.01)).toEqual(['0.0100001', '0.01']);
  });

  it('keeps 4 digits for values equal but for rounding', () => {
    expect(formatPair(0.95 - 0.94, 0.01)).toEqual(['0.01', '0.01']);
  });

  it('labels a one-sided (1 − α) bound', () => {
    expect(confidenceLabel(0.05)).toBe('95%');
    expect(confidenceLabel(0.1)).toBe('90%');
    expect(confidenceLabel(0.025)).toBe('97.5%');
  });
});

describe('tidy and tidyDifference: the numbers the verdict stores', () => {
  it('drop the binary noise of a product and of a subtraction', () => {
    expect(0.9 / 100).not.toBe(0.009);
    expect(tidy(0.9 / 100)).toBe(0.009);
    expect(0.93 - 0.95).not.toBe(-0.02);
    expect(tidyDifference(0.93, 0.95)).toBe(-0.02);
    expect(tidyDifference(0.931, 0.925)).toBe(0.006);
    expect(tidyDifference(382388.7, 122490)).toBe(259898.7);
  });

  it('keep every real digit, tiny differences, and non-finite values', () => {
    expect(tidy(0.123456789012)).toBe(0.123456789012);
    expect(tidyDifference(1e-9, 0)).toBe(1e-9);
    expect(tidyDifference(0, 0)).toBe(0);
    expect(tidy(Number.NaN)).toBeNaN();
  });
});
