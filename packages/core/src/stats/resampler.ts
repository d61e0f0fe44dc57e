/**
 * Every resample's metric values, for one model or for a candidate and a baseline together.
 *
 * Two kinds of resampling, each exact for its metrics:
 * - label metrics: multinomial counts over confusion-table cells (see cells.ts), O(cells)
 *   per resample;
 * - probability and regression metrics: a Poisson(1) weight per row (the Poisson
 *   bootstrap), one O(rows) pass over data sorted once (hot.ts), spread over threads
 *   (pool.ts).
 *
 * Resample b draws from streams derived from (seed, b) alone, so its values do not depend
 * on which other resamples run, in what order, or on which thread.
 */
import { BINARY_SCORE_METRICS, binaryRowModel } from './binary-scores.ts';
import { bootstrapKernel } from './bootstrap-kernel.ts';
import { CellTable, isLabelMetric, labelMetric } from './cells.ts';
import { hot, KERNEL_WIDTH, type RowJob, type RowModel } from './hot.ts';
import { acceleration, rowInfluences } from './influence.ts';
import { MULTICLASS_SCORE_METRICS, multiclassRowModel } from './multiclass-scores.ts';
import { runRowJobParallel } from './pool.ts';
import type { Predictions } from './predictions.ts';
import { REGRESSION_METRICS, regressionRowModel } from './regression-kernel.ts';
import { StreamPurpose, Xoshiro128 } from './rng.ts';

const KERNEL_OUTPUTS: Readonly<Record<RowModel['kind'], readonly string[]>> = {
  binary: BINARY_SCORE_METRICS,
  multiclass: MULTICLASS_SCORE_METRICS,
  regression: REGRESSION_METRICS,
};

/** The row-weighted model of one set of predictions (its probability or regression metrics). */
export function rowModel(p: Predictions): RowModel {
  if (p.task === 'regression') return regressionRowModel(p.target, p.predicted);
  if (p.proba === undefined) throw new Error('rowModel: probability metrics without probabilities');
  return p.task === 'binary'
    ? binaryRowModel(p.labels, p.proba)
    : multiclassRowModel(p.labels, p.proba, p.numClasses);
}

function rowCount(p: Predictions): number {
  return p.task === 'regression' ? p.target.length : p.labels.length;
}

/**
 * Where each model finds a resample's weights, which are drawn in the first model's order
 * (see RowJob): the second model of a pair gathers them through the first one's ranks,
 * which costs one pass fewer than drawing by row and gathering for both.
 */
function sharedWeights(models: readonly RowModel[]): Array<Uint32Array | null> {
  const first = models[0]!;
  if (first.kind === 'multiclass') return models.map(() => null);
  const rankInFirst = new Uint32Array(first.order.length);
  first.order.forEach((row, k) => {
    rankInFirst[row] = k;
  });
  return models.map((model, m) => {
    if (m === 0 || model.kind === 'multiclass') return null;
    return Uint32Array.from(model.order, (row) => rankInFirst[row]!);
  });
}

/**
 * Computes the table of metric values over resamples for one model, or for a pair of models
 * on the same rows (checked by the caller) resampled together.
 */
export class Resampler {
  /** The metrics (valid for the task, checked by the caller), in column order. */
  readonly metrics: readonly string[];
  /** Columns per resample: `metrics.length` per model, models one after another. */
  readonly width: number;
  private readonly task: Predictions['task'];
  private readonly models: number;
  private readonly labelColumns: Array<{ name: string; column: number }> = [];
  private readonly cells: CellTable | undefined;
  private readonly job: RowJob | undefined;
  // [kernel output index, metric column] for each row-weighted metric
  private readonly kernelColumns: Array<[number, number]> = [];

  /** @param models one model, or [candidate, baseline] */
  constructor(models: readonly Predictions[], metrics: readonly string[]) {
    const first = models[0]!;
    this.task = first.task;
    this.models = models.length;
    this.metrics = metrics;
    this.width = metrics.length * models.length;
    const rowWeighted: Array<{ name: string; column: number }> = [];
    metrics.forEach((name, column) => {
      const byCells = first.task !== 'regression' && isLabelMetric(first.task, name);
      (byCells ? this.labelColumns : rowWeighted).push({ name, column });
    });
    if (this.labelColumns.length > 0 && first.task !== 'regression') {
      // The caller checked that every model has the first one's task.
      const predictions = models.map((m) => (m as typeof first).predicted);
      this.cells = new CellTable(first.labels, predictions, first.numClasses);
    }
    if (rowWeighted.length > 0) {
      const rowModels = models.map(rowModel);
      const outputs = KERNEL_OUTPUTS[rowModels[0]!.kind];
      this.job = { rows: rowCount(first), models: rowModels, via: sharedWeights(rowModels) };
      if (rowModels.length === 1 && rowModels[0]!.kind === 'binary') {
        const kernel = process.env.MODELGATE_BOOTSTRAP_KERNEL === '0' ? undefined : bootstrapKernel();
        if (kernel !== undefined) this.job.kernel = kernel;
      }
      for (const { name, column } of rowWeighted) this.kernelColumns.push([outputs.indexOf(name), column]);
    }
  }

