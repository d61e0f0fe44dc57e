/**
 * Decimal numbers in data files, parsed exactly as JavaScript's `parseFloat` parses them.
 *
 * The grammar is strict: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`,
 * optionally surrounded by spaces or tabs, or one of the special words `nan`, `inf` and
 * `infinity` (any case, with an optional sign), which numpy and pandas write for NaN and
 * ±∞. Hex, `1_000`, a trailing `1e` or text after the number ("12abc", which parseFloat
 * would read as 12) are not numbers. An empty cell is not a number either: it is a
 * missing value, and this module never invents one.
 */

import { eiselLemire } from './eisel-lemire.ts';

/** 10^0 … 10^22: every one is exactly representable as a double (5^22 < 2^53). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/**
 * 2^53: below it every integer is exact, so `m * 10^k` and `m / 10^k` round once, correctly.
 * A product of integers that comes out below it was exact.
 */
const MAX_EXACT_MANTISSA = 2 ** 53;

/**
 * Bytes and limits of the hot loop. An enum rather than module constants because esbuild
 * inlines enum members as literals, which V8 compiles to immediates; a module constant is
 * loaded from the module context on every byte, and that cost 15% of the CSV scan.
 */
enum Scan {
  Zero = 0x30,
  Nine = 0x39,
  Plus = 0x2b,
  Minus = 0x2d,
  Dot = 0x2e,
  LowerE = 0x65,
  UpperE = 0x45,
  /** 10^22 is the largest exact power of ten. */
  MaxExactPower = 22,
  /** floor((2^53 - 9) / 10): up to here, `mantissa * 10 + digit` stays below 2^53 and exact. */
  MantissaGuard = 900_719_925_474_098,
  /** Exponents this large are ±∞ or 0 anyway; stop before the integer overflows. */
  ExponentCap = 100_000,
  /** Eisel-Lemire takes a 64-bit mantissa: 19 digits (10^19 < 2^64). */
  MaxDigits = 19,
  /** Digits that a double accumulates exactly (10^15 < 2^53). */
  HeadDigits = 15,
  Two32 = 4_294_967_296,
}

/** The value of the number found by the last {@link scanNumber} call. */
export const scanned = { value: 0 };

/**
 * Reads a strict decimal number that starts at `start`, byte by byte, and returns the index
 * just past it (the value is left in {@link scanned}.value), or -1 when no number starts
 * there. The caller decides whether the byte at the returned index may end a number.
 *
 * Clinger's fast path: when the digits form an integer m < 2^53 and the decimal exponent k
 * has |k| ≤ 22, m and 10^|k| are exact doubles and one IEEE multiplication or division
 * gives the correctly rounded result, the same double parseFloat returns. Anything else
 * (17-digit mantissas, 1e-30) goes to Eisel-Lemire, and what that leaves undecided
 * (subnormals such as 5e-324, exact ties) to parseFloat itself, so the result is always
 * bit-identical to `parseFloat(text)`.
 */
export function scanNumber(bytes: Buffer, start: number): number {
  let pos = start;
  // Work with byte - '0': a digit is 0..9, and past the end it is NaN, which fails every test.
  let digit = (bytes[pos] as number) - Scan.Zero;
  let negative = false;
  if (digit === Scan.Minus - Scan.Zero) {
    negative = true;
    digit = (bytes[++pos] as number) - Scan.Zero;
  } else if (digit === Scan.Plus - Scan.Zero) {
    digit = (bytes[++pos] as number) - Scan.Zero;
  }
  let mantissa = 0;
  let exact = true;
  let digits = 0;
  let exponent = 0;
  while (digit >= 0 && digit <= 9) {
    if (mantissa <= Scan.MantissaGuard) mantissa = mantissa * 10 + digit;
    else if (digit === 0)
      exponent++; // 12345678901234567000: a dropped zero only scales
    else exact = false;
    digits++;
    digit = (bytes[++pos] as number) - Scan.Zero;
  }
  if (digit === Scan.Dot - Scan.Zero) {
    digit = (bytes[++pos] as number) - Scan.Zero;
    while (digit >= 0 && digit <= 9) {
      if (mantissa <= Scan.MantissaGuard) {
        mantissa = mantissa * 10 + digit;
        exponent--;
      } else if (digit !== 0) {
        // A trailing zero of the fraction (1.500000000000000000e+00) changes nothing.
        exact = false;
      }
      digits++;
      digit = (bytes[++pos] as number) - Scan.Zero;
    }
  }
  if (digits === 0) return -1;
  if (digit === Scan.LowerE - Scan.Zero || digit === Scan.UpperE - Scan.Zero) {
    const end = scanExponent(bytes, pos + 1);
    // "1e" or "1e+" is not a number here; stop at the 'e' so that the caller rejects the cell.
    if (end < 0) return pos;
    exponent += scannedExponent;
    pos = end;
  }
  let value = Number.NaN;
  if (exact) {
    if (exponent === 0) value = mantissa;
    else if (exponent < 0 && exponent >= -Scan.MaxExactPower)
      value = mantissa / (POWERS_OF_TEN[-exponent] as number);
    else value = scaledValue(mantissa, exponent);
  }
  // The slow path reads the sign from the text itself.
  // The slow path stores its value itself: see eisel-lemire.ts on boxing.
  if (Number.isNaN(value)) slowValue(bytes, start, pos);
  else scanned.value = negative ? -value : value;
  return pos;
}

