import type { ChangeEvidence } from '../gates/index.ts';
import type { EvaluationRecord, MetricValue } from '../record/evaluation.ts';
import { normalQuantile } from '../stats/index.ts';

type SliceKey = { column: string; value: string } | undefined;

/** The key of one metric's distribution, overall or within a slice. */
export function evidenceKey(metric: string, slice: SliceKey): string {
  return slice === undefined ? metric : `${slice.column}\u0000${slice.value}\u0000${metric}`;
}

/** Linear-interpolation quantile of sorted values (numpy's default method). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const weight = position - below;
  return (sorted[below] as number) * (1 - weight) + (sorted[above] as number) * weight;
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
      return [quantile(values, tail), quantile(values, 1 - tail)];
    },
    bound(metric, alpha, side, slice) {
      const values = sorted.get(evidenceKey(metric, slice));
      if (values === undefined) return undefined;
      return side === 'lower' ? quantile(values, alpha) : quantile(values, 1 - alpha);
    },
  };
}

/**
 * Unpaired evidence from two records alone: each record's bootstrap interval gives a standard
 * error (width / 2z), and the difference of two independent bootstraps has the root-sum-square
 * of the two. It ignores that both models may have seen the same rows, so it is wider: the
 * weaker evidence, and the verdict says so.
 */
export function unpairedEvidence(
  candidate: EvaluationRecord,
  baseline: EvaluationRecord,
  confidence: number,
): ChangeEvidence {
  const find = (record: EvaluationRecord, metric: string, slice: SliceKey): MetricValue | undefined =>
    slice === undefined
      ? record.metrics[metric]
      : record.slices.find((s) => s.column === slice.column && s.value === slice.value)?.metrics[metric];
  const standardError = (record: EvaluationRecord, m: MetricValue | undefined): number | undefined => {
    if (m?.ci === undefined) return undefined;
    const z = normalQuantile(1 - (1 - record.bootstrap.confidence) / 2);
    return (m.ci[1] - m.ci[0]) / (2 * z);
  };
  const spread = (metric: string, slice: SliceKey) => {
    const c = find(candidate, metric, slice);
    const b = find(baseline, metric, slice);
    const sc = standardError(candidate, c);
    const sb = standardError(baseline, b);
    if (c === undefined || b === undefined || sc === undefined || sb === undefined) return undefined;
    return { delta: c.value - b.value, sd: Math.hypot(sc, sb) };
  };
  return {
    kind: 'unpaired',
    interval(metric, slice) {
      const s = spread(metric, slice);
      if (s === undefined) return undefined;
      const z = normalQuantile(1 - (1 - confidence) / 2);
      return [s.delta - z * s.sd, s.delta + z * s.sd];
    },
    bound(metric, alpha, side, slice) {
      const s = spread(metric, slice);
      if (s === undefined) return undefined;
      const z = normalQuantile(1 - alpha);
      return side === 'lower' ? s.delta - z * s.sd : s.delta + z * s.sd;
    },
  };
}
