/**
 * Label metrics (accuracy, balanced accuracy, precision, recall, F1 and their averages)
 * resampled over confusion-table cells instead of rows.
 *
 * These metrics depend on the rows only through the table of (true class, predicted class)
 * counts. A bootstrap resample of n rows puts Multinomial(n, observed cell shares) rows in
 * the cells, so drawing those counts directly (conditional binomials, O(cells)) is the
 * ordinary nonparametric bootstrap, exactly, at no cost per row.
 *
 * For a paired comparison the table's key is (true class, candidate's prediction,
 * baseline's prediction): one draw of it is one resample of rows that both models see.
 *
 * The metric values come from the metrics module's own functions on counts built from the
 * cells, so a resample's value is the oracle's value for that resample by construction.
 * A class takes part in a resample's macro averages when the resample holds a row of it
 * (as true or predicted class): the resample is a data set of its own, and sklearn run on
 * those rows would see exactly those classes.
 */
import {
  accuracy,
  averagedScores,
  balancedAccuracy,
  type ClassCounts,
  classScores,
} from '../metrics/index.ts';
import { multinomial } from './binomial.ts';
import { acceleration } from './influence.ts';
import type { Xoshiro128 } from './rng.ts';

/** The label metrics of each classification task, and how each reads a {@link ClassCounts}. */
const LABEL_METRICS: Readonly<
  Record<'binary' | 'multiclass', Readonly<Record<string, (c: ClassCounts) => number>>>
> = {
  binary: {
    accuracy,
    balanced_accuracy: balancedAccuracy,
    precision: (c) => classScores(c, POSITIVE_CLASS).precision,
    recall: (c) => classScores(c, POSITIVE_CLASS).recall,
    f1: (c) => classScores(c, POSITIVE_CLASS).f1,
  },
  multiclass: {
    accuracy,
    balanced_accuracy: balancedAccuracy,
    precision_macro: (c) => averagedScores(c, 'macro').precision,
    recall_macro: (c) => averagedScores(c, 'macro').recall,
    f1_macro: (c) => averagedScores(c, 'macro').f1,
    f1_micro: (c) => averagedScores(c, 'micro').f1,
    f1_weighted: (c) => averagedScores(c, 'weighted').f1,
  },
};

/** CONTRACT.md: the positive class of a binary task is class 1. */
const POSITIVE_CLASS = 1;

/** True when `name` is a label metric of `task` (one that a confusion table determines). */
export function isLabelMetric(task: 'binary' | 'multiclass', name: string): boolean {
  return Object.hasOwn(LABEL_METRICS[task], name);
}

/** The value of label metric `name` on `counts`. */
export function labelMetric(task: 'binary' | 'multiclass', name: string, counts: ClassCounts): number {
  const metric = LABEL_METRICS[task][name];
  if (metric === undefined) throw new Error(`${name} is not a label metric of ${task} tasks`);
  return metric(counts);
}

/**
 * The non-empty cells of a table keyed by the true class and one or more models' predicted
 * classes, in a fixed order (by key), with their row counts.
 */
export class CellTable {
  readonly numClasses: number;
  readonly rows: number;
  /** The true class of each cell. */
  readonly truth: Int32Array;
  /** `predicted[m][j]`: model m's prediction in cell j. */
  readonly predicted: readonly Int32Array[];
  /** Rows in each cell. */
  readonly counts: Float64Array;

  /** Tabulates the rows; every model's predictions must cover the same rows as `labels`. */
  constructor(labels: Int32Array, predictions: readonly Int32Array[], numClasses: number) {
    const rows = labels.length;
    const byKey = new Map<number, number>();
    for (let i = 0; i < rows; i++) {
      let key = labels[i]!;
      for (const predicted of predictions) key = key * numClasses + predicted[i]!;
      byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
    const keys = [...byKey.keys()].sort((a, b) => a - b);
    this.numClasses = numClasses;
    this.rows = rows;
    this.counts = Float64Array.from(keys, (key) => byKey.get(key)!);
    const predicted = predictions.map(() => new Int32Array(keys.length));
    this.truth = new Int32Array(keys.length);
    keys.forEach((key, j) => {
      for (let m = predictions.length - 1; m >= 0; m--) {
        predicted[m]![j] = key % numClasses;
        key = Math.floor(key / numClasses);
      }
      this.truth[j] = key;
    });
    this.predicted = predicted;
  }

  /** One bootstrap resample: `out[j]` receives the rows drawn into cell j. */
  draw(rng: Xoshiro128, out: Float64Array): void {
    multinomial(rng, this.rows, this.counts, out);
  }

  /** Model m's class counts when cell j holds `cellCounts[j]` rows. */
  classCounts(model: number, cellCounts: Float64Array): ClassCounts {
    const numClasses = this.numClasses;
    const truePositive = new Float64Array(numClasses);
    const predictedSum = new Float64Array(numClasses);
    const actual = new Float64Array(numClasses);
    const present = new Uint8Array(numClasses);
    const predictedOf = this.predicted[model]!;
    let correct = 0;
    let total = 0;
    for (let j = 0; j < cellCounts.length; j++) {
      const count = cellCounts[j]!;
      if (count === 0) continue;
      const truth = this.truth[j]!;
      const guess = predictedOf[j]!;
      actual[truth] = actual[truth]! + count;
      predictedSum[guess] = predictedSum[guess]! + count;
      present[truth] = 1;
      present[guess] = 1;
      if (truth === guess) {
        truePositive[truth] = truePositive[truth]! + count;
        correct += count;
      }
      total += count;
    }
    return { numClasses, truePositive, predicted: predictedSum, actual, present, correct, total };
  }

  /**
   * BCa's acceleration of label metric `name` from the exact jackknife: the metric with one
   * row of cell j left out, for every cell, weighted by the cell's rows. With two models, of
   * the candidate − baseline difference.
   */
  jackknifeAcceleration(task: 'binary' | 'multiclass', name: string): number {
    const rows = this.rows;
    const cells = this.counts.length;
    if (rows < 2) return 0;
    const leftOut = Float64Array.from(this.counts);
    const values = new Float64Array(cells);
    let mean = 0;
    for (let j = 0; j < cells; j++) {
      leftOut[j] = leftOut[j]! - 1;
      let value = labelMetric(task, name, this.classCounts(0, leftOut));
      if (this.predicted.length > 1) value -= labelMetric(task, name, this.classCounts(1, leftOut));
      leftOut[j] = leftOut[j]! + 1;
      values[j] = value;
      mean += (this.counts[j]! * value) / rows;
    }
    // Jackknife influences (n − 1)·(mean − θ₍₋ⱼ₎); a leave-one-out value that is undefined
    // (NaN) makes the acceleration NaN, and the interval falls back to the percentile one.
    const influence = values.map((value) => (rows - 1) * (mean - value));
    return acceleration(influence, this.counts);
  }
}
