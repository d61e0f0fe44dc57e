/**
 * The inner loops: random streams, Poisson(1) weights, and the self-containment that lets
 * worker threads run them from their source text.
 */
import { describe, expect, it } from 'vitest';
import { argsortFloat64 } from '../metrics/index.ts';
import { bootstrapIntervals } from './bootstrap.ts';
import { bootstrapKernel, sortedOrder } from './bootstrap-kernel.ts';
import { createHotLoops, hot, type RowJob, type RowModel } from './hot.ts';
import { rowModel } from './resampler.ts';
import { fillPoisson1, StreamPurpose, Xoshiro128 } from './rng.ts';
import { binormalSample, regressionSample, Sampler } from './testing-utils.ts';

function firstWords(rng: Xoshiro128, count = 4): number[] {
  return Array.from({ length: count }, () => rng.nextInt32());
}

describe('random streams', () => {
  it('repeat for the same seed, purpose and resample', () => {
    expect(firstWords(Xoshiro128.stream(42, StreamPurpose.Rows, 7))).toEqual(
      firstWords(Xoshiro128.stream(42, StreamPurpose.Rows, 7)),
    );
  });

  it('differ when the seed, the purpose or the resample differs, in all 53 bits of the seed', () => {
    const base = firstWords(Xoshiro128.stream(42, StreamPurpose.Rows, 7));
    for (const other of [
      Xoshiro128.stream(43, StreamPurpose.Rows, 7),
      Xoshiro128.stream(42, StreamPurpose.Cells, 7),
      Xoshiro128.stream(42, StreamPurpose.Rows, 8),
      Xoshiro128.stream(42 + 2 ** 32, StreamPurpose.Rows, 7),
      Xoshiro128.stream(42 + 2 ** 52, StreamPurpose.Rows, 7),
    ]) {
      expect(firstWords(other)).not.toEqual(base);
    }
  });

  it('give open-interval uniforms with mean 1/2 and variance 1/12', () => {
    const rng = Xoshiro128.stream(5, StreamPurpose.Rows, 0);
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextOpenDouble();
      if (!(u > 0 && u < 1)) outside++;
      sum += u;
      squares += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // Standard errors: √(1/12/n) ≈ 6.5e-4 for the mean; 5 of them is a band no fair generator leaves.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(squares / n - mean * mean - 1 / 12)).toBeLessThan(2e-3);
  });
});

describe('Poisson(1) row weights', () => {
  it('follow the Poisson(1) distribution (chi-square over 2 million draws)', () => {
    const weights = new Uint8Array(100_001); // not a multiple of 3: the tail path runs too
    const counts = new Float64Array(8);
    for (let b = 0; b < 20; b++) {
      fillPoisson1(Xoshiro128.stream(3, StreamPurpose.Rows, b), weights);
      for (const w of weights) counts[Math.min(w, 7)]! += 1;
    }
    const draws = 20 * weights.length;
    let pmf = Math.exp(-1);
    let below = 0;
    let chiSquare = 0;
    for (let k = 0; k < 8; k++) {
      const p = k < 7 ? pmf : 1 - below;
      const expected = draws * p;
      chiSquare += (counts[k]! - expected) ** 2 / expected;
      below += pmf;
      pmf /= k + 1;
    }
    // 7 degrees of freedom: P(χ² > 24.32) = 0.001.
    expect(chiSquare).toBeLessThan(24.32);
  });

  it('draw the rare large values (from the buckets that are refined bit by bit)', () => {
    const weights = new Uint8Array(300_000);
    fillPoisson1(Xoshiro128.stream(9, StreamPurpose.Rows, 0), weights);
    // P(X >= 6) = 5.9e-4: about 177 of 300k; P(X = 0) = e⁻¹.
    const large = weights.filter((w) => w >= 6).length;
    expect(large).toBeGreaterThan(120);
    expect(large).toBeLessThan(240);
    expect(Math.abs(weights.filter((w) => w === 0).length / weights.length - Math.exp(-1))).toBeLessThan(
      0.005,
    );
  });

  it('are the same for the same stream, whatever the array length is a multiple of', () => {
    const a = new Uint8Array(1000);
    const b = new Uint8Array(1000);
    fillPoisson1(Xoshiro128.stream(1, StreamPurpose.Rows, 2), a);
    fillPoisson1(Xoshiro128.stream(1, StreamPurpose.Rows, 2), b);
    expect(a).toEqual(b);
    const short = new Uint8Array(2);
    fillPoisson1(Xoshiro128.stream(1, StreamPurpose.Rows, 2), short);
    expect(short.every((w) => w < 20)).toBe(true);
  });
});

