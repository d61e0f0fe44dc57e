/**
 * Metrics that depend only on true and predicted class labels: the confusion matrix and
 * what scikit-learn 1.2.1 derives from it (accuracy, balanced accuracy, precision, recall, F1).
 *
 * Everything goes through {@link ClassCounts}, per-class weighted sums that are also the
 * sufficient statistics the bootstrap resamples.
 *
 * Decisions, each as sklearn makes them:
 * - zero_division: a precision or recall with a zero denominator is 0, which is what the
 *   default `zero_division='warn'` returns (after warning).
 * - The label set for precision/recall/F1 is the one sklearn uses when called *without*
 *   `labels=`: the classes that occur in the true or the predicted labels of any row, whatever
 *   its weight. A class in 0..C−1 that occurs in neither is not averaged in; a class that is
 *   only ever predicted is, with recall 0.
 * - Balanced accuracy averages the per-class recall over the classes whose confusion-matrix
 *   row has non-zero weight, because sklearn drops the NaN of 0/0 rows (a class absent from
 *   the true labels, or present only in zero-weight rows).
 */
import { checkRows, weightAt } from './weights.ts';

/** Per-class weighted sums over the rows, the input of every label-based metric. */
export interface ClassCounts {
  readonly numClasses: number;
  /** Weight of the rows whose true and predicted class are both c. */
  readonly truePositive: Float64Array;
  /** Weight of the rows predicted as c. */
  readonly predicted: Float64Array;
  /** Weight of the rows whose true class is c. */
  readonly actual: Float64Array;
  /** 1 where c is the true or the predicted class of at least one row, whatever its weight. */
  readonly present: Uint8Array;
  /** Weight of the correctly predicted rows, summed in row order. */
  readonly correct: number;
  /** Weight of all rows, summed in row order. */
  readonly total: number;
}

/**
 * The unweighted counts of a binary task already made (by the metrics), by the labels array: class
 * indices are not changed once built, so the counts stay right for the same pair of arrays. The
 * record's confusion matrix is read from them rather than counted again (2 ms of a cold loop on
 * 200k rows).
 */
const binaryCountsOf = new WeakMap<Int32Array, { predicted: Int32Array; counts: ClassCounts }>();

/** Keeps the unweighted binary `counts` of `labels` and `predicted` for {@link confusionMatrix}. */
export function rememberBinaryCounts(labels: Int32Array, predicted: Int32Array, counts: ClassCounts): void {
  if (counts.numClasses === 2 && counts.total === labels.length)
    binaryCountsOf.set(labels, { predicted, counts });
}

/** The error for a class index outside 0..C−1: a bug in the caller, so a plain RangeError. */
function outOfRange(what: string, label: string, i: number, value: number, numClasses: number): RangeError {
  return new RangeError(`${what}: ${label}[${i}] is ${value}, outside 0..${numClasses - 1}`);
}

/** Counts true positives, predictions and actuals per class in one pass over the rows. */
export function classCounts(
  labels: Int32Array,
  predicted: Int32Array,
  numClasses: number,
  weights?: Float64Array,
): ClassCounts {
  const rows = labels.length;
  checkRows('classCounts', rows, predicted.length, 'predicted');
  if (weights !== undefined) checkRows('classCounts', rows, weights.length, 'weights');
  const truePositive = new Float64Array(numClasses);
  const predictedSum = new Float64Array(numClasses);
  const actual = new Float64Array(numClasses);
  const present = new Uint8Array(numClasses);
  let correct = 0;
  let total = 0;
  // The range checks sit in the counting pass: one pass over the rows instead of three.
  for (let i = 0; i < rows; i++) {
    const truth = labels[i] as number;
    const guess = predicted[i] as number;
    if (!(truth >= 0 && truth < numClasses)) throw outOfRange('classCounts', 'labels', i, truth, numClasses);
    if (!(guess >= 0 && guess < numClasses))
      throw outOfRange('classCounts', 'predicted', i, guess, numClasses);
    const weight = weightAt(weights, i);
    actual[truth] = (actual[truth] as number) + weight;
    predictedSum[guess] = (predictedSum[guess] as number) + weight;
    present[truth] = 1;
    present[guess] = 1;
    if (truth === guess) {
      truePositive[truth] = (truePositive[truth] as number) + weight;
      correct += weight;
    }
    total += weight;
  }
  return { numClasses, truePositive, predicted: predictedSum, actual, present, correct, total };
}

/**
 * The C×C confusion matrix (rows: true class, columns: predicted class) with weighted cells,
 * over every class 0..C−1, as `confusion_matrix(labels=range(C), sample_weight=w)`.
 */