let scannedExponent = 0;

/** Reads `[+-]?digits` at `pos` into scannedExponent; returns the index past it, or -1. */
function scanExponent(bytes: Buffer, pos: number): number {
  let sign = 1;
  let byte = bytes[pos];
  if (byte === Scan.Minus || byte === Scan.Plus) {
    sign = byte === Scan.Minus ? -1 : 1;
    byte = bytes[++pos];
  }
  if (byte === undefined || byte < Scan.Zero || byte > Scan.Nine) return -1;
  let exponent = 0;
  while (byte !== undefined && byte >= Scan.Zero && byte <= Scan.Nine) {
    if (exponent < Scan.ExponentCap) exponent = exponent * 10 + (byte - Scan.Zero);
    byte = bytes[++pos];
  }
  scannedExponent = sign * exponent;
  return pos;
}

/** m × 10^k for an exact m, when that is one correctly rounded operation; else NaN for the slow path. */
function scaledValue(mantissa: number, exponent: number): number {
  if (mantissa === 0) return 0;
  if (exponent >= 0 && exponent <= Scan.MaxExactPower) return mantissa * (POWERS_OF_TEN[exponent] as number);
  if (exponent > Scan.MaxExactPower && exponent <= Scan.MaxExactPower + 15) {
    // 12e30: move the excess powers into the mantissa while it stays an exact integer.
    const scaled = mantissa * (POWERS_OF_TEN[exponent - Scan.MaxExactPower] as number);
    if (scaled < MAX_EXACT_MANTISSA) return scaled * (POWERS_OF_TEN[Scan.MaxExactPower] as number);
  }
  return Number.NaN;
}

/**
 * The value of a number the fast path could not take: more than 2^53 in the digits, or a
 * power of ten past 10^22. Eisel-Lemire decides almost all of them from the first 19
 * digits; the rest (subnormals, exact ties) go to parseFloat itself.
 */
function slowValue(bytes: Buffer, start: number, end: number): void {
  let pos = start;
  const negative = bytes[pos] === Scan.Minus;
  if (negative || bytes[pos] === Scan.Plus) pos++;
  let head = 0; // the first 15 significant digits: exact in a double
  let tail = 0; // up to 4 more: 19 digits stay below 2^64
  let tailDigits = 0;
  let significant = 0;
  let exponent = 0;
  let truncated = false;
  let fraction = false;
  for (; pos < end; pos++) {
    const byte = bytes[pos] as number;
    if (byte === Scan.Dot) {
      fraction = true;
      continue;
    }
    const digit = byte - Scan.Zero;
    if (digit < 0 || digit > 9) break;
    if (significant >= Scan.MaxDigits) {
      // Past 19 digits: a dropped integer digit still scales the value by ten.
      if (digit !== 0) truncated = true;
      if (!fraction) exponent++;
      continue;
    }
    if (fraction) exponent--;
    if (significant === 0 && digit === 0) continue;
    if (significant < Scan.HeadDigits) {
      head = head * 10 + digit;
    } else {
      tail = tail * 10 + digit;
      tailDigits++;
    }
    significant++;
  }
  if (pos < end) exponent += scanExponent(bytes, pos + 1) < 0 ? 0 : scannedExponent;

  // mantissa = head · 10^tailDigits + tail, as two uint32 halves.
  const scale = POWERS_OF_TEN[tailDigits] as number;
  const headHigh = Math.floor(head / Scan.Two32);
  const lowPart = (head - headHigh * Scan.Two32) * scale + tail;
  const carry = Math.floor(lowPart / Scan.Two32);
  const high = headHigh * scale + carry;
  const low = lowPart - carry * Scan.Two32;
  let decided = eiselLemire(high, low, exponent, scanned);
  if (decided && truncated) {
    // The digits went on: the answer is right only if mantissa + 1 rounds to the same double.
    const value = scanned.value;
    decided =
      (low + 1 === Scan.Two32
        ? eiselLemire(high + 1, 0, exponent, scanned)
        : eiselLemire(high, low + 1, exponent, scanned)) && scanned.value === value;
  }
  if (!decided) scanned.value = Number.parseFloat(bytes.toString('latin1', start, end));
  else if (negative) scanned.value = -scanned.value;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/**
 * The number a cell's text spells, or undefined when it is not a number (see the grammar
 * above). Equal to `parseFloat(text)` for every decimal; `nan` → NaN, `inf` → ±Infinity.
 */
export function parseNumber(text: string): number | undefined {
  const trimmed = trimNumberText(text);
  if (DECIMAL.test(trimmed)) return Number.parseFloat(trimmed);
  const special = SPECIAL.exec(trimmed);
  if (special === null) return undefined;
  if ((special[2] as string).toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** The text without the spaces and tabs a number may have around it. */
export function trimNumberText(text: string): string {
  return isPadded(text) ? text.replace(/^[ \t]+|[ \t]+$/g, '') : text;
}

function isPadded(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09;
}