describe('the hot loops as source text (what a worker thread runs)', () => {
  it('run on their own, with nothing from outside the function, and give the same table', () => {
    const loops = new Function(`"use strict"; return (${createHotLoops.toString()})();`)() as typeof hot;
    const sampler = new Sampler(1);
    const binary = rowModel(binormalSample({ prevalence: 0.3, separation: 1, threshold: 0 }, 500, sampler));
    // A pair whose second model reads the weights through a permutation (here: by row).
    const job: RowJob = {
      rows: 500,
      models: [binary, binary],
      via: [null, binary.kind === 'binary' ? binary.order : null],
    };
    const regressionJob: RowJob = {
      rows: 300,
      models: [rowModel(regressionSample(300, sampler))],
      via: [null],
    };
    for (const j of [job, regressionJob]) {
      const width = hot.jobWidth(j);
      const expected = new Float64Array(40 * width);
      const actual = new Float64Array(40 * width);
      hot.runRowJob(j, 77, 0, 40, expected, 0);
      loops.runRowJob(j, 77, 0, 40, actual, 0);
      expect(actual).toEqual(expected);
    }
  });
});

describe('the WebAssembly bootstrap kernel (one binary model)', () => {
  const kernel = bootstrapKernel();

  /** runRowJob's table for resamples first…last−1 at `base`, with the kernel or the JavaScript loops. */
  function table(model: RowModel, seed: number, first: number, last: number, wasm: boolean): Uint8Array {
    const job: RowJob = {
      rows: model.kind === 'binary' ? model.order.length : 0,
      models: [model],
      via: [null],
    };
    if (wasm) job.kernel = kernel;
    const out = new Float64Array((last - first + 3) * 4).fill(-1);
    hot.runRowJob(job, seed, first, last, out, first - 2);
    return new Uint8Array(out.buffer);
  }

  function binaryModel(labels: number[], scores: number[]): RowModel {
    return rowModel({
      task: 'binary',
      numClasses: 2,
      labels: Int32Array.from(labels),
      predicted: Int32Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
      proba: Float64Array.from(scores.flatMap((s) => [1 - s, s])),
    });
  }

  it('is there (Node has WebAssembly with SIMD)', () => {
    expect(kernel).toBeDefined();
  });

  it('gives the JavaScript loops’ values to the last bit: ties, straddling weights, every row count mod 3, any resample range', () => {
    const sampler = new Sampler(11);
    const cases: RowModel[] = [];
    for (const rows of [1, 2, 3, 4, 5, 7, 64, 1_001, 30_001]) {
      const p = binormalSample({ prevalence: 0.4, separation: 1.5, threshold: 0 }, rows, sampler);
      cases.push(rowModel(p));
      if (p.task !== 'binary' || p.proba === undefined) continue;
      // Scores rounded to a coarse grid: tie groups of many rows, mixed and all-negative.
      const labels = Array.from(p.labels);
      const coarse = Array.from({ length: rows }, (_, i) => Math.round(p.proba![2 * i + 1]! * 8) / 8);
      cases.push(binaryModel(labels, coarse));
      // One class only, and scores that are not probabilities.
      cases.push(
        binaryModel(
          labels.map(() => 1),
          coarse,
        ),
      );
      cases.push(
        binaryModel(
          labels.map(() => 0),
          coarse,
        ),
      );
      cases.push(
        binaryModel(
          labels,
          coarse.map((s) => 3 * s - 1),
        ),
      );
    }
    cases.push(binaryModel([0, 1, 1, 0, 1], [0.2, Number.NaN, 0.4, 0.9, 0.1]));
    cases.push(binaryModel([0, 1, 1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]));
    for (const model of cases) {
      for (const [seed, first, last] of [
        [7, 0, 13],
        [2 ** 40 + 3, 5, 11],
        [0, 9, 10],
      ] as const) {
        expect(table(model, seed, first, last, true)).toEqual(table(model, seed, first, last, false));
      }
    }
  });

  it('gives the observed values (every row weighing 1) as evaluateModel does, to the last bit, and its resamples after them unchanged', () => {
    const sampler = new Sampler(12);
    const cases: RowModel[] = [];
    for (const rows of [1, 2, 5, 1_000, 20_002]) {
      const p = binormalSample({ prevalence: 0.4, separation: 1.5, threshold: 0 }, rows, sampler);
      cases.push(rowModel(p));
      if (p.task !== 'binary' || p.proba === undefined) continue;
      const labels = Array.from(p.labels);
      cases.push(
        binaryModel(
          labels,
          Array.from({ length: rows }, (_, i) => Math.round(p.proba![2 * i + 1]! * 8) / 8),
        ),
      );
      cases.push(
        binaryModel(
          labels.map(() => 1),
          Array.from({ length: rows }, (_, i) => p.proba![2 * i + 1]! * 3),
        ),
      );
    }
    cases.push(binaryModel([0, 1, 1, 0, 1], [0.2, Number.NaN, 0.4, 0.9, 0.1]));
    for (const model of cases) {
      const rows = model.kind === 'binary' ? model.order.length : 0;
      const job: RowJob = { rows, models: [model], via: [null], kernel };
      const byKernel = new Float64Array(4);
      expect(hot.observedByKernel(job, byKernel)).toBe(true);
      const byLoops = new Float64Array(4);
      hot.evaluateModel(model, new Uint8Array(rows).fill(1), null, new Uint8Array(rows), byLoops, 0);
      expect(new Uint8Array(byKernel.buffer)).toEqual(new Uint8Array(byLoops.buffer));
      const after = new Float64Array(8 * 4);
      hot.runRowJob(job, 3, 0, 8, after, 0);
      expect(new Uint8Array(after.buffer)).toEqual(table(model, 3, 0, 8, false).slice(2 * 4 * 8, 10 * 4 * 8));
    }
    expect(
      hot.observedByKernel({ rows: 1, models: cases.slice(0, 1), via: [null] }, new Float64Array(4)),
    ).toBe(false);
  });

  it('sorts as metrics argsortFloat64 does: the same permutation (ties, −0, negatives, float32 values, any size)', () => {
    const sampler = new Sampler(13);
    const arrays: Float64Array[] = [new Float64Array(0), Float64Array.of(0.5), Float64Array.of(-0, 0, -0, 0)];
    for (const rows of [2, 3, 100, 4_097, 70_001]) {
      arrays.push(Float64Array.from({ length: rows }, () => sampler.normal()));
      arrays.push(Float64Array.from({ length: rows }, () => Math.fround(sampler.uniform())));
      arrays.push(Float64Array.from({ length: rows }, () => Math.round(sampler.normal() * 4) / 4));
      arrays.push(
        Float64Array.from(
          { length: rows },
          () => sampler.normal() * 10 ** Math.round(sampler.normal() * 100),
        ),
      );
      arrays.push(new Float64Array(rows).fill(0.25));
    }
    for (const values of arrays) {
      const before = values.slice();
      expect(sortedOrder(values)).toEqual(argsortFloat64(values));
      expect(values).toEqual(before);
    }
  });

  it('gives the same intervals as the JavaScript loops through the whole bootstrap', async () => {
    const p = binormalSample({ prevalence: 0.3, separation: 1, threshold: 0 }, 20_000, new Sampler(5));
    const metrics = ['roc_auc', 'average_precision', 'log_loss', 'brier', 'accuracy'];
    const options = { resamples: 203, confidence: 0.95, seed: 9, threads: 2 };
    const withKernel = await bootstrapIntervals(p, metrics, options);
    const saved = process.env.MODELGATE_BOOTSTRAP_KERNEL;
    process.env.MODELGATE_BOOTSTRAP_KERNEL = '0';
    try {
      expect(await bootstrapIntervals(p, metrics, options)).toStrictEqual(withKernel);
    } finally {
      if (saved === undefined) delete process.env.MODELGATE_BOOTSTRAP_KERNEL;
      else process.env.MODELGATE_BOOTSTRAP_KERNEL = saved;
    }
    expect(Object.keys(withKernel)).toEqual(metrics);
  });
});
