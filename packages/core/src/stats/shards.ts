/**
 * Mergeable shard statistics: what a record of one shard of a data set carries so that the
 * shards of a large evaluation (a GitHub Actions matrix) merge into the metrics of the whole
 * data set, without the rows.
 *
 * `modelgate/shard-stats@1` is plain JSON. Each part merges in the way that keeps it exact:
 * - the confusion matrix, by adding counts (integers: exact);
 * - ROC AUC and average precision need every (score, label) pair, so the labels and scores
 *   travel as little-endian base64 arrays and merge by concatenation; metrics then run on
 *   the concatenation, which gives bitwise the full data's values;
 * - log loss and Brier, by adding per-row sums;
 * - regression: counts, means and centred sums of squares of the target and the error (Chan
 *   et al.'s pairwise update, stable where Σy² − (Σy)²/n is not), sums of squared, absolute
 *   and percentage errors, and the absolute errors themselves for the median.
 *
 * Sums merge exactly in arithmetic; in floating point they differ from one pass over all
 * rows by rounding in the last bits (about 1e-15 relative), which is why the tests compare
 * them to 1e-12.
 */
import { InputError } from '../kernel/errors.ts';
import {
  accuracy,
  averagedScores,
  averagePrecision,
  balancedAccuracy,
  type ClassCounts,
  classScores,
  LOG_LOSS_EPS,
  MAPE_EPSILON,
  METRICS,
  rocAuc,
  rocAucOvr,
  type Task,
} from '../metrics/index.ts';
import type { Predictions } from './predictions.ts';

export const SHARD_SCHEMA = 'modelgate/shard-stats@1';

/** A typed array as JSON: little-endian bytes in base64. */
export interface EncodedArray {
  dtype: 'uint8' | 'int32' | 'float32' | 'float64';
  length: number;
  base64: string;
}

/** Count, mean and centred sum of squares of a set of values. */
export interface Moments {
  count: number;
  mean: number;
  /** Σ(x − mean)². */
  m2: number;
}

export interface ClassificationShard {
  schema: typeof SHARD_SCHEMA;
  task: 'binary' | 'multiclass';
  rows: number;
  numClasses: number;
  /** confusion[t][p]: rows of true class t predicted as p. */
  confusion: number[][];
  /** Present when the model gave probabilities. */
  probability?: {
    /** Σ −log p(true class), clipped and renormalised as for log_loss; null if undefined. */
    log_loss_sum: number | null;
    /** Binary only: Σ (y − p)² of the positive-class probability; null if undefined. */
    brier_sum?: number | null;
    /** True class per row. */
    labels: EncodedArray;
    /** Binary: the positive-class probability per row; multiclass: row-major [rows × classes]. */
    scores: EncodedArray;
  };
}

export interface RegressionShard {
  schema: typeof SHARD_SCHEMA;
  task: 'regression';
  rows: number;
  /** Null when a target or prediction is not finite (every metric is then undefined). */
  sums: {
    target: Moments;
    /** Of the error y − ŷ. */
    error: Moments;
    squared_error: number;
    absolute_error: number;
    /** Σ |y − ŷ| / max(|y|, ε). */
    percentage_error: number;
  } | null;
  /** |y − ŷ| per row, for the median. */
  absolute_errors: EncodedArray;
}

export type ShardStats = ClassificationShard | RegressionShard;

// --- arrays as base64 -------------------------------------------------------------------

type Numeric = Uint8Array | Int32Array | Float32Array | Float64Array;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(array: Numeric): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (LITTLE_ENDIAN || array.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const size = array.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) swapped[i + j] = bytes[i + size - 1 - j]!;
  }
  return swapped;
}

/**
 * A typed array as JSON. Float64 values that are all float32 numbers (a float32 model's
 * outputs) are stored as float32, which is lossless for them and half the size.
 */
export function encodeArray(array: Numeric): EncodedArray {
  let stored: Numeric = array;
  if (array instanceof Float64Array && array.every((v) => Math.fround(v) === v || Number.isNaN(v))) {
    stored = Float32Array.from(array);
  }
  const dtype =
    stored instanceof Uint8Array
      ? 'uint8'
      : stored instanceof Int32Array
        ? 'int32'
        : stored instanceof Float32Array
          ? 'float32'
          : 'float64';
  return { dtype, length: stored.length, base64: Buffer.from(littleEndianBytes(stored)).toString('base64') };
}

