import { evaluationSummary, metricsTable } from '../../evaluation/summary.ts';
import { err, out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { MergeOutcome } from './run.ts';

/** The merged record, shown as evaluate shows one: the metrics table, the notes, the summary. */
export function presentMerge(outcome: MergeOutcome): Presentation {
  const { record } = outcome;
  const say = outcome.out === undefined ? err : out;
  const lines: TerminalLine[] = [];
  if (outcome.out === undefined) lines.push(out(JSON.stringify(record, null, 2)));
  lines.push(
    say(`merged ${outcome.parts.length} parts (${record.data.rows} rows)`),
    say(metricsTable(record)),
    ...record.notes.map((note) => say(`note: ${note}`)),
  );
  if (outcome.out !== undefined) lines.push(say(`wrote ${outcome.out}`));
  const metrics = Object.fromEntries(Object.entries(record.metrics).map(([name, m]) => [name, m.value]));
  return {
    lines,
    summary: evaluationSummary(record),
    outputs: {
      ...(outcome.out === undefined ? {} : { evaluation: outcome.out }),
      metrics: JSON.stringify(metrics),
    },
    exitCode: 0,
  };
}
