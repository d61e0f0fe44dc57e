import type { EvaluationRecord, MetricValue } from '@modelgate/core';

/** A number as a person reads it in a table: 4 significant decimals, integers as they are. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 && magnitude < 1e6) return value.toFixed(0);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return value.toFixed(4);
}

function formatCi(metric: MetricValue): string {
  return metric.ci === undefined ? '' : `[${formatNumber(metric.ci[0])}, ${formatNumber(metric.ci[1])}]`;
}

/** Plain-text table of the record's metrics for the terminal. */
export function metricsTable(record: EvaluationRecord): string {
  const confidence = Math.round(record.bootstrap.confidence * 100);
  const rows: string[][] = [['metric', 'value', record.bootstrap.resamples > 0 ? `${confidence}% CI` : '']];
  for (const [name, metric] of Object.entries(record.metrics))
    rows.push([name, formatNumber(metric.value), formatCi(metric)]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 1 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
