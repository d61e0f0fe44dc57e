import { formatCount } from '../kernel/format.ts';
import { code, table } from '../kernel/markdown.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';

/**
 * The confusion matrix of a classifier: the candidate's counts, each changed cell with its
 * change against the baseline's count in the same cell. Correct predictions (the diagonal) are bold, so a
 * reader sees at a glance whether the changes moved rows onto it or off it. Undefined for a
 * regression model.
 */
export function renderConfusion(
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
): string | undefined {
  const matrix = candidate.confusion_matrix;
  if (matrix === undefined || matrix.labels.length === 0) return undefined;
  const other = baseline?.confusion_matrix;
  const comparable = other !== undefined && sameLabels(matrix.labels, other.labels);

  let changed = 0;
  const header = ['actual ╲ predicted', ...matrix.labels.map(code)];
  const rows = matrix.labels.map((label, i) => [
    code(label),
    ...matrix.labels.map((_, j) => {
      const count = matrix.matrix[i]?.[j] ?? 0;
      const change = comparable ? count - (other.matrix[i]?.[j] ?? 0) : 0;
      if (change !== 0) changed++;
      // Only changed cells carry a change: a 10-class grid of "(±0)" hides the few that moved.
      const text = change === 0 ? formatCount(count) : `${formatCount(count)} (${signed(change)})`;
      return i === j ? `**${text}**` : text;
    }),
  ]);
  const grid = table(header, rows, ['l', ...matrix.labels.map(() => 'r' as const)]);

  let caption: string;
  if (comparable) {
    const sameRows = baseline !== null && baseline.data.rows === candidate.data.rows;
    const changes =
      changed === 0
        ? 'the same as the baseline in every cell'
        : `with the change from the baseline in parentheses (${changed} cell${changed === 1 ? '' : 's'} changed)`;
    caption = `Candidate counts, ${changes}; the diagonal (bold) is correct.${
      sameRows
        ? ''
        : ` The baseline was scored on ${formatCount(baseline?.data.rows ?? 0)} rows, the candidate on ${formatCount(candidate.data.rows)}: compare rates, not counts.`
    }`;
  } else if (baseline === null) {
    caption = 'Candidate counts (no baseline to compare with); the diagonal (bold) is correct.';
  } else if (other === undefined) {
    caption =
      "Candidate counts; the baseline's record has no confusion matrix to compare with. The diagonal (bold) is correct.";
  } else {
    caption = `Candidate counts only: the baseline's classes (${other.labels.map(code).join(', ')}) differ from the candidate's. The diagonal (bold) is correct.`;
  }
  return `${caption}\n\n${grid}`;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

function signed(change: number): string {
  return change > 0 ? `+${formatCount(change)}` : `-${formatCount(-change)}`;
}
