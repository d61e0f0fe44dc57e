import type { ChangeEvidence } from '../gates/index.ts';
import type { EvaluationRecord, MetricValue } from '../kernel/records/evaluation.ts';
import { type MetricEvidence, quantileSorted, unpairedDifference } from '../stats/index.ts';

type SliceKey = { column: string; value: string } | undefined;

/** The key of one metric's distribution, overall or within a slice. */
export function evidenceKey(metric: string, slice: SliceKey): string {
  return slice === undefined ? metric : `${slice.column}\u0000${slice.value}\u0000${metric}`;
}

/**
 * Paired evidence: for each metric (and slice), the bootstrap distribution of candidate −
 * baseline with both models resampled by the same row weights. Intervals and one-sided bounds
 * are quantiles of that one distribution, so they always agree with each other.
 */
export function pairedEvidence(
  deltas: ReadonlyMap<string, Float64Array>,
  confidence: number,
): ChangeEvidence {
  const sorted = new Map<string, Float64Array>();
  for (const [k, values] of deltas) {
    const defined = values.filter((d) => !Number.isNaN(d)).sort();
    if (defined.length > 0) sorted.set(k, defined);
  }
  return {
    kind: 'paired',
    interval(metric, slice) {
      const values = sorted.get(evidenceKey(metric, slice));
      if (values === undefined) return undefined;
      const tail = (1 - confidence) / 2;
      return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
    },
    bound(metric, alpha, side, slice) {
      const values = sorted.get(evidenceKey(metric, slice));
      if (values === undefined) return undefined;
      return side === 'lower' ? quantileSorted(values, alpha) : quantileSorted(values, 1 - alpha);
    },
  };
}

/**
 * Unpaired evidence from two records alone: the difference of two independent bootstraps,
 * from each record's value and interval (stats' unpairedDifference). It ignores that both
 * models may have seen the same rows, so it is wider: the weaker evidence, and the verdict
 * says so.
 */
export function unpairedEvidence(
  candidate: EvaluationRecord,
  baseline: EvaluationRecord,
  confidence: number,
): ChangeEvidence {
  const evidenceOf = (
    record: EvaluationRecord,
    metric: string,
    slice: SliceKey,
  ): MetricEvidence | undefined => {
    const m: MetricValue | undefined =
      slice === undefined
        ? record.metrics[metric]
        : record.slices.find((s) => s.column === slice.column && s.value === slice.value)?.metrics[metric];
    if (m?.ci === undefined) return undefined;
    return { value: m.value, ci: m.ci, confidence: record.bootstrap.confidence };
  };
  const difference = (metric: string, slice: SliceKey, level: number) => {
    const c = evidenceOf(candidate, metric, slice);
    const b = evidenceOf(baseline, metric, slice);
    return c === undefined || b === undefined ? undefined : unpairedDifference(c, b, level);
  };
  return {
    kind: 'unpaired',
    interval: (metric, slice) => difference(metric, slice, confidence)?.ci,
    bound(metric, alpha, side, slice) {
      const d = difference(metric, slice, 1 - alpha);
      return d === undefined ? undefined : side === 'lower' ? d.lower : d.upper;
    },
  };
}
