import type { EvaluationRecord } from '../record/evaluation.ts';
import { formatCount } from './format.ts';
import { code, table } from './markdown.ts';

/**
 * The confusion matrix of a classifier: the candidate's counts, each with its change against
 * the baseline's count in the same cell. Correct predictions (the diagonal) are bold, so a
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

  const header = ['actual ╲ predicted', ...matrix.labels.map(code)];
  const rows = matrix.labels.map((label, i) => [
    code(label),
    ...matrix.labels.map((_, j) => {
      const count = matrix.matrix[i]?.[j] ?? 0;
      const text = comparable
        ? `${formatCount(count)} (${signed(count - (other.matrix[i]?.[j] ?? 0))})`
        : formatCount(count);
      return i === j ? `**${text}**` : text;
    }),
  ]);
  const grid = table(header, rows, ['l', ...matrix.labels.map(() => 'r' as const)]);

  let caption: string;
  if (comparable) {
    const sameRows = baseline !== null && baseline.data.rows === candidate.data.rows;
    caption = `Candidate counts, with the change from the baseline in parentheses; the diagonal (bold) is correct.${
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
  if (change === 0) return '±0';
  return change > 0 ? `+${formatCount(change)}` : `-${formatCount(-change)}`;
}
