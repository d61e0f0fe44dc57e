/**
 * What the statistics work on: one model's predictions with the truth, and the checks that
 * turn a bad request into an error a user can act on.
 */
import { didYouMean, InputError } from '../kernel/errors.ts';
import { MEASURED_METRICS, METRICS, PROBABILITY_METRICS, type Task } from '../metrics/index.ts';

/** One model's predictions on a data set, with the true labels or targets. */
export type Predictions =
  | {
      task: 'binary' | 'multiclass';
      /** True class per row, 0..numClasses−1. */
      labels: Int32Array;
      numClasses: number;
      /** Predicted class per row. */
      predicted: Int32Array;
      /** Row-major [rows × numClasses] probabilities; absent when only hard labels exist. */
      proba?: Float64Array;
    }
  | { task: 'regression'; target: Float64Array; predicted: Float64Array };

/** How to bootstrap: `resamples` resamples (0 turns intervals off), two-sided `confidence`, and the seed that makes it repeatable. */
export interface BootstrapOptions {
  resamples: number;
  confidence: number;
  seed: number;
  /**
   * At most this many threads (default: one per core, up to 8, or MODELGATE_THREADS). The
   * result does not depend on it.
   */
  threads?: number;
}

/** The number of rows of `p`. */
export function rowsOf(p: Predictions): number {
  return p.task === 'regression' ? p.target.length : p.labels.length;
}

/** Throws an {@link InputError} unless the options can be used. */
export function checkOptions(o: BootstrapOptions): void {
  if (!Number.isSafeInteger(o.resamples) || o.resamples < 0) {
    throw new InputError(`bootstrap resamples must be a whole number >= 0, got ${o.resamples}`, {
      hint: 'use 1000 (the default) for intervals, or 0 to turn them off',
    });
  }
  if (!(o.confidence > 0 && o.confidence < 1)) {
    throw new InputError(`bootstrap confidence must be between 0 and 1 (exclusive), got ${o.confidence}`, {
      hint: 'for a 95% interval use 0.95',
    });
  }
  if (o.threads !== undefined && !(Number.isSafeInteger(o.threads) && o.threads >= 1)) {
    throw new InputError(`bootstrap threads must be a whole number >= 1, got ${o.threads}`);
  }
  if (!Number.isSafeInteger(o.seed)) {
    throw new InputError(`bootstrap seed must be a whole number, got ${o.seed}`);
  }
}

/**
 * Throws unless the arrays of `p` agree in length and hold classes in range. A mismatch is
 * a bug in the caller, not something a user can fix, so it is a plain RangeError.
 */
export function checkShape(p: Predictions): void {
  const rows = rowsOf(p);
  if (p.predicted.length !== rows) {
    throw new RangeError(`predictions: ${p.predicted.length} predictions for ${rows} rows`);
  }
  if (p.task === 'regression') return;
  if (p.task === 'binary' && p.numClasses !== 2) {
    throw new RangeError(`predictions: a binary task with ${p.numClasses} classes`);
  }
  if (p.proba !== undefined && p.proba.length !== rows * p.numClasses) {
    throw new RangeError(
      `predictions: ${p.proba.length} probabilities for ${rows} rows × ${p.numClasses} classes`,
    );
  }
  for (const [what, classes] of [
    ['labels', p.labels],
    ['predicted', p.predicted],
  ] as const) {
    for (let i = 0; i < rows; i++) {
      const c = classes[i]!;
      if (!(c >= 0 && c < p.numClasses))
        throw new RangeError(`predictions: ${what}[${i}] is ${c}, outside 0..${p.numClasses - 1}`);
    }
  }
}

/**
 * The metrics of `metrics` that can be bootstrapped for these predictions, in the order given.
 * The measured metrics (latency, throughput, size) are not functions of the rows and are
 * left out. An unknown name, or a probability metric without probabilities, is an error.
 */
export function resampledMetrics(p: Predictions, metrics: readonly string[], what = 'predictions'): string[] {
  checkShape(p);
  const known = METRICS[p.task as Task];
  const chosen: string[] = [];
  for (const name of metrics) {
    if (MEASURED_METRICS.includes(name)) continue;
    if (!known.includes(name)) {
      const guess = didYouMean(name, known);
      throw new InputError(
        `no metric "${name}" for ${p.task} tasks; the ${p.task} metrics are ${known.join(', ')}`,
        {
          hint: guess === undefined ? undefined : `did you mean "${guess}"?`,
        },
      );
    }
    if (p.task !== 'regression' && PROBABILITY_METRICS.has(name) && p.proba === undefined) {
      throw new InputError(`${name} needs class probabilities, but the ${what} have only hard labels`, {
        hint: 'give the model file, or a predictions file with proba_<class> columns',
      });
    }
    if (!chosen.includes(name)) chosen.push(name);
  }
  return chosen;
}

/**
 * Throws unless `candidate` and `baseline` are predictions on the same rows (same task,
 * classes and truth), as a paired comparison needs.
 */
export function checkSameRows(candidate: Predictions, baseline: Predictions): void {
  if (candidate.task !== baseline.task) {
    throw new InputError(
      `cannot pair a ${candidate.task} candidate with a ${baseline.task} baseline: both models must solve the same task`,
    );
  }
  const rows = rowsOf(candidate);
  if (rowsOf(baseline) !== rows) {
    throw new InputError(
      `the candidate has predictions for ${rows} rows and the baseline for ${rowsOf(baseline)}: a paired comparison needs both models on the same rows`,
    );
  }
  const same =
    candidate.task === 'regression'
      ? baseline.task === 'regression' && sameValues(candidate.target, baseline.target)
      : baseline.task !== 'regression' &&
        candidate.numClasses === baseline.numClasses &&
        sameValues(candidate.labels, baseline.labels);
  if (!same) {
    throw new InputError(
      'the candidate and the baseline were evaluated against different true labels: a paired comparison needs both models on the same rows, in the same order',
    );
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
