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

/** 10^0 … 10^22: every one is exactly representable as a double (5^22 < 2^53). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT_POWER = 22;
/** 2^53: below it every integer is exact, so `m * 10^k` and `m / 10^k` round once, correctly. */
const MAX_EXACT_MANTISSA = 2 ** 53;
/** Past this, `mantissa * 10 + digit` could exceed 2^53 and stop being exact. */
const MANTISSA_GUARD = Math.floor((MAX_EXACT_MANTISSA - 9) / 10);
/** Exponents this large are ±∞ or 0 anyway; stop accumulating before the integer overflows. */
const EXPONENT_CAP = 100_000;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

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
 * (17-digit mantissas, 1e-30, 5e-324) is handed to parseFloat itself, so the result is
 * always bit-identical to `parseFloat(text)`.
 */
export function scanNumber(bytes: Uint8Array, start: number): number {
  let pos = start;
  // Work with byte - '0': a digit is 0..9, and past the end it is NaN, which fails every test.
  let digit = (bytes[pos] as number) - DIGIT_0;
  let negative = false;
  if (digit === MINUS - DIGIT_0) {
    negative = true;
    digit = (bytes[++pos] as number) - DIGIT_0;
  } else if (digit === PLUS - DIGIT_0) {
    digit = (bytes[++pos] as number) - DIGIT_0;
  }
  let mantissa = 0;
  let exact = true;
  let digits = 0;
  let exponent = 0;
  while (digit >= 0 && digit <= 9) {
    if (mantissa <= MANTISSA_GUARD) mantissa = mantissa * 10 + digit;
    else exact = false;
    digits++;
    digit = (bytes[++pos] as number) - DIGIT_0;
  }
  if (digit === DOT - DIGIT_0) {
    digit = (bytes[++pos] as number) - DIGIT_0;
    while (digit >= 0 && digit <= 9) {
      if (mantissa <= MANTISSA_GUARD) {
        mantissa = mantissa * 10 + digit;
        exponent--;
      } else {
        exact = false;
      }
      digits++;
      digit = (bytes[++pos] as number) - DIGIT_0;
    }
  }
  if (digits === 0) return -1;
  if (digit === LOWER_E - DIGIT_0 || digit === UPPER_E - DIGIT_0) {
    const end = scanExponent(bytes, pos + 1);
    // "1e" or "1e+" is not a number here; stop at the 'e' so that the caller rejects the cell.
    if (end < 0) return pos;
    exponent += scannedExponent;
    pos = end;
  }
  let value = Number.NaN;
  if (exact) {
    if (exponent === 0) value = mantissa;
    else if (exponent < 0 && exponent >= -MAX_EXACT_POWER)
      value = mantissa / (POWERS_OF_TEN[-exponent] as number);
    else value = scaledValue(mantissa, exponent);
  }
  // The slow path reads the sign from the text itself.
  scanned.value = Number.isNaN(value) ? slowValue(bytes, start, pos) : negative ? -value : value;
  return pos;
}

let scannedExponent = 0;

/** Reads `[+-]?digits` at `pos` into scannedExponent; returns the index past it, or -1. */
function scanExponent(bytes: Uint8Array, pos: number): number {
  let sign = 1;
  let byte = bytes[pos];
  if (byte === MINUS || byte === PLUS) {
    sign = byte === MINUS ? -1 : 1;
    byte = bytes[++pos];
  }
  if (byte === undefined || byte < DIGIT_0 || byte > DIGIT_9) return -1;
  let exponent = 0;
  while (byte !== undefined && byte >= DIGIT_0 && byte <= DIGIT_9) {
    if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (byte - DIGIT_0);
    byte = bytes[++pos];
  }
  scannedExponent = sign * exponent;
  return pos;
}

/** m × 10^k for an exact m, when that is one correctly rounded operation; else NaN for the slow path. */
function scaledValue(mantissa: number, exponent: number): number {
  if (mantissa === 0) return 0;
  if (exponent >= 0 && exponent <= MAX_EXACT_POWER) return mantissa * (POWERS_OF_TEN[exponent] as number);
  if (exponent > MAX_EXACT_POWER && exponent <= MAX_EXACT_POWER + 15) {
    // 12e30: move the excess powers into the mantissa while it stays an exact integer.
    const scaled = mantissa * (POWERS_OF_TEN[exponent - MAX_EXACT_POWER] as number);
    if (scaled <= MAX_EXACT_MANTISSA) return scaled * (POWERS_OF_TEN[MAX_EXACT_POWER] as number);
  }
  return Number.NaN;
}

function slowValue(bytes: Uint8Array, start: number, end: number): number {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i] as number);
  return Number.parseFloat(text);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/**
 * The number a cell's text spells, or undefined when it is not a number (see the grammar
 * above). Equal to `parseFloat(text)` for every decimal; `nan` → NaN, `inf` → ±Infinity.
 */
export function parseNumber(text: string): number | undefined {
  const trimmed = isPadded(text) ? text.replace(/^[ \t]+|[ \t]+$/g, '') : text;
  if (DECIMAL.test(trimmed)) return Number.parseFloat(trimmed);
  const special = SPECIAL.exec(trimmed);
  if (special === null) return undefined;
  if ((special[2] as string).toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

function isPadded(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09;
}
