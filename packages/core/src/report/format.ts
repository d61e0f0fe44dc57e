/**
 * Numbers as a reviewer reads them. Every number in the report goes through one of these, so
 * the same value never shows up with two different roundings.
 */

/** A metric value: integers as they are (byte counts, rows), otherwise 4 decimals. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // Separators from five digits on: 18,452 bytes reads at a glance, a year-like 2024 needs none.
  if (Number.isInteger(value)) return Math.abs(value) >= 10_000 ? formatCount(value) : String(value);
  const magnitude = Math.abs(value);
  // 4 decimals would show 0.0000 for a tiny MSE, and 12 digits for a throughput.
  if (magnitude < 1e-3 || magnitude >= 1e6) return value.toExponential(3);
  if (magnitude >= 1000) return value.toFixed(1);
  return value.toFixed(4);
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
  return count.toLocaleString('en-US');
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
  const rounded = Number(value.toPrecision(6));
  if (rounded === 0) return '0';
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  // String() switches to exponents below 1e-6 and above 1e21; spell those out.
  const decimals = Math.max(0, 5 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded
    .toFixed(Math.min(decimals, 100))
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}
