/**
 * Every metric of a task in one call, keyed by the names in {@link METRICS}. A value is NaN
 * where scikit-learn raises or the metric is undefined on these rows; the caller leaves such
 * metrics out. With no rows at all every metric is NaN.
 */
import { type BinaryProbabilitySums, binaryProbabilitySums } from './binary-kernel.ts';
import {
  accuracy,
  averagedScores,
  balancedAccuracy,
  classCounts,
  classScores,
  rememberBinaryCounts,
} from './confusion.ts';
import { METRICS, PROBABILITY_METRICS } from './names.ts';
import { brier, logLoss } from './probability.ts';
import { binaryRank, rocAucOvr } from './ranking.ts';
import {
  explainedVariance,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError,
} from './regression.ts';
import { checkRows } from './weights.ts';

/** A classifier's outputs and the true classes. */
export interface ClassificationInput {
  /** True class index per row, 0..numClasses−1. */
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** Hard predicted class index per row. */
  readonly predicted: Int32Array;
  /** Row-major [rows × numClasses] probabilities; absent when only hard labels exist. */
  readonly proba?: Float64Array;
  /** Sample weights; absent means 1 for every row. */
  readonly weights?: Float64Array;
}

/** A regressor's outputs and the true targets. */
export interface RegressionInput {
  readonly target: Float64Array;
  readonly predicted: Float64Array;
  readonly weights?: Float64Array;
}

const POSITIVE_CLASS = 1;

function allNaN(names: readonly string[], withProbabilities: boolean): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of names) {
    if (withProbabilities || !PROBABILITY_METRICS.has(name)) result[name] = Number.NaN;
  }
  return result;
}

/**
 * Binary metrics, positive class 1 (the second in class order). Probability metrics use
 * column 1 of `proba`; they are left out, not NaN, when `proba` is absent.
 */
export function binaryMetrics(input: ClassificationInput): Record<string, number> {
  if (input.numClasses !== 2) {
    throw new RangeError(`binaryMetrics: numClasses is ${input.numClasses}, expected 2`);
  }
  const { labels, predicted, proba, weights } = input;
  // Without weights, the WebAssembly kernel (binary-kernel.ts) gives the counts and the
  // probability metrics at once: the same values, 4× faster on a cold start.
  const fast =
    proba !== undefined && weights === undefined
      ? binaryProbabilitySums(labels, predicted, proba)
      : undefined;
  const counts = fast?.counts ?? classCounts(labels, predicted, 2, weights);
  if (weights === undefined) rememberBinaryCounts(labels, predicted, counts);
  if (labels.length === 0) return allNaN(METRICS.binary, proba !== undefined);
  const positive = classScores(counts, POSITIVE_CLASS);
  const result: Record<string, number> = {
    accuracy: accuracy(counts),
    balanced_accuracy: balancedAccuracy(counts),
    precision: positive.precision,
    recall: positive.recall,
    f1: positive.f1,
  };
  if (proba !== undefined) {
    checkRows('binaryMetrics', labels.length * 2, proba.length, 'proba');
    Object.assign(
      result,
      fast !== undefined
        ? kernelProbabilityMetrics(labels, proba, fast)
        : probabilityMetrics(labels, proba, weights),
    );
  }
  return result;
}

/** roc_auc, average_precision, log_loss and brier of a binary task, in JavaScript. */
function probabilityMetrics(
  labels: Int32Array,
  proba: Float64Array,
  weights: Float64Array | undefined,
): Record<string, number> {
  const { isPositive, positiveProba, finite } = positiveColumn(labels, proba);
  // Both rank metrics come from one ranking: sort once (a third of the metrics' time).
  const rank = finite ? binaryRank(isPositive, positiveProba, weights) : undefined;
  return {
    roc_auc: rank?.rocAuc ?? Number.NaN,
    average_precision: rank?.averagePrecision ?? Number.NaN,
    log_loss: logLoss(labels, proba, 2, weights),
    brier: brier(isPositive, positiveProba, weights),
  };
}

/**
 * The same four metrics from the kernel's sums. Scores it cannot rank with float32 keys
 * (doubles, negative scores) are ranked here.
 */
function kernelProbabilityMetrics(
  labels: Int32Array,
  proba: Float64Array,
  sums: BinaryProbabilitySums,
): Record<string, number> {
  const rows = labels.length;
  let rank = sums.rank;
  if (rank === undefined && sums.positiveFinite) {
    const { isPositive, positiveProba } = positiveColumn(labels, proba);
    rank = binaryRank(isPositive, positiveProba);
  }
  return {
    roc_auc: rank?.rocAuc ?? Number.NaN,
    average_precision: rank?.averagePrecision ?? Number.NaN,
    // logLoss and brier divide by the total weight, here the row count.
    log_loss: sums.logLoss / rows,
    brier: sums.brier / rows,
  };
}

/** Column 1 of `proba` and whether each row is positive, with whether every such probability is finite. */
function positiveColumn(
  labels: Int32Array,
  proba: Float64Array,
): { isPositive: Uint8Array; positiveProba: Float64Array; finite: boolean } {
  const isPositive = new Uint8Array(labels.length);
  const positiveProba = new Float64Array(labels.length);
  let finite = true;
  for (let i = 0; i < labels.length; i++) {
    isPositive[i] = labels[i] === POSITIVE_CLASS ? 1 : 0;
    const p = proba[i * 2 + POSITIVE_CLASS] as number;
    positiveProba[i] = p;
    finite &&= Number.isFinite(p);
  }
  return { isPositive, positiveProba, finite };
}

/**
 * Multiclass metrics. precision/recall/F1 and balanced accuracy use sklearn's label set
 * without `labels=` (see confusion.ts); log_loss uses `labels=range(C)`; roc_auc is
 * one-vs-rest macro and NaN when any class 0..C−1 has no rows (sklearn raises).
 */
export function multiclassMetrics(input: ClassificationInput): Record<string, number> {
  const { labels, predicted, proba, weights, numClasses } = input;
  const counts = classCounts(labels, predicted, numClasses, weights);
  if (labels.length === 0) return allNaN(METRICS.multiclass, proba !== undefined);
  const macro = averagedScores(counts, 'macro');
  const result: Record<string, number> = {
    accuracy: accuracy(counts),
    balanced_accuracy: balancedAccuracy(counts),
    precision_macro: macro.precision,
    recall_macro: macro.recall,
    f1_macro: macro.f1,
    f1_micro: averagedScores(counts, 'micro').f1,
    f1_weighted: averagedScores(counts, 'weighted').f1,
  };
  if (proba !== undefined) {
    result.log_loss = logLoss(labels, proba, numClasses, weights);
    result.roc_auc = rocAucOvr(labels, proba, numClasses, weights);
  }
  return result;
}

/** Regression metrics. */
export function regressionMetrics(input: RegressionInput): Record<string, number> {
  const { target, predicted, weights } = input;
  return {
    mse: meanSquaredError(target, predicted, weights),
    rmse: rootMeanSquaredError(target, predicted, weights),
    mae: meanAbsoluteError(target, predicted, weights),
    r2: r2(target, predicted, weights),
    mape: meanAbsolutePercentageError(target, predicted, weights),
    median_ae: medianAbsoluteError(target, predicted, weights),
    explained_variance: explainedVariance(target, predicted, weights),
  };
}