type ArrayKind = { new (buffer: ArrayBuffer): Numeric; readonly BYTES_PER_ELEMENT: number };
const ARRAY_KINDS: Readonly<Record<EncodedArray['dtype'], ArrayKind>> = {
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** The typed array an {@link EncodedArray} holds; `where` names it in errors. */
export function decodeArray(encoded: EncodedArray, where: string): Numeric {
  const Kind = Object.hasOwn(ARRAY_KINDS, encoded?.dtype) ? ARRAY_KINDS[encoded.dtype] : undefined;
  if (Kind === undefined || !Number.isSafeInteger(encoded.length) || typeof encoded.base64 !== 'string') {
    throw new InputError(`${where} is not an encoded array (expected {dtype, length, base64})`);
  }
  const bytes = Buffer.from(encoded.base64, 'base64');
  if (bytes.length !== encoded.length * Kind.BYTES_PER_ELEMENT) {
    throw new InputError(
      `${where} holds ${bytes.length} bytes, but ${encoded.length} ${encoded.dtype} values need ${encoded.length * Kind.BYTES_PER_ELEMENT}`,
    );
  }
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const array = new Kind(aligned.buffer);
  return LITTLE_ENDIAN ? array : new Kind(littleEndianBytes(array).buffer as ArrayBuffer);
}

function concatenate(arrays: Numeric[]): Numeric {
  const first = arrays[0]!;
  // Mixed float widths (one shard lossless in float32, another not) widen to float64.
  const Kind =
    arrays.every((a) => a.constructor === first.constructor) ||
    !(first instanceof Float32Array || first instanceof Float64Array)
      ? (first.constructor as new (
          n: number,
        ) => Numeric)
      : Float64Array;
  const out = new Kind(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a as never, at);
    at += a.length;
  }
  return out;
}

// --- building a shard's statistics ----------------------------------------------------------

function nullIfNaN(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function moments(values: Float64Array): Moments {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = values.length > 0 ? sum / values.length : 0;
  let m2 = 0;
  for (const v of values) m2 += (v - mean) * (v - mean);
  return { count: values.length, mean, m2 };
}

/** The mergeable statistics of one shard's predictions. */
export function shardStats(p: Predictions): ShardStats {
  if (p.task === 'regression') {
    const rows = p.target.length;
    const error = new Float64Array(rows);
    const absolute = new Float64Array(rows);
    let squared = 0;
    let absoluteSum = 0;
    let percentage = 0;
    for (let i = 0; i < rows; i++) {
      const y = p.target[i]!;
      error[i] = y - p.predicted[i]!;
      absolute[i] = Math.abs(p.predicted[i]! - y);
      squared += error[i]! * error[i]!;
      absoluteSum += absolute[i]!;
      percentage += absolute[i]! / Math.max(Math.abs(y), MAPE_EPSILON);
    }
    const finite = p.target.every(Number.isFinite) && p.predicted.every(Number.isFinite);
    return {
      schema: SHARD_SCHEMA,
      task: 'regression',
      rows,
      sums: finite
        ? {
            target: moments(p.target),
            error: moments(error),
            squared_error: squared,
            absolute_error: absoluteSum,
            percentage_error: percentage,
          }
        : null,
      absolute_errors: encodeArray(absolute),
    };
  }
  const { labels, predicted, numClasses, proba } = p;
  const rows = labels.length;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < rows; i++) confusion[labels[i]!]![predicted[i]!]! += 1;
  const shard: ClassificationShard = { schema: SHARD_SCHEMA, task: p.task, rows, numClasses, confusion };
  if (proba !== undefined) {
    const high = 1 - LOG_LOSS_EPS;
    let logLoss = 0;
    let brier = 0;
    const positive = p.task === 'binary' ? new Float64Array(rows) : undefined;
    for (let i = 0; i < rows; i++) {
      const offset = i * numClasses;
      let rowSum = 0;
      for (let c = 0; c < numClasses; c++)
        rowSum += Math.min(Math.max(proba[offset + c]!, LOG_LOSS_EPS), high);
      logLoss += -Math.log(Math.min(Math.max(proba[offset + labels[i]!]!, LOG_LOSS_EPS), high) / rowSum);
      if (positive !== undefined) {
        positive[i] = proba[offset + 1]!;
        const e = (labels[i] === 1 ? 1 : 0) - positive[i]!;
        brier += e * e;
      }
    }
    const probabilities = positive === undefined || positive.every((v) => v >= 0 && v <= 1);
    shard.probability = {
      log_loss_sum: nullIfNaN(logLoss),
      ...(positive === undefined ? {} : { brier_sum: probabilities ? nullIfNaN(brier) : null }),
      labels: encodeArray(numClasses <= 256 ? Uint8Array.from(labels) : labels),
      scores: encodeArray(positive ?? proba),
    };
  }
  return shard;
}

