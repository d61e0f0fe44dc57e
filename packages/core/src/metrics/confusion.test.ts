import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagedScores,
  balancedAccuracy,
  classCounts,
  classScores,
  confusionMatrix,
  rememberBinaryCounts,
} from './confusion.ts';
import { binaryMetrics } from './task-metrics.ts';

const ints = (values: number[]) => Int32Array.from(values);
const floats = (values: number[]) => Float64Array.from(values);

describe('confusionMatrix', () => {
  it('has a row per true class and a column per predicted class, over every class', () => {
    expect(confusionMatrix(ints([0, 0, 1, 1]), ints([0, 1, 1, 1]), 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [0, 0, 0],
    ]);
  });

  it('sums sample weights into the cells', () => {
    expect(confusionMatrix(ints([0, 0, 1]), ints([0, 0, 0]), 2, floats([2, 0.5, 3]))).toEqual([
      [2.5, 0],
      [3, 0],
    ]);
  });

  it('reads a binary matrix from the counts the metrics made, for the same arrays only', () => {
    const rows = 5000;
    const labels = Int32Array.from({ length: rows }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const predicted = Int32Array.from({ length: rows }, (_, i) => ((i * 5) % 4 === 0 ? 1 : 0));
    const proba = Float64Array.from({ length: rows * 2 }, (_, k) =>
      k % 2 === 1 ? Math.fround(((k >> 1) % 97) / 96) : Math.fround(1 - Math.fround(((k >> 1) % 97) / 96)),
    );
    const counted = confusionMatrix(labels, predicted, 2);
    binaryMetrics({ numClasses: 2, labels, predicted, proba });
    expect(confusionMatrix(labels, predicted, 2)).toEqual(counted);
    // Counts kept for one pair of arrays say nothing of another pair, or of weighted cells.
    const other = predicted.map((p) => 1 - p);
    expect(confusionMatrix(labels, other, 2)).toEqual([
      [counted[0]?.[1], counted[0]?.[0]],
      [counted[1]?.[1], counted[1]?.[0]],
    ]);
    const weights = new Float64Array(rows).fill(2);
    expect(confusionMatrix(labels, predicted, 2, weights)).toEqual(
      counted.map((row) => row.map((n) => 2 * n)),
    );
    // Counts of weighted rows are not kept.
    const two = ints([0, 1]);
    const ones = ints([1, 1]);
    rememberBinaryCounts(two, ones, classCounts(two, ones, 2, floats([3, 1])));
    expect(confusionMatrix(two, ones, 2)).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('rejects a class index outside 0..C−1, which is a bug in the caller', () => {
    expect(() => confusionMatrix(ints([0, 2]), ints([0, 1]), 2)).toThrow(/labels\[1\] is 2, outside 0\.\.1/);
  });
});

describe('accuracy', () => {
  it('is the weighted share of correct rows', () => {
    expect(accuracy(classCounts(ints([0, 1, 1]), ints([0, 0, 1]), 2, floats([1, 2, 1])))).toBe(0.5);
  });

  it('is NaN when every weight is 0, where np.average raises', () => {
    expect(accuracy(classCounts(ints([0, 1]), ints([0, 1]), 2, floats([0, 0])))).toBeNaN();
  });
});

describe('precision, recall and F1', () => {
  it('are 0 where the denominator is 0, like sklearn’s zero_division default', () => {
    const counts = classCounts(ints([0, 1, 1]), ints([0, 0, 0]), 2);
    expect(classScores(counts, 1)).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('give F1 as the harmonic mean of precision and recall', () => {
    // Class 1: 1 true positive, 2 predicted, 3 actual → P = 1/2, R = 1/3, F1 = 2/5.
    const counts = classCounts(ints([1, 1, 1, 0]), ints([1, 0, 0, 1]), 2);
    expect(classScores(counts, 1)).toEqual({
      precision: 0.5,
      recall: 1 / 3,
      f1: (2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3),
    });
  });

  it('macro-average over the classes in the true or predicted labels, not over absent ones', () => {
    // Class 2 occurs nowhere, so it is not averaged in (sklearn without labels=).
    const counts = classCounts(ints([0, 0, 1, 1]), ints([0, 1, 1, 1]), 3);
    const macro = averagedScores(counts, 'macro');
    expect(macro.precision).toBe((1 + 2 / 3) / 2);
    expect(macro.recall).toBe((0.5 + 1) / 2);
  });

  it('macro-average in a class that is only predicted, with recall 0', () => {
    const counts = classCounts(ints([0, 0, 1, 1]), ints([0, 2, 1, 1]), 3);
    expect(averagedScores(counts, 'macro').recall).toBe((0.5 + 1 + 0) / 3);
  });

  it('count a class present only in zero-weight rows in the label set, as sklearn does', () => {
    const counts = classCounts(ints([0, 1, 2]), ints([0, 1, 2]), 3, floats([1, 0, 1]));
    expect(averagedScores(counts, 'macro').precision).toBe(2 / 3);
  });

  it('micro-average to accuracy in single-label multiclass', () => {
    const counts = classCounts(ints([0, 1, 2, 2, 1]), ints([0, 2, 2, 1, 1]), 3, floats([1, 2, 1, 1, 3]));
    expect(averagedScores(counts, 'micro').f1).toBeCloseTo(accuracy(counts), 15);
  });

  it('weight each class by its true weight for the weighted average', () => {
    // F1 per class: class 0 → 1, class 1 → 2/3 (P 1, R 1/2), class 2 → 2/3 (P 1/2, R 1); supports 1, 2, 1.
    const counts = classCounts(ints([0, 1, 1, 2]), ints([0, 1, 2, 2]), 3);
    expect(averagedScores(counts, 'weighted').f1).toBeCloseTo((1 * 1 + (2 / 3) * 2 + (2 / 3) * 1) / 4, 15);
  });
});

describe('balanced accuracy', () => {
  it('is the mean recall over the classes that occur in the true labels', () => {
    // Class 2 is predicted but never true: sklearn drops its 0/0 recall.
    const counts = classCounts(ints([0, 0, 1, 1]), ints([0, 2, 1, 1]), 3);
    expect(balancedAccuracy(counts)).toBe((0.5 + 1) / 2);
  });

  it('drops a class whose true rows all have weight 0', () => {
    const counts = classCounts(ints([0, 1, 1]), ints([0, 0, 0]), 2, floats([1, 0, 0]));
    expect(balancedAccuracy(counts)).toBe(1);
  });
});
