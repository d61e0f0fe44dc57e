import { type EvaluationRecord, formatValue, type MetricValue } from '@modelgate/core';

/**
 * A number as a person reads it in a table: the report's own formatter, so a value prints the
 * same in the terminal, the PR report and the job summary (12345.6 is 12,345.6 in all three).
 */
export const formatNumber: (value: number) => string = formatValue;

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
