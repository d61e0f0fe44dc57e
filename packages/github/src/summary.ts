import { type EvaluationRecord, formatValue, type MetricValue } from '@modelgate/core';
import { markdownTable } from 'markdown-table';

/** markdown-table does not escape `|` (DESIGN.md), and a raw one splits a cell. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The report's number formatter: a value prints the same here, in the PR report and in the terminal. */
const format = formatValue;

function ci(metric: MetricValue): string {
  return metric.ci === undefined ? '' : `[${format(metric.ci[0])}, ${format(metric.ci[1])}]`;
}

/** The job summary of the evaluate step: what was scored, then every metric with its interval. */
export function evaluationSummary(record: EvaluationRecord): string {
  const level = `${Math.round(record.bootstrap.confidence * 100)}% CI`;
  const rows = Object.entries(record.metrics).map(([name, metric]) => [
    name,
    format(metric.value),
    ci(metric),
  ]);
  const source =
    record.model === undefined
      ? `predictions \`${escapeCell(record.data.predictions ?? record.data.path)}\``
      : `\`${escapeCell(record.model.path)}\` (sha256 \`${record.model.sha256.slice(0, 12)}\`, output \`${escapeCell(record.model.output)}\`, ${record.provider ?? 'cpu'})`;
  const lines = [
    `### modelgate evaluate: ${record.task}, ${record.data.rows} rows`,
    '',
    `Scored ${source} on \`${escapeCell(record.data.path)}\` (sha256 \`${record.data.sha256.slice(0, 12)}\`), label \`${escapeCell(record.data.label)}\`.`,
    '',
    markdownTable(
      [
        ['metric', 'value', record.bootstrap.resamples > 0 ? level : ''],
        ...rows.map((r) => r.map(escapeCell)),
      ],
      {
        align: ['l', 'r', 'l'],
      },
    ),
  ];
  if (record.slices.length > 0) {
    const names = Object.keys(record.slices[0]?.metrics ?? {}).slice(0, 4);
    lines.push('', '<details><summary>Slices</summary>', '');
    lines.push(
      markdownTable([
        ['slice', 'rows', ...names],
        ...record.slices.map((s) => [
          escapeCell(`${s.column}=${s.value}`),
          String(s.rows),
          ...names.map((n) => (s.metrics[n] === undefined ? '' : format(s.metrics[n].value))),
        ]),
      ]),
    );
    lines.push('', '</details>');
  }
  if (record.notes.length > 0) lines.push('', ...record.notes.map((note) => `> ${escapeCell(note)}`));
  return `${lines.join('\n')}\n`;
}