export function confusionMatrix(
  labels: Int32Array,
  predicted: Int32Array,
  numClasses: number,
  weights?: Float64Array,
): number[][] {
  checkRows('confusionMatrix', labels.length, predicted.length, 'predicted');
  if (weights !== undefined) checkRows('confusionMatrix', labels.length, weights.length, 'weights');
  const known = weights === undefined && numClasses === 2 ? binaryCountsOf.get(labels) : undefined;
  if (known !== undefined && known.predicted === predicted) {
    // Rows: true class; the off-diagonal cells are each class's rows less its true positives.
    const { truePositive, actual } = known.counts;
    const n00 = truePositive[0] as number;
    const n11 = truePositive[1] as number;
    const actual0 = actual[0] as number;
    const actual1 = actual[1] as number;
    return [
      [n00, actual0 - n00],
      [actual1 - n11, n11],
    ];
  }
  const cells = new Float64Array(numClasses * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const truth = labels[i] as number;
    const guess = predicted[i] as number;
    if (!(truth >= 0 && truth < numClasses))
      throw outOfRange('confusionMatrix', 'labels', i, truth, numClasses);
    if (!(guess >= 0 && guess < numClasses))
      throw outOfRange('confusionMatrix', 'predicted', i, guess, numClasses);
    const cell = truth * numClasses + guess;
    cells[cell] = (cells[cell] as number) + weightAt(weights, i);
  }
  return Array.from({ length: numClasses }, (_, row) =>
    Array.from(cells.subarray(row * numClasses, (row + 1) * numClasses)),
  );
}

/** Weighted accuracy; NaN when the total weight is 0 (`np.average` raises there). */
export function accuracy(counts: ClassCounts): number {
  return counts.total === 0 ? Number.NaN : counts.correct / counts.total;
}

/**
 * Balanced accuracy: the mean recall over the classes with weight in the true labels.
 * NaN when there are none (the mean of nothing).
 */
export function balancedAccuracy(counts: ClassCounts): number {
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < counts.numClasses; c++) {
    if (counts.present[c] !== 1) continue;
    const recall = (counts.truePositive[c] as number) / (counts.actual[c] as number);
    if (Number.isNaN(recall)) continue;
    sum += recall;
    classes++;
  }
  return classes === 0 ? Number.NaN : sum / classes;
}

/** Precision, recall and F1 of one class or one average. */
export interface PrecisionRecallF1 {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** numerator / denominator, or 0 where the denominator is 0 (sklearn's zero_division default). */
function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** F1 written as sklearn's fbeta with β = 1, operation for operation, so results match bitwise. */
function fScore(precision: number, recall: number): number {
  const denominator = precision + recall;
  return (2 * precision * recall) / (denominator === 0 ? 1 : denominator);
}

function scoresOf(truePositive: number, predicted: number, actual: number): PrecisionRecallF1 {
  const precision = divide(truePositive, predicted);
  const recall = divide(truePositive, actual);
  return { precision, recall, f1: fScore(precision, recall) };
}

/** Precision, recall and F1 of one class taken as positive (sklearn's `average='binary'`). */
export function classScores(counts: ClassCounts, positiveClass: number): PrecisionRecallF1 {
  return scoresOf(
    counts.truePositive[positiveClass] as number,
    counts.predicted[positiveClass] as number,
    counts.actual[positiveClass] as number,
  );
}

/** How per-class scores are combined, as sklearn's `average=`. */
export type Average = 'macro' | 'micro' | 'weighted';

/**
 * Precision, recall and F1 averaged over the label set (the classes present in the true or
 * predicted labels). NaN when the label set is empty (no rows).
 */
export function averagedScores(counts: ClassCounts, average: Average): PrecisionRecallF1 {
  const classes: number[] = [];
  for (let c = 0; c < counts.numClasses; c++) if (counts.present[c] === 1) classes.push(c);
  if (classes.length === 0) return { precision: Number.NaN, recall: Number.NaN, f1: Number.NaN };

  if (average === 'micro') {
    let truePositive = 0;
    let predicted = 0;
    let actual = 0;
    for (const c of classes) {
      truePositive += counts.truePositive[c] as number;
      predicted += counts.predicted[c] as number;
      actual += counts.actual[c] as number;
    }
    return scoresOf(truePositive, predicted, actual);
  }

  const perClass = classes.map((c) => classScores(counts, c));
  if (average === 'macro') {
    const mean = (pick: (s: PrecisionRecallF1) => number) =>
      perClass.reduce((sum, s) => sum + pick(s), 0) / perClass.length;
    return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
  }

  // 'weighted': weighted by each class's true weight (its support). With no support at all,
  // sklearn returns 0 for all three under zero_division='warn'.
  const support = classes.map((c) => counts.actual[c] as number);
  const supportSum = support.reduce((sum, s) => sum + s, 0);
  if (supportSum === 0) return { precision: 0, recall: 0, f1: 0 };
  const weightedMean = (pick: (s: PrecisionRecallF1) => number) =>
    perClass.reduce((sum, s, k) => sum + pick(s) * (support[k] as number), 0) / supportSum;
  return {
    precision: weightedMean((s) => s.precision),
    recall: weightedMean((s) => s.recall),
    f1: weightedMean((s) => s.f1),
  };
}
