/**
 * Rank metrics: ROC AUC and average precision, the way scikit-learn 1.2.1 computes them.
 *
 * sklearn's `_binary_clf_curve` sorts by score, collapses tied scores into one threshold and
 * accumulates the positive and negative weight at each distinct threshold. Everything below
 * works on exactly that summary: per distinct score (highest first), the summed weight of
 * positive and of negative rows. The bootstrap reuses it: rank once with {@link rankScores},
 * then {@link sumByGroup} per resample is O(rows) with no further sorting.
 *
 * Zero-weight rows: sklearn drops them before grouping. Here they land in their group with
 * weight 0, which adds a curve point of zero width (ROC) or zero recall step (AP), so the
 * result is the same.
 */
import { allFinite, argsortFloat64, checkProbaRows, checkRows, weightAt } from './weights.ts';

/** Which distinct-score group each row falls in; group 0 holds the highest score. */
export interface ScoreRanking {
  readonly groups: number;
  readonly groupOf: Uint32Array;
}

/** Per distinct score, highest first: the summed weight of positive and of negative rows. */
export interface ScoreGroups {
  readonly positive: Float64Array;
  readonly negative: Float64Array;
}

/** Ranks finite scores into distinct-score groups with one radix argsort. */
export function rankScores(score: Float64Array): ScoreRanking {
  const order = argsortFloat64(score);
  const groupOf = new Uint32Array(score.length);
  let group = -1;
  let previous = Number.NaN;
  for (let k = score.length - 1; k >= 0; k--) {
    const row = order[k] as number;
    const value = score[row] as number;
    if (value !== previous) {
      group++;
      previous = value;
    }
    groupOf[row] = group;
  }
  return { groups: group + 1, groupOf };
}

/** Sums the positive and negative weight of each score group (O(rows), no sorting). */
export function sumByGroup(
  ranking: ScoreRanking,
  isPositive: Uint8Array,
  weights?: Float64Array,
): ScoreGroups {
  const rows = ranking.groupOf.length;
  checkRows('sumByGroup', rows, isPositive.length, 'isPositive');
  if (weights !== undefined) checkRows('sumByGroup', rows, weights.length, 'weights');
  const positive = new Float64Array(ranking.groups);
  const negative = new Float64Array(ranking.groups);
  for (let i = 0; i < rows; i++) {
    const group = ranking.groupOf[i] as number;
    const weight = weightAt(weights, i);
    if (isPositive[i] === 1) positive[group] = (positive[group] as number) + weight;
    else negative[group] = (negative[group] as number) + weight;
  }
  return { positive, negative };
}

/**
 * The same groups as {@link rankScores} then {@link sumByGroup}, in one walk down the sorted
 * order (no row → group table, so about twice as fast for a one-off metric). Scores must be
 * finite.
 */
export function groupByScore(
  isPositive: Uint8Array,
  score: Float64Array,
  weights?: Float64Array,
): ScoreGroups {
  const rows = score.length;
  checkRows('groupByScore', rows, isPositive.length, 'isPositive');
  if (weights !== undefined) checkRows('groupByScore', rows, weights.length, 'weights');
  if (weights === undefined) return countByScore(isPositive, score);
  const order = argsortFloat64(score);
  const positive = new Float64Array(rows);
  const negative = new Float64Array(rows);
  let group = -1;
  let previous = Number.NaN;
  for (let k = rows - 1; k >= 0; k--) {
    const row = order[k] as number;
    const value = score[row] as number;
    if (value !== previous) {
      group++;
      previous = value;
    }
    const weight = weightAt(weights, row);
    if (isPositive[row] === 1) positive[group] = (positive[group] as number) + weight;
    else negative[group] = (negative[group] as number) + weight;
  }
  return { positive: positive.subarray(0, group + 1), negative: negative.subarray(0, group + 1) };
}

/**
 * {@link groupByScore} with every weight 1: the positive and the negative scores are each
 * sorted by the engine's native typed-array sort, then merged from the top, counting the rows
 * of each distinct score. No row order is needed, and a native sort needs no warm-up, where the
 * radix argsort's loops run cold once in a one-shot process (about 3× slower there).
 */
function countByScore(isPositive: Uint8Array, score: Float64Array): ScoreGroups {
  const rows = score.length;
  const keyed = countFloat32Scores(isPositive, score);
  if (keyed !== undefined) return keyed;
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += isPositive[i] as number;
  const up = new Float64Array(positives);
  const down = new Float64Array(rows - positives);
  for (let i = 0, p = 0, n = 0; i < rows; i++) {
    if (isPositive[i] === 1) up[p++] = score[i] as number;
    else down[n++] = score[i] as number;
  }
  up.sort();
  down.sort();
  const positive = new Float64Array(rows);
  const negative = new Float64Array(rows);
  let group = 0;
  // -0 sorts before 0 but equals it, so both land in one group, as in sklearn.
  for (let p = up.length - 1, n = down.length - 1; p >= 0 || n >= 0; group++) {
    const top =
      p < 0 ? (down[n] as number) : n < 0 ? (up[p] as number) : Math.max(up[p] as number, down[n] as number);
    let count = 0;
    while (p >= 0 && up[p] === top) {
      count++;
      p--;
    }
    positive[group] = count;
    count = 0;
    while (n >= 0 && down[n] === top) {
      count++;
      n--;
    }
    negative[group] = count;
  }
  return { positive: positive.subarray(0, group), negative: negative.subarray(0, group) };
}

