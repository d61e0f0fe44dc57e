/**
 * Float comparison with a tolerance, and the number formatting of a verdict's reasons.
 */
import { formatValue as formatReportValue } from '../kernel/format.ts';

/**
 * Two values this close, relative to the largest magnitude in the comparison, are equal. A
 * threshold met exactly must not fail by rounding: 0.95 − 0.94 is 0.010000000000000009 in
 * binary floating point, so "max_drop: 0.01" would otherwise fail a drop of exactly 0.01.
 * 1e-12 is ~4500 ulps: far above rounding in one subtraction, far below any real difference.
 */
export const RELATIVE_TOLERANCE = 1e-12;

/**
 * True when `value` is greater than `limit` by more than rounding. `operands` are the numbers
 * `value` and `limit` were computed from (e.g. baseline and candidate for a difference), whose
 * magnitude sets the size of the rounding error.
 */
export function exceeds(value: number, limit: number, ...operands: number[]): boolean {
  const scale = Math.max(Math.abs(value), Math.abs(limit), ...operands.map(Math.abs));
  return value - limit > RELATIVE_TOLERANCE * scale;
}

/**
 * The verdict stores computed numbers to 15 significant digits (a double holds 15–17), so
 * that 1% of 0.9 is 0.009 and 0.93 − 0.95 is -0.02, not 0.009000000000000001 and
 * -0.019999999999999907. The change is < 1e-14 of the operands, far inside RELATIVE_TOLERANCE,
 * and decisions use the exact numbers anyway.
 */
export function tidy(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(15)) : value;
}

/**
 * a − b to 15 significant digits of the operands (not of the result: a difference of close
 * values carries the operands' rounding, which is large relative to the difference).
 */
export function tidyDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (!Number.isFinite(scale) || scale === 0) return a - b;
  const decimals = Math.min(100, Math.max(0, 14 - Math.floor(Math.log10(scale))));
  return Number((a - b).toFixed(decimals));
}

const SIGNIFICANT_DIGITS = 4;
const MAX_DIGITS = 15;

/**
 * A number as a reviewer reads it: 4 significant digits, no trailing zeros. From 10,000 up, the
 * report's own formatter, so a large value (a count, a size, rows per second) reads the same in a
 * reason as in the table beside it: 12345.6 is 12,345.6 in both.
 */
export function formatValue(value: number, digits = SIGNIFICANT_DIGITS): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  if (Math.abs(value) >= 10 ** SIGNIFICANT_DIGITS && digits === SIGNIFICANT_DIGITS)
    return formatReportValue(value);
  if (Math.abs(value) >= 10 ** digits) return String(Math.round(value));
  return String(Number(value.toPrecision(digits)));
}

/** With a sign, for differences: `+0.003`, `-0.012`, `0`. */
export function formatSigned(value: number, digits = SIGNIFICANT_DIGITS): string {
  const text = formatValue(value, digits);
  return value > 0 ? `+${text}` : text;
}

/**
 * Two numbers that a reason compares ("dropped 0.01 > 0.01 allowed" would read as a
 * contradiction): enough digits that different values print differently.
 */
export function formatPair(
  a: number,
  b: number,
  format: (value: number, digits: number) => string = formatValue,
): [string, string] {
  let digits = SIGNIFICANT_DIGITS;
  const different = exceeds(a, b) || exceeds(b, a);
  while (different && digits < MAX_DIGITS && format(a, digits) === format(b, digits)) digits++;
  return [format(a, digits), format(b, digits)];
}

/** `95%` for α = 0.05: the confidence of a one-sided (1 − α) bound. */
export function confidenceLabel(alpha: number): string {
  return `${Number(((1 - alpha) * 100).toPrecision(6))}%`;
}
