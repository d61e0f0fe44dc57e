import { formatValue } from '../kernel/format.ts';
import { escapeCell, table } from '../kernel/markdown.ts';
import type { EvaluationRecord, MetricValue } from '../kernel/records/evaluation.ts';
import { err, out, type Presentation, type TerminalLine } from '../kernel/step.ts';

function interval(metric: MetricValue): string {
  return metric.ci === undefined ? '' : `[${formatValue(metric.ci[0])}, ${formatValue(metric.ci[1])}]`;
}

/** The record's metrics as a plain-text table, numbers right-aligned. */
export function metricsTable(record: EvaluationRecord): string {
  const confidence = Math.round(record.bootstrap.confidence * 100);
  const rows: string[][] = [['metric', 'value', record.bootstrap.resamples > 0 ? `${confidence}% CI` : '']];
  for (const [name, metric] of Object.entries(record.metrics))
    rows.push([name, formatValue(metric.value), interval(metric)]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const pad = (cell: string, c: number) =>
    c === 1 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0);
  return rows.map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}

/** The job summary: what was scored, then every metric with its interval, then the slices. */
export function evaluationSummary(record: EvaluationRecord): string {
  const level = `${Math.round(record.bootstrap.confidence * 100)}% CI`;
  const code = (text: string) => `\`${escapeCell(text)}\``;
  const source =
    record.model === undefined
      ? `predictions ${code(record.data.predictions ?? record.data.path)}`
      : `${code(record.model.path)} (sha256 \`${record.model.sha256.slice(0, 12)}\`, output ${code(record.model.output)}, ${record.provider ?? 'cpu'})`;
  const lines = [
    `### modelgate evaluate: ${record.task}, ${record.data.rows} rows`,
    '',
    `Scored ${source} on ${code(record.data.path)} (sha256 \`${record.data.sha256.slice(0, 12)}\`), label ${code(record.data.label)}.`,
    '',
    table(
      ['metric', 'value', record.bootstrap.resamples > 0 ? level : ''],
      Object.entries(record.metrics).map(([name, metric]) => [
        name,
        formatValue(metric.value),
        interval(metric),
      ]),
      ['l', 'r', 'l'],
    ),
  ];
  if (record.slices.length > 0) {
    const names = Object.keys(record.slices[0]?.metrics ?? {}).slice(0, 4);
    const rows = record.slices.map((s) => [
      `${s.column}=${s.value}`,
      String(s.rows),
      ...names.map((n) => (s.metrics[n] === undefined ? '' : formatValue(s.metrics[n].value))),
    ]);
    lines.push(
      '',
      '<details><summary>Slices</summary>',
      '',
      table(['slice', 'rows', ...names], rows, []),
      '',
      '</details>',
    );
  }
  if (record.notes.length > 0) lines.push('', ...record.notes.map((note) => `> ${escapeCell(note)}`));
  return `${lines.join('\n')}\n`;
}

/**
 * An evaluation record for every caller (evaluate, merge). With a file to write to, the terminal
 * gets the metrics table; without one stdout carries the record itself and the table goes to
 * stderr. `first` lines come before the table.
 */
export function presentRecord(
  record: EvaluationRecord,
  path: string | undefined,
  first: string[] = [],
): Presentation {
  const say = path === undefined ? err : out;
  const lines: TerminalLine[] = [];
  if (path === undefined) lines.push(out(JSON.stringify(record, null, 2)));
  lines.push(
    ...first.map(say),
    say(metricsTable(record)),
    ...record.notes.map((note) => say(`note: ${note}`)),
  );
  if (path !== undefined) lines.push(say(`wrote ${path}`));
  const metrics = Object.fromEntries(Object.entries(record.metrics).map(([name, m]) => [name, m.value]));
  return {
    lines,
    summary: evaluationSummary(record),
    outputs: { ...(path === undefined ? {} : { evaluation: path }), metrics: JSON.stringify(metrics) },
    exitCode: 0,
  };
}