/**
 * {@link countByScore} for the usual scores, a float32 model's probabilities: see
 * {@link sortedFloat32Keys}. One walk from the top counts each distinct score's rows.
 * Undefined for any other scores.
 */
function countFloat32Scores(isPositive: Uint8Array, score: Float64Array): ScoreGroups | undefined {
  const sorted = sortedFloat32Keys(isPositive, score);
  if (sorted === undefined) return undefined;
  const { keys } = sorted;
  const rows = keys.length;
  const positive = new Float64Array(rows);
  const negative = new Float64Array(rows);
  let group = -1;
  let previous = -1;
  for (let k = rows - 1; k >= 0; k--) {
    const key = keys[k] as number;
    if (key >>> 1 !== previous) {
      group++;
      previous = key >>> 1;
    }
    if ((key & 1) === 1) positive[group] = (positive[group] as number) + 1;
    else negative[group] = (negative[group] as number) + 1;
  }
  return { positive: positive.subarray(0, group + 1), negative: negative.subarray(0, group + 1) };
}

/**
 * For non-negative scores that are exact in float32 (a float32 model's probabilities), a
 * score's float32 bits order like the score, and one more bit holds the class: one native sort
 * of these 32-bit keys (twice as fast as sorting doubles) ranks the rows. Undefined for any
 * other scores. Also counts the positive rows, which average precision needs before its walk.
 */
function sortedFloat32Keys(
  isPositive: Uint8Array,
  score: Float64Array,
): { keys: Uint32Array; positives: number } | undefined {
  const rows = score.length;
  const narrow = new Float32Array(score);
  const bits = new Uint32Array(narrow.buffer);
  const keys = new Uint32Array(rows);
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const value = score[i] as number;
    if (!(value >= 0) || narrow[i] !== value) return undefined;
    const positive = isPositive[i] as number;
    positives += positive;
    // The shift drops the sign bit, so -0 gets 0's key: the same score, as in sklearn.
    keys[i] = (((bits[i] as number) << 1) | positive) >>> 0;
  }
  keys.sort();
  return { keys, positives };
}

/** ROC AUC and average precision of one binary score. */
export interface BinaryRank {
  readonly rocAuc: number;
  readonly averagePrecision: number;
}

/**
 * {@link rocAucFromGroups} and {@link averagePrecisionFromGroups} of the same groups, from one
 * ranking. Scores must be finite. Unweighted float32 probabilities (the usual case) take one
 * walk down their sorted keys that closes each score group as it ends, with the same arithmetic
 * in the same order as the two walks over groups, so the values are identical to the last bit;
 * it saves the group arrays and two of the three passes.
 */
export function binaryRank(isPositive: Uint8Array, score: Float64Array, weights?: Float64Array): BinaryRank {
  checkRows('binaryRank', score.length, isPositive.length, 'isPositive');
  const sorted = weights === undefined ? sortedFloat32Keys(isPositive, score) : undefined;
  if (sorted === undefined) {
    const groups = groupByScore(isPositive, score, weights);
    return { rocAuc: rocAucFromGroups(groups), averagePrecision: averagePrecisionFromGroups(groups) };
  }
  const { keys, positives } = sorted;
  const rows = keys.length;
  if (rows === 0) return { rocAuc: Number.NaN, averagePrecision: Number.NaN };
  let truePositives = 0;
  let falsePositives = 0;
  let doubledArea = 0;
  let previousRecall = 0;
  let sum = 0;
  let groupPositives = 0;
  let groupNegatives = 0;
  let previous = (keys[rows - 1] as number) >>> 1;
  // k = -1 only closes the last group.
  for (let k = rows - 1; ; k--) {
    const key = k >= 0 ? (keys[k] as number) : -1;
    if (k < 0 || key >>> 1 !== previous) {
      const previousTruePositives = truePositives;
      truePositives += groupPositives;
      falsePositives += groupNegatives;
      doubledArea += groupNegatives * (previousTruePositives + truePositives);
      const predictedPositive = truePositives + falsePositives;
      const precision = predictedPositive !== 0 ? truePositives / predictedPositive : 0;
      const recall = positives > 0 ? truePositives / positives : 1;
      sum += (recall - previousRecall) * precision;
      previousRecall = recall;
      if (k < 0) break;
      previous = key >>> 1;
      groupPositives = 0;
      groupNegatives = 0;
    }
    if ((key & 1) === 1) groupPositives++;
    else groupNegatives++;
  }
  return {
    rocAuc:
      truePositives > 0 && falsePositives > 0
        ? doubledArea / (2 * truePositives * falsePositives)
        : Number.NaN,
    averagePrecision: sum,
  };
}

