/**
 * Numbers as a reviewer reads them. Every number in the report goes through one of these, so
 * the same value never shows up with two different roundings.
 */

// The en-US grouping is written out rather than asked of Intl.NumberFormat: the first format
// made loads ICU's number data, about 10 ms of a small evaluate's start-up. Intl still formats
// what the two paths below do not take (a fractional count, -0, integers past 2^53), made on
// first use; format.test.ts checks the two paths against Intl on random and rounding-edge values.
let countFormat: Intl.NumberFormat | undefined;

/** `1234567` → `1,234,567`: digits with a comma every three from the right. */
function grouped(digits: string): string {
  let text = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = text.length; at < digits.length; at += 3) text += `,${digits.slice(at, at + 3)}`;
  return text;
}

/**
 * What `Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })`
 * writes, for 1,000 ≤ |value| < 1e9: ICU rounds the shortest decimal that reads back as the
 * value (the one `String` writes), half away from zero, not the binary value itself.
 */
export function oneDecimal(value: number): string {
  const text = String(Math.abs(value));
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  let tenths = dot < 0 ? 0 : text.charCodeAt(dot + 1) - 48;
  if (dot >= 0 && dot + 2 < text.length && text.charCodeAt(dot + 2) >= 53) tenths += 1;
  if (tenths === 10) {
    tenths = 0;
    whole = String(Number(whole) + 1);
  }
  return `${value < 0 ? '-' : ''}${grouped(whole)}.${tenths}`;
}

/**
 * A metric value: 4 decimals; whole numbers from 10 up as integers (bytes, counts), with
 * separators from five digits; tiny values with 3 significant digits rather than 0.0000.
 */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  // An accuracy of exactly 1 is still a fraction: it reads 1.0000 beside 0.9853, not 1.
  if (Number.isInteger(value) && magnitude >= 10)
    return magnitude >= 10_000 ? formatCount(value) : String(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1000)) return value.toFixed(4);
  // toPrecision stays in plain notation down to 1e-6: -0.000960 reads better than -9.600e-4.
  if (magnitude < 1e-3) return magnitude >= 1e-6 ? value.toPrecision(3) : value.toExponential(2);
  if (magnitude >= 1e9) return value.toExponential(3);
  return oneDecimal(value);
}

/** A difference, always signed, so a reader sees the direction without reading the digits. */
export function formatDelta(delta: number): string {
  if (delta === 0) return '±0';
  const text = formatValue(delta);
  return delta > 0 ? `+${text}` : text;
}

/** Δ with its relative change: `-0.0200 (-2.11%)`. No percentage against a zero baseline. */
export function formatChange(delta: number | null, baseline: number | null): string {
  if (delta === null || !Number.isFinite(delta)) return '—';
  const absolute = formatDelta(delta);
  if (baseline === null || baseline === 0 || !Number.isFinite(baseline)) return absolute;
  return `${absolute} (${formatPercent(delta / Math.abs(baseline))})`;
}

/** A signed percentage with two significant decimals: +1.05%, -0.31%, +120%. */
export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  if (percent === 0) return '±0%';
  const magnitude = Math.abs(percent);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  const text = magnitude.toFixed(digits);
  if (Number(text) === 0) return percent > 0 ? '+<0.01%' : '-<0.01%';
  return `${percent > 0 ? '+' : '-'}${text}%`;
}

/** A confidence interval: `[-0.0310, -0.0090]`. */
export function formatInterval(ci: readonly [number, number] | undefined): string {
  if (ci === undefined) return '—';
  return `[${formatValue(ci[0])}, ${formatValue(ci[1])}]`;
}

/** A whole count with thousands separators: 5,000. */
export function formatCount(count: number): string {
  if (Number.isSafeInteger(count) && !Object.is(count, -0))
    return count < 0 ? `-${grouped(String(-count))}` : grouped(String(count));
  countFormat ??= new Intl.NumberFormat('en-US');
  return countFormat.format(count);
}

/** The first 12 hex digits of a sha256: enough to tell models apart, short enough for a line. */
export function shortDigest(sha256: string | null | undefined): string {
  if (sha256 === null || sha256 === undefined || sha256 === '') return 'unknown';
  return sha256.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * A number for a Mermaid chart and the table printed beside it: at most 6 significant digits,
 * never in exponent form (Mermaid's xychart grammar has no exponents).
 */
export function chartNumber(value: number): string {
  const text = String(Number(value.toPrecision(6)));
  // String() switches to exponents below 1e-6 and from 1e21; spell those out digit by digit.
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = `${lead}${fraction}`;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  return `${sign}${digits}${'0'.repeat(Math.max(0, exponent + 1 - digits.length))}`;
}
