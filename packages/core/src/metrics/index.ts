/**
 * Evaluation metrics, computed exactly as scikit-learn 1.2.1 computes them, with optional
 * sample weights. The per-task functions give every metric at once; the building blocks are
 * exported for the bootstrap, which reuses them as its oracle.
 */
export {
  type Average,
  accuracy,
  averagedScores,
  balancedAccuracy,
  type ClassCounts,
  classCounts,
  classScores,
  confusionMatrix,
  type PrecisionRecallF1,
} from './confusion.ts';
export {
  type Direction,
  MEASURED_METRICS,
  METRICS,
  metricDirection,
  PROBABILITY_METRICS,
  type Task,
} from './names.ts';
export { brier, LOG_LOSS_EPS, logLoss } from './probability.ts';
export {
  averagePrecision,
  averagePrecisionFromGroups,
  type BinaryRank,
  binaryRank,
  groupByScore,
  rankScores,
  rocAuc,
  rocAucFromGroups,
  rocAucOvr,
  rowsSumToOne,
  type ScoreGroups,
  type ScoreRanking,
  sumByGroup,
} from './ranking.ts';
export {
  explainedVariance,
  MAPE_EPSILON,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError,
  weightedLowerMedian,
} from './regression.ts';
export {
  binaryMetrics,
  type ClassificationInput,
  multiclassMetrics,
  type RegressionInput,
  regressionMetrics,
} from './task-metrics.ts';
export { argsortFloat64 } from './weights.ts';