/**
 * ROC AUC from score groups: the trapezoid rule over the ROC curve's distinct thresholds, so
 * a positive and a negative with the same score count as half a correctly ordered pair.
 * The trapezoids are accumulated in weight units and normalised once at the end, which for
 * integer weights is exact until that final division (sklearn normalises first; the two agree
 * to a few ulps). NaN when either class has zero total weight: sklearn raises
 * ("Only one class present in y_true") or returns NaN for that.
 */
export function rocAucFromGroups(groups: ScoreGroups): number {
  let truePositives = 0;
  let falsePositives = 0;
  let doubledArea = 0;
  for (let g = 0; g < groups.positive.length; g++) {
    const previousTruePositives = truePositives;
    const negative = groups.negative[g] as number;
    truePositives += groups.positive[g] as number;
    falsePositives += negative;
    doubledArea += negative * (previousTruePositives + truePositives);
  }
  if (!(truePositives > 0 && falsePositives > 0)) return Number.NaN;
  return doubledArea / (2 * truePositives * falsePositives);
}

/**
 * Average precision from score groups: sklearn's step sum Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct
 * thresholds, with no interpolation. As in sklearn, no positive weight makes recall 1 at
 * every threshold, which gives 0 (sklearn warns and returns 0); no weight at all is NaN
 * (sklearn fails on the empty curve).
 */
export function averagePrecisionFromGroups(groups: ScoreGroups): number {
  let positives = 0;
  let all = 0;
  for (let g = 0; g < groups.positive.length; g++) {
    positives += groups.positive[g] as number;
    all += (groups.positive[g] as number) + (groups.negative[g] as number);
  }
  if (all === 0) return Number.NaN;
  let truePositives = 0;
  let falsePositives = 0;
  let previousRecall = 0;
  let sum = 0;
  for (let g = 0; g < groups.positive.length; g++) {
    truePositives += groups.positive[g] as number;
    falsePositives += groups.negative[g] as number;
    const predictedPositive = truePositives + falsePositives;
    // sklearn sets precision to 0 where nothing is predicted positive yet.
    const precision = predictedPositive !== 0 ? truePositives / predictedPositive : 0;
    const recall = positives > 0 ? truePositives / positives : 1;
    sum += (recall - previousRecall) * precision;
    previousRecall = recall;
  }
  return sum;
}

/** Binary ROC AUC (`roc_auc_score`). `isPositive[i]` is 1 for the positive class. NaN for non-finite scores. */
export function rocAuc(isPositive: Uint8Array, score: Float64Array, weights?: Float64Array): number {
  if (!allFinite(score)) return Number.NaN;
  return rocAucFromGroups(groupByScore(isPositive, score, weights));
}

/** Binary average precision (`average_precision_score`). NaN for non-finite scores. */
export function averagePrecision(
  isPositive: Uint8Array,
  score: Float64Array,
  weights?: Float64Array,
): number {
  if (!allFinite(score)) return Number.NaN;
  return averagePrecisionFromGroups(groupByScore(isPositive, score, weights));
}

/**
 * True when every row of a row-major [rows × numClasses] matrix sums to 1 the way
 * `np.allclose(1, y_score.sum(axis=1))` judges it (rtol 1e-5, atol 1e-8, relative to the sum).
 * sklearn refuses multiclass ROC AUC on anything else.
 */
export function rowsSumToOne(proba: Float64Array, numClasses: number): boolean {
  for (let offset = 0; offset < proba.length; offset += numClasses) {
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += proba[offset + c] as number;
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) return false;
  }
  return true;
}

/**
 * Multiclass ROC AUC, one-vs-rest, macro average (`roc_auc_score(multi_class='ovr',
 * average='macro', labels=range(C))`): the unweighted mean of C binary AUCs, one sort of a
 * Float64Array column per class.
 *
 * NaN where sklearn raises: a class in 0..C−1 with no (weighted) rows in the labels, every row
 * in one class, rows of `proba` that do not sum to 1, or non-finite probabilities.
 */
export function rocAucOvr(
  labels: Int32Array,
  proba: Float64Array,
  numClasses: number,
  weights?: Float64Array,
): number {
  const rows = labels.length;
  checkProbaRows('rocAucOvr', rows, numClasses, proba, weights);
  if (rows === 0 || !allFinite(proba) || !rowsSumToOne(proba, numClasses)) return Number.NaN;
  const column = new Float64Array(rows);
  const isPositive = new Uint8Array(rows);
  let sum = 0;
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < rows; i++) {
      column[i] = proba[i * numClasses + c] as number;
      isPositive[i] = labels[i] === c ? 1 : 0;
    }
    const auc = rocAucFromGroups(groupByScore(isPositive, column, weights));
    if (Number.isNaN(auc)) return Number.NaN;
    sum += auc;
  }
  return sum / numClasses;
}