  /**
   * The row-major [resamples × width] table of values for resamples 0…resamples−1, NaN
   * where a metric is undefined on a resample. `threads` bounds the threads used; the table
   * does not depend on it.
   */
  async run(seed: number, resamples: number, threads: number): Promise<Float64Array> {
    const table = new Float64Array(resamples * this.width);
    this.fillLabelColumns(seed, 0, resamples, table);
    if (this.job !== undefined) {
      const rowTable = await runRowJobParallel(this.job, seed, resamples, threads);
      this.copyKernelColumns(rowTable, resamples, table);
    }
    return table;
  }

  /** {@link run} for resamples first…last−1 only, on this thread (for tests and small jobs). */
  runRange(seed: number, first: number, last: number): Float64Array {
    const count = last - first;
    const table = new Float64Array(count * this.width);
    this.fillLabelColumns(seed, first, last, table);
    if (this.job !== undefined) {
      const rowTable = new Float64Array(count * hot.jobWidth(this.job));
      hot.runRowJob(this.job, seed, first, last, rowTable, first);
      this.copyKernelColumns(rowTable, count, table);
    }
    return table;
  }

  /**
   * Each metric on all the rows as the resamples compute it (the observed cells, or every
   * row weighing 1): per model, or with two models their difference. This is the θ̂ that
   * BCa's bias correction compares the resamples with.
   */
  observed(difference: boolean): Float64Array {
    const perModel = this.metrics.length;
    const values = new Float64Array(this.width);
    if (this.cells !== undefined) {
      const task = this.task as 'binary' | 'multiclass';
      for (let m = 0; m < this.models; m++) {
        const counts = this.cells.classCounts(m, this.cells.counts);
        for (const { name, column } of this.labelColumns)
          values[m * perModel + column] = labelMetric(task, name, counts);
      }
    }
    if (this.job !== undefined) {
      const job = this.job;
      const out = new Float64Array(hot.jobWidth(job));
      if (!hot.observedByKernel(job, out)) {
        const ones = new Uint8Array(job.rows).fill(1);
        const scratch = new Uint8Array(job.rows);
        let at = 0;
        for (const model of job.models) {
          hot.evaluateModel(model, ones, null, scratch, out, at);
          at += KERNEL_WIDTH[model.kind];
        }
      }
      this.copyKernelColumns(out, 1, values);
    }
    return difference ? this.differenceOf(values) : values;
  }

  /**
   * BCa's acceleration of each metric (of the difference, with two models): from the exact
   * jackknife over cells for label metrics, from closed-form row influences for the others.
   */
  accelerations(): Float64Array {
    const result = new Float64Array(this.metrics.length);
    if (this.cells !== undefined) {
      const task = this.task as 'binary' | 'multiclass';
      for (const { name, column } of this.labelColumns)
        result[column] = this.cells.jackknifeAcceleration(task, name);
    }
    if (this.job !== undefined) {
      const influences = this.job.models.map(rowInfluences);
      for (const [output, column] of this.kernelColumns) {
        const first = influences[0]![output]!;
        const u =
          influences.length === 1 ? first : first.map((value, i) => value - influences[1]![output]![i]!);
        result[column] = acceleration(u);
      }
    }
    return result;
  }

  private differenceOf(values: Float64Array): Float64Array {
    const perModel = this.metrics.length;
    return Float64Array.from({ length: perModel }, (_, j) => values[j]! - values[perModel + j]!);
  }

  private fillLabelColumns(seed: number, first: number, last: number, table: Float64Array): void {
    const cells = this.cells;
    if (cells === undefined) return;
    const task = this.task as 'binary' | 'multiclass';
    const perModel = this.metrics.length;
    const drawn = new Float64Array(cells.counts.length);
    for (let b = first; b < last; b++) {
      cells.draw(Xoshiro128.stream(seed, StreamPurpose.Cells, b), drawn);
      const at = (b - first) * this.width;
      for (let m = 0; m < this.models; m++) {
        const counts = cells.classCounts(m, drawn);
        for (const { name, column } of this.labelColumns)
          table[at + m * perModel + column] = labelMetric(task, name, counts);
      }
    }
  }

  private copyKernelColumns(rowTable: Float64Array, resamples: number, table: Float64Array): void {
    const job = this.job!;
    const kernelWidth = KERNEL_WIDTH[job.models[0]!.kind];
    const perModel = this.metrics.length;
    for (let b = 0; b < resamples; b++) {
      for (let m = 0; m < this.models; m++) {
        const from = (b * this.models + m) * kernelWidth;
        const to = b * this.width + m * perModel;
        for (const [output, column] of this.kernelColumns) table[to + column] = rowTable[from + output]!;
      }
    }
  }
}
