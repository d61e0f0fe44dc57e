import type { MetricValue } from '../kernel/records/evaluation.ts';

/**
 * Cohen's kappa below this: the predictions agree with the labels clearly less often than
 * predictions drawn independently of them, with the same class frequencies, would. A weak but
 * honest model sits near 0; a model read in the wrong class order sits near -1 (the sorted
 * order of two text classes swapped gives accuracy 0.025 where chance gives 0.5: kappa -0.95).
 */
const INVERTED_KAPPA = -0.2;
/**
 * ROC AUC below this, when there is no interval to go by: as far under chance (0.5) as a
 * useful model is over it.
 */
const INVERTED_AUC = 0.3;

/** The hard predictions of a classifier against its labels, as class indices. */
export interface ClassAgreement {
  readonly labels: Int32Array;
  readonly predicted: Int32Array;
  readonly numClasses: number;
}

/**
 * Why the scores look inverted, or undefined when they do not: ROC AUC clearly below 0.5 (the
 * upper end of its interval, or the value itself under {@link INVERTED_AUC} with no interval),
 * or accuracy far below what chance agreement gives (Cohen's kappa under {@link INVERTED_KAPPA}).
 */
export function worseThanChance(
  p: ClassAgreement,
  metrics: Readonly<Record<string, MetricValue>>,
): string | undefined {
  const reasons: string[] = [];
  const { observed, expected } = agreement(p);
  const kappa = expected < 1 ? (observed - expected) / (1 - expected) : 0;
  if (kappa < INVERTED_KAPPA) {
    reasons.push(
      `accuracy ${short(observed)} where guessing with the same class frequencies gets ${short(expected)}`,
    );
  }
  const auc = metrics.roc_auc;
  if (auc !== undefined) {
    const upper = auc.ci?.[1];
    if (upper !== undefined ? upper < 0.5 : auc.value < INVERTED_AUC) {
      reasons.push(
        `ROC AUC ${short(auc.value)}${upper === undefined ? '' : `, its interval up to ${short(upper)},`} under chance's 0.5`,
      );
    }
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

/** Observed agreement (accuracy) and the agreement expected of independent labels and predictions. */
function agreement(p: ClassAgreement): { observed: number; expected: number } {
  const rows = p.labels.length;
  const labelCounts = new Float64Array(p.numClasses);
  const predictedCounts = new Float64Array(p.numClasses);
  let hits = 0;
  for (let i = 0; i < rows; i++) {
    const label = p.labels[i] as number;
    const predicted = p.predicted[i] as number;
    labelCounts[label] = (labelCounts[label] as number) + 1;
    predictedCounts[predicted] = (predictedCounts[predicted] as number) + 1;
    if (label === predicted) hits++;
  }
  let expected = 0;
  for (let c = 0; c < p.numClasses; c++)
    expected += ((labelCounts[c] as number) / rows) * ((predictedCounts[c] as number) / rows);
  return { observed: rows > 0 ? hits / rows : 0, expected };
}

function short(value: number): string {
  return String(Number(value.toPrecision(3)));
}
