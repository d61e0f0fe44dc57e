import { evaluationSummary, metricsTable, presentRecord } from '../../evaluation/summary.ts';
import { formatCount } from '../../kernel/format.ts';
import { escapeText } from '../../kernel/markdown.ts';
import { err, out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { EvaluateOutcome } from './run.ts';

export { evaluationSummary, metricsTable };

/**
 * The outcome for every caller. With a file to write to, the terminal gets the metrics table;
 * without one stdout carries the record itself and the table goes to stderr.
 */
export function presentEvaluate(outcome: EvaluateOutcome): Presentation {
  if (outcome.kind === 'part') return presentPart(outcome);
  return presentRecord(outcome.record, outcome.out);
}

/** A shard's part: which rows it holds, and that the parts must be merged to give metrics. */
function presentPart(outcome: Extract<EvaluateOutcome, { kind: 'part' }>): Presentation {
  const { part } = outcome;
  const { index, count, first_row, rows } = part.shard;
  const say = outcome.out === undefined ? err : out;
  const what = `shard ${index} of ${count}: rows ${formatCount(first_row + 1)}-${formatCount(first_row + rows)} of ${formatCount(part.data.rows)} in ${part.data.path}`;
  const lines: TerminalLine[] = [];
  if (outcome.out === undefined) lines.push(out(JSON.stringify(part, null, 2)));
  lines.push(
    say(`scored ${what}`),
    ...part.notes.map((note) => say(`note: ${note}`)),
    say(
      `metrics come from all ${count} parts together: modelgate merge PART… --out evaluation.json${outcome.out === undefined ? '' : ` (wrote ${outcome.out})`}`,
    ),
  );
  return {
    lines,
    summary: `### modelgate evaluate: part ${index} of ${count}\n\nScored ${escapeText(what)}; merge the ${count} parts for the metrics.\n`,
    outputs: {
      ...(outcome.out === undefined ? {} : { evaluation: outcome.out, part: outcome.out }),
      metrics: '{}',
    },
    exitCode: 0,
  };
}
