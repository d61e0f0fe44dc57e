/**
 * Bootstrap confidence intervals for one model's metrics, and paired intervals for the
 * difference between two models on the same rows.
 *
 * Intervals are percentile intervals: the (1 − confidence)/2 and (1 + confidence)/2
 * quantiles of the metric over the resamples (numpy's linear interpolation). Resamples where
 * a metric is undefined are left out of that metric's quantiles; with fewer than half of
 * them defined the metric gets no interval at all (see interval.ts).
 */
import { binaryMetrics, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import { enoughDefined, percentileInterval, quantileSorted, sortedColumn } from './interval.ts';
import { defaultThreads } from './pool.ts';
import {
  type BootstrapOptions,
  checkOptions,
  checkSameRows,
  type Predictions,
  resampledMetrics,
} from './predictions.ts';
import { Resampler } from './resampler.ts';

/**
 * The bootstrap distribution of each metric: its value in every resample, in resample
 * order, NaN where undefined. Resample b depends only on the data, the seed and b.
 * Metrics without a bootstrap (the measured ones) are left out.
 */
export async function bootstrapDistributions(
  p: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, Float64Array>> {
  checkOptions(o);
  const names = resampledMetrics(p, metrics);
  if (o.resamples === 0 || names.length === 0) return {};
  const resampler = new Resampler([p], names);
  const width = names.length;
  const table = await resampler.run(o.seed, o.resamples, o.threads ?? defaultThreads());
  const result: Record<string, Float64Array> = {};
  names.forEach((name, column) => {
    result[name] = Float64Array.from({ length: o.resamples }, (_, b) => table[b * width + column]!);
  });
  return result;
}

/**
 * Percentile confidence intervals for each metric at `o.confidence`, from `o.resamples`
 * resamples; the same seed gives the same intervals. A metric is left out of the result
 * when it has no interval: undefined on the data, or on more than half of the resamples,
 * or a measured metric (latency and the like).
 */
export async function bootstrapIntervals(
  p: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, [number, number]>> {
  const distributions = await bootstrapDistributions(p, metrics, o);
  const result: Record<string, [number, number]> = {};
  for (const [name, values] of Object.entries(distributions)) {
    const sorted = sortedColumn(values, 1, 0);
    if (enoughDefined(sorted.length, values.length)) result[name] = percentileInterval(sorted, o.confidence);
  }
  return result;
}

/** The paired bootstrap's verdict on one metric: candidate − baseline. */
export interface PairedDelta {
  /** The candidate's value minus the baseline's, on all rows. */
  delta: number;
  /** Two-sided percentile interval of the difference at the requested confidence. */
  ci: [number, number];
  /** One-sided lower bound at the same confidence: the difference is at least this with that confidence. */
  lower: number;
  /** One-sided upper bound at the same confidence. */
  upper: number;
  /** Fraction of (defined) resamples where the difference is <= 0. */
  pNonPositive: number;
}

function pointMetrics(p: Predictions): Record<string, number> {
  if (p.task === 'regression') return regressionMetrics({ target: p.target, predicted: p.predicted });
  const input = { labels: p.labels, numClasses: p.numClasses, predicted: p.predicted, proba: p.proba };
  return p.task === 'binary' ? binaryMetrics(input) : multiclassMetrics(input);
}

/**
 * The paired bootstrap distribution of candidate − baseline for each metric: both models'
 * predictions on the same rows, each resample weighting every row the same for both; NaN
 * where the metric is undefined for either model on a resample.
 */
export async function pairedDistributions(
  candidate: Predictions,
  baseline: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, Float64Array>> {
  checkOptions(o);
  checkSameRows(candidate, baseline);
  resampledMetrics(baseline, metrics, 'baseline predictions');
  const names = resampledMetrics(candidate, metrics, 'candidate predictions');
  if (o.resamples === 0 || names.length === 0) return {};
  const resampler = new Resampler([candidate, baseline], names);
  const width = names.length;
  const table = await resampler.run(o.seed, o.resamples, o.threads ?? defaultThreads());
  const result: Record<string, Float64Array> = {};
  names.forEach((name, column) => {
    result[name] = Float64Array.from(
      { length: o.resamples },
      (_, b) => table[2 * b * width + column]! - table[(2 * b + 1) * width + column]!,
    );
  });
  return result;
}

/**
 * Paired bootstrap of candidate − baseline (see {@link pairedDistributions}), summarised:
 * the point difference, its interval, one-sided bounds and the share of resamples with no
 * improvement. Metrics undefined for either model on the data, or on more than half of the
 * resamples, are left out.
 */
export async function pairedBootstrap(
  candidate: Predictions,
  baseline: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, PairedDelta>> {
  const distributions = await pairedDistributions(candidate, baseline, metrics, o);
  const candidatePoint = pointMetrics(candidate);
  const baselinePoint = pointMetrics(baseline);
  const result: Record<string, PairedDelta> = {};
  for (const [name, deltas] of Object.entries(distributions)) {
    const delta = candidatePoint[name]! - baselinePoint[name]!;
    const sorted = sortedColumn(deltas, 1, 0);
    if (Number.isNaN(delta) || !enoughDefined(sorted.length, deltas.length)) continue;
    let nonPositive = 0;
    while (nonPositive < sorted.length && sorted[nonPositive]! <= 0) nonPositive++;
    result[name] = {
      delta,
      ci: percentileInterval(sorted, o.confidence),
      lower: quantileSorted(sorted, 1 - o.confidence),
      upper: quantileSorted(sorted, o.confidence),
      pNonPositive: nonPositive / sorted.length,
    };
  }
  return result;
}
