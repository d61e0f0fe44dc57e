import type { CandidateResult } from '../../evaluation/selection.ts';
import { formatValue } from '../../kernel/format.ts';
import { code, escapeCell, escapeText, table } from '../../kernel/markdown.ts';
import { err, out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { SelectOutcome } from './run.ts';

const interval = (ci: [number, number] | null | undefined) =>
  ci === null || ci === undefined ? '' : `[${formatValue(ci[0])}, ${formatValue(ci[1])}]`;

function candidateRows(candidates: readonly CandidateResult[]): string[][] {
  return candidates.map((c) => [
    c.evaluation,
    c.value === null ? '' : formatValue(c.value),
    c.passed ? 'eligible' : c.reasons.join('; '),
  ]);
}

/** The winner and the evidence for it; or, when no candidate passed, every candidate's reasons (exit 1). */
export function presentSelect(outcome: SelectOutcome): Presentation {
  if (outcome.kind === 'none-passed') {
    const reasons = outcome.candidates.map((c) => `${c.evaluation}: ${c.reasons.join('; ')}`);
    return {
      lines: [err('no candidate passed the bounds of the gates:'), ...reasons.map((r) => err(`  ${r}`))],
      summary: `### modelgate select: no candidate passed\n\n${table(['candidate', outcome.metric, 'why not'], candidateRows(outcome.candidates), ['l', 'r', 'l'])}\n`,
      outputs: {},
      exitCode: 1,
      failure: `no candidate passed the bounds of the gates (${reasons.join(' | ')})`,
    };
  }
  const { selection: s } = outcome;
  const say = outcome.out === undefined ? err : out;
  const winner = `${s.winner.model ?? s.winner.evaluation} (${s.winner.evaluation}): ${s.metric} ${formatValue(s.winner.value)} ${interval(s.winner.ci)}`;
  const adjusted =
    s.adjusted === null
      ? undefined
      : `selection-adjusted ${Math.round(s.adjusted.confidence * 1e4) / 100}% interval (Bonferroni over ${s.adjusted.candidates} candidates, ${s.adjusted.how}): ${interval(s.winner.adjusted_ci)}`;
  const lines: TerminalLine[] = [];
  if (outcome.out === undefined) lines.push(out(JSON.stringify(s, null, 2)));
  lines.push(say(`winner: ${winner}`));
  if (s.runner_up !== null)
    lines.push(say(`runner-up: ${s.runner_up.evaluation}: ${formatValue(s.runner_up.value)}`));
  if (s.lead !== null)
    lines.push(
      say(
        `${s.lead.statement}${s.lead.unpaired_reason === undefined ? '' : ` (not paired: ${s.lead.unpaired_reason})`}`,
      ),
    );
  if (adjusted !== undefined) lines.push(say(adjusted));
  lines.push(...s.notes.map((note) => say(`note: ${note}`)));
  if (outcome.out !== undefined) lines.push(say(`wrote ${outcome.out}`));
  const summary = [
    `### modelgate select: best by ${code(s.metric)}`,
    '',
    `Winner: ${escapeText(winner)}`,
    ...(s.lead === null ? [] : ['', `> ${escapeCell(s.lead.statement)}`]),
    ...(adjusted === undefined ? [] : ['', escapeText(adjusted)]),
    '',
    table(['candidate', s.metric, 'eligible'], candidateRows(s.candidates), ['l', 'r', 'l']),
  ].join('\n');
  return {
    lines,
    summary: `${summary}\n`,
    outputs: {
      ...(outcome.out === undefined ? {} : { selection: outcome.out }),
      model: s.winner.model ?? '',
      evaluation: s.winner.evaluation,
      params: JSON.stringify(s.winner.params ?? {}),
      value: String(s.winner.value),
    },
    exitCode: 0,
  };
}