// --- merging ----------------------------------------------------------------------------

function mergeMoments(a: Moments, b: Moments): Moments {
  const count = a.count + b.count;
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

function addOrNull(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a + b;
}

/** Checks a parsed `modelgate/shard-stats@1` document; `source` names it in errors. */
export function checkShardStats(value: unknown, source: string): ShardStats {
  const shard = value as Partial<ShardStats> | null;
  if (shard === null || typeof shard !== 'object' || shard.schema !== SHARD_SCHEMA) {
    throw new InputError(`${source} is not shard statistics (expected "schema": "${SHARD_SCHEMA}")`);
  }
  if (!(shard.task === 'binary' || shard.task === 'multiclass' || shard.task === 'regression')) {
    throw new InputError(`${source}: unknown task ${JSON.stringify(shard.task)}`);
  }
  if (!Number.isSafeInteger(shard.rows) || (shard.rows as number) < 0) {
    throw new InputError(`${source}: "rows" must be a whole number`);
  }
  if (shard.task !== 'regression') {
    const c = (shard as ClassificationShard).numClasses;
    const confusion = (shard as ClassificationShard).confusion;
    if (
      !Number.isSafeInteger(c) ||
      !Array.isArray(confusion) ||
      confusion.length !== c ||
      !confusion.every((row) => Array.isArray(row) && row.length === c && row.every(Number.isSafeInteger))
    ) {
      throw new InputError(`${source}: "confusion" must be a ${c}×${c} matrix of counts`);
    }
  }
  return shard as ShardStats;
}

/**
 * Merges the statistics of shards of one data set (in shard order) into the statistics of
 * all their rows together; the result merges again like any shard's.
 */
export function mergeShards(stats: readonly ShardStats[]): ShardStats {
  const first = stats[0];
  if (first === undefined) throw new InputError('no shard statistics to merge');
  stats.forEach((s, i) => {
    if (s.task !== first.task)
      throw new InputError(`shard ${i + 1} is a ${s.task} task, shard 1 a ${first.task} task`);
  });
  if (first.task === 'regression') {
    const shards = stats as RegressionShard[];
    const sums = shards.reduce<RegressionShard['sums']>(
      (acc, s) =>
        acc === null || s.sums === null
          ? null
          : {
              target: mergeMoments(acc.target, s.sums.target),
              error: mergeMoments(acc.error, s.sums.error),
              squared_error: acc.squared_error + s.sums.squared_error,
              absolute_error: acc.absolute_error + s.sums.absolute_error,
              percentage_error: acc.percentage_error + s.sums.percentage_error,
            },
      {
        target: { count: 0, mean: 0, m2: 0 },
        error: { count: 0, mean: 0, m2: 0 },
        squared_error: 0,
        absolute_error: 0,
        percentage_error: 0,
      },
    );
    return {
      schema: SHARD_SCHEMA,
      task: 'regression',
      rows: shards.reduce((n, s) => n + s.rows, 0),
      sums,
      absolute_errors: encodeArray(
        concatenate(shards.map((s, i) => decodeArray(s.absolute_errors, `shard ${i + 1} absolute_errors`))),
      ),
    };
  }
  const shards = stats as ClassificationShard[];
  const numClasses = first.numClasses;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  shards.forEach((s, i) => {
    if (s.numClasses !== numClasses) {
      throw new InputError(`shard ${i + 1} has ${s.numClasses} classes, shard 1 has ${numClasses}`);
    }
    for (let t = 0; t < numClasses; t++)
      for (let q = 0; q < numClasses; q++) confusion[t]![q]! += s.confusion[t]![q]!;
  });
  const merged: ClassificationShard = {
    schema: SHARD_SCHEMA,
    task: first.task,
    rows: shards.reduce((n, s) => n + s.rows, 0),
    numClasses,
    confusion,
  };
  const withProbabilities = shards.filter((s) => s.probability !== undefined).length;
  if (withProbabilities !== 0 && withProbabilities !== shards.length) {
    throw new InputError(
      `${withProbabilities} of ${shards.length} shards carry probabilities: every shard must come from the same kind of output`,
    );
  }
  if (withProbabilities > 0) {
    const parts = shards.map((s) => s.probability!);
    merged.probability = {
      log_loss_sum: parts.reduce<number | null>((acc, p) => addOrNull(acc, p.log_loss_sum), 0),
      ...(first.task === 'binary'
        ? { brier_sum: parts.reduce<number | null>((acc, p) => addOrNull(acc, p.brier_sum), 0) }
        : {}),
      labels: encodeArray(concatenate(parts.map((p, i) => decodeArray(p.labels, `shard ${i + 1} labels`)))),
      scores: encodeArray(concatenate(parts.map((p, i) => decodeArray(p.scores, `shard ${i + 1} scores`)))),
    };
  }
  return merged;
}

// --- metrics from statistics --------------------------------------------------------------

function countsFromConfusion(confusion: number[][], numClasses: number): ClassCounts {
  const truePositive = new Float64Array(numClasses);
  const predicted = new Float64Array(numClasses);
  const actual = new Float64Array(numClasses);
  const present = new Uint8Array(numClasses);
  let correct = 0;
  let total = 0;
  for (let t = 0; t < numClasses; t++) {
    for (let q = 0; q < numClasses; q++) {
      const count = confusion[t]![q]!;
      if (count === 0) continue;
      actual[t] = actual[t]! + count;
      predicted[q] = predicted[q]! + count;
      present[t] = 1;
      present[q] = 1;
      if (t === q) {
        truePositive[t] = truePositive[t]! + count;
        correct += count;
      }
      total += count;
    }
  }
  return { numClasses, truePositive, predicted, actual, present, correct, total };
}

function forceFinite(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

function nanIfNull(value: number | null | undefined): number {
  return value === null || value === undefined ? Number.NaN : value;
}

/**
 * The metrics of the rows that `stats` describes: equal to the metrics of the concatenated
 * shards' predictions (label and rank metrics bitwise, sums to rounding). NaN where a metric
 * is undefined; probability metrics only when the shards carry probabilities.
 */
export function metricsFromShard(stats: ShardStats): Record<string, number> {
  if (stats.task === 'regression') {
    const n = stats.rows;
    const errors = Float64Array.from(decodeArray(stats.absolute_errors, 'absolute_errors'));
    const s = stats.sums;
    if (s === null || n === 0) return Object.fromEntries(METRICS.regression.map((m) => [m, Number.NaN]));
    errors.sort();
    const middle = n >>> 1;
    const mse = s.squared_error / n;
    return {
      mse,
      rmse: Math.sqrt(mse),
      mae: s.absolute_error / n,
      r2: n < 2 ? Number.NaN : forceFinite(s.squared_error, s.target.m2),
      mape: s.percentage_error / n,
      median_ae: n % 2 === 1 ? errors[middle]! : (errors[middle - 1]! + errors[middle]!) / 2,
      explained_variance: forceFinite(s.error.m2 / n, s.target.m2 / n),
    };
  }
  const task: Task = stats.task;
  const result: Record<string, number> = {};
  if (stats.rows === 0) {
    for (const name of METRICS[task]) result[name] = Number.NaN;
    return result;
  }
  const counts = countsFromConfusion(stats.confusion, stats.numClasses);
  result.accuracy = accuracy(counts);
  result.balanced_accuracy = balancedAccuracy(counts);
  if (task === 'binary') {
    const positive = classScores(counts, 1);
    result.precision = positive.precision;
    result.recall = positive.recall;
    result.f1 = positive.f1;
  } else {
    const macro = averagedScores(counts, 'macro');
    result.precision_macro = macro.precision;
    result.recall_macro = macro.recall;
    result.f1_macro = macro.f1;
    result.f1_micro = averagedScores(counts, 'micro').f1;
    result.f1_weighted = averagedScores(counts, 'weighted').f1;
  }
  const probability = stats.probability;
  if (probability !== undefined) {
    const labels = decodeArray(probability.labels, 'labels');
    const scores = Float64Array.from(decodeArray(probability.scores, 'scores'));
    result.log_loss = nanIfNull(probability.log_loss_sum) / stats.rows;
    if (task === 'binary') {
      const isPositive = Uint8Array.from(labels, (label) => (label === 1 ? 1 : 0));
      result.roc_auc = rocAuc(isPositive, scores);
      result.average_precision = averagePrecision(isPositive, scores);
      result.brier = nanIfNull(probability.brier_sum) / stats.rows;
    } else {
      result.roc_auc = rocAucOvr(Int32Array.from(labels), scores, stats.numClasses);
    }
  }
  return result;
}
