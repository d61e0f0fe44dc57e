/**
 * Bootstrap confidence intervals for one model's metrics, and paired intervals for the
 * difference between two models on the same rows.
 *
 * Intervals are BCa intervals (see interval.ts for why, and for how resamples where a
 * metric is undefined are handled): percentile intervals of the resampled values with the
 * levels corrected for the bootstrap distribution's bias and skewness.
 */
import { binaryMetrics, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import { adjustedQuantiles, confidenceInterval, enoughDefined, sortedColumn } from './interval.ts';
import { defaultThreads } from './pool.ts';
import {
  type BootstrapOptions,
  checkOptions,
  checkSameRows,
  type Predictions,
  resampledMetrics,
  rowsOf,
} from './predictions.ts';
import { Resampler } from './resampler.ts';

/** The resampled values of `names` for the models, as a table, with what BCa needs. */
async function resample(
  models: readonly Predictions[],
  names: readonly string[],
  o: BootstrapOptions,
): Promise<{ resampler: Resampler; table: Float64Array }> {
  const resampler = new Resampler(models, names);
  const table = await resampler.run(o.seed, o.resamples, o.threads ?? defaultThreads());
  return { resampler, table };
}

/** Column `column` of each model's block of a [resamples × models·width] table, as one model's values or the difference. */
function columnValues(
  table: Float64Array,
  resamples: number,
  width: number,
  column: number,
  models: number,
): Float64Array {
  return Float64Array.from({ length: resamples }, (_, b) => {
    const at = b * width * models + column;
    return models === 1 ? table[at]! : table[at]! - table[at + width]!;
  });
}

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
  // No rows: no metric is defined (the metrics module gives NaN), so there is nothing to resample.
  if (o.resamples === 0 || names.length === 0 || rowsOf(p) === 0) return {};
  const { table } = await resample([p], names, o);
  return Object.fromEntries(
    names.map((name, column) => [name, columnValues(table, o.resamples, names.length, column, 1)]),
  );
}

/**
 * BCa confidence intervals for each metric at `o.confidence`, from `o.resamples`
 * resamples; the same seed gives the same intervals. A metric is left out of the result
 * when it has no interval: undefined on the data, or on more than half of the resamples,
 * or a measured metric (latency and the like).
 */
export async function bootstrapIntervals(
  p: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, [number, number]>> {
  checkOptions(o);
  const names = resampledMetrics(p, metrics);
  // No rows: no metric is defined (the metrics module gives NaN), so there is nothing to resample.
  if (o.resamples === 0 || names.length === 0 || rowsOf(p) === 0) return {};
  const { resampler, table } = await resample([p], names, o);
  const observed = resampler.observed(false);
  const accelerations = resampler.accelerations();
  const result: Record<string, [number, number]> = {};
  names.forEach((name, column) => {
    const sorted = sortedColumn(table, names.length, column);
    if (!Number.isFinite(observed[column]!) || !enoughDefined(sorted.length, o.resamples)) return;
    result[name] = confidenceInterval(sorted, observed[column]!, accelerations[column]!, o.confidence);
  });
  return result;
}

/** The paired bootstrap's verdict on one metric: candidate − baseline. */
export interface PairedDelta {
  /** The candidate's value minus the baseline's, on all rows. */
  delta: number;
  /** Two-sided interval of the difference at the requested confidence. */
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

async function pairedTable(
  candidate: Predictions,
  baseline: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<{ names: string[]; resampler?: Resampler; table?: Float64Array }> {
  checkOptions(o);
  checkSameRows(candidate, baseline);
  resampledMetrics(baseline, metrics, 'baseline predictions');
  const names = resampledMetrics(candidate, metrics, 'candidate predictions');
  if (o.resamples === 0 || names.length === 0 || rowsOf(candidate) === 0) return { names: [] };
  return { names, ...(await resample([candidate, baseline], names, o)) };
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
  const { names, table } = await pairedTable(candidate, baseline, metrics, o);
  if (table === undefined) return {};
  return Object.fromEntries(
    names.map((name, column) => [name, columnValues(table, o.resamples, names.length, column, 2)]),
  );
}

/**
 * Paired bootstrap of candidate − baseline (see {@link pairedDistributions}), summarised:
 * the point difference, its BCa interval, one-sided BCa bounds at the same confidence, and
 * the share of resamples with no improvement. Metrics undefined for either model on the
 * data, or on more than half of the resamples, are left out.
 */
export async function pairedBootstrap(
  candidate: Predictions,
  baseline: Predictions,
  metrics: readonly string[],
  o: BootstrapOptions,
): Promise<Record<string, PairedDelta>> {
  const { names, resampler, table } = await pairedTable(candidate, baseline, metrics, o);
  if (resampler === undefined || table === undefined) return {};
  const candidatePoint = pointMetrics(candidate);
  const baselinePoint = pointMetrics(baseline);
  const observed = resampler.observed(true);
  const accelerations = resampler.accelerations();
  const result: Record<string, PairedDelta> = {};
  names.forEach((name, column) => {
    const delta = candidatePoint[name]! - baselinePoint[name]!;
    const sorted = sortedColumn(columnValues(table, o.resamples, names.length, column, 2), 1, 0);
    if (
      Number.isNaN(delta) ||
      !Number.isFinite(observed[column]!) ||
      !enoughDefined(sorted.length, o.resamples)
    )
      return;
    const tail = (1 - o.confidence) / 2;
    const [low, high, lower, upper] = adjustedQuantiles(sorted, observed[column]!, accelerations[column]!, [
      tail,
      1 - tail,
      1 - o.confidence,
      o.confidence,
    ]);
    let nonPositive = 0;
    while (nonPositive < sorted.length && sorted[nonPositive]! <= 0) nonPositive++;
    result[name] = {
      delta,
      ci: [low!, high!],
      lower: lower!,
      upper: upper!,
      pNonPositive: nonPositive / sorted.length,
    };
  });
  return result;
}
