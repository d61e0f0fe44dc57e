import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BinaryProbabilitySums, binaryProbabilitySums } from './binary-kernel.ts';
import { classCounts } from './confusion.ts';
import { brier, logLoss } from './probability.ts';
import { binaryRank } from './ranking.ts';
import { binaryMetrics } from './task-metrics.ts';

/** A deterministic generator, so every run checks the same rows. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Rows whose positive-class probability is `shape(u)`, the other class 1 minus it; labels drawn from it. */
function rows(count: number, shape: (u: number, i: number) => number, seed = 3) {
  const random = lcg(seed);
  const labels = new Int32Array(count);
  const predicted = new Int32Array(count);
  const proba = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const p = shape(random(), i);
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
    labels[i] = random() < (Number.isFinite(p) ? p : 0.5) ? 1 : 0;
    predicted[i] = p > 0.5 ? 1 : 0;
  }
  return { labels, predicted, proba };
}

/** What the JavaScript functions give for the same rows. */
function reference(labels: Int32Array, proba: Float64Array) {
  const isPositive = Uint8Array.from(labels);
  const positive = Float64Array.from({ length: labels.length }, (_, i) => proba[2 * i + 1] as number);
  const finite = positive.every(Number.isFinite);
  return {
    logLoss: logLoss(labels, proba, 2),
    brier: brier(isPositive, positive),
    rank: finite ? binaryRank(isPositive, positive) : undefined,
  };
}

const same = (a: number, b: number) => Object.is(a, b);

/** The kernel's result for rows every label and prediction of which is 0 or 1. */
function sumsOf(data: {
  labels: Int32Array;
  predicted: Int32Array;
  proba: Float64Array;
}): BinaryProbabilitySums {
  const sums = binaryProbabilitySums(data.labels, data.predicted, data.proba);
  if (sums === undefined) throw new Error('the kernel refused labels and predictions of 0 and 1');
  return sums;
}

describe('the binary probability kernel', () => {
  it.each([
    ['float32 probabilities', (u: number) => Math.fround(u)],
    ['float32 probabilities with many ties', (u: number) => Math.fround(Math.round(u * 40) / 40)],
    [
      'saturated probabilities (clipped by log_loss)',
      (u: number) => (u < 0.2 ? 0 : u > 0.8 ? 1 : Math.fround(u)),
    ],
    ['signed zeros', (u: number) => (u < 0.5 ? -0 : Math.fround(u))],
  ])('gives the JavaScript values to the last bit: %s', (_, shape) => {
    const data = rows(20_000, shape);
    const { labels, predicted, proba } = data;
    const sums = sumsOf(data);
    const want = reference(labels, proba);
    expect(sums.counts).toEqual(classCounts(labels, predicted, 2));
    expect(same(sums.logLoss / labels.length, want.logLoss)).toBe(true);
    expect(same(sums.brier / labels.length, want.brier)).toBe(true);
    expect(sums.rank).toBeDefined();
    expect(same(sums.rank?.rocAuc as number, want.rank?.rocAuc as number)).toBe(true);
    expect(same(sums.rank?.averagePrecision as number, want.rank?.averagePrecision as number)).toBe(true);
  });

  it('leaves the ranking to the caller for scores that are not non-negative float32s', () => {
    expect(sumsOf(rows(500, (u) => u)).rank).toBeUndefined();
    const sums = sumsOf(rows(500, (u) => Math.fround(u - 0.5)));
    expect(sums.rank).toBeUndefined();
    // A probability outside [0, 1]: brier is undefined, as in sklearn.
    expect(sums.brier).toBeNaN();
    expect(sums.positiveFinite).toBe(true);
  });

  it('marks what a probability that is not finite makes undefined', () => {
    const data = rows(100, (u) => Math.fround(u));
    const { proba } = data;
    proba[2 * 40] = Number.POSITIVE_INFINITY;
    let sums = sumsOf(data);
    expect(sums.logLoss).toBeNaN();
    expect(sums.positiveFinite).toBe(true);
    expect(sums.rank).toBeDefined();
    proba[2 * 40 + 1] = Number.NaN;
    sums = sumsOf(data);
    expect(sums).toMatchObject({ positiveFinite: false, rank: undefined });
    expect(sums.brier).toBeNaN();
  });

  it('gives NaN rank metrics when one class is absent, as binaryRank does', () => {
    const { proba, predicted } = rows(300, (u) => Math.fround(u));
    const labels = new Int32Array(300);
    const sums = sumsOf({ labels, predicted, proba });
    expect(sums.counts).toEqual(classCounts(labels, predicted, 2));
    expect(sums.rank?.rocAuc).toBeNaN();
    expect(
      same(sums.rank?.averagePrecision as number, reference(labels, proba).rank?.averagePrecision as number),
    ).toBe(true);
  });

  it('reuses its memory across calls of any size', () => {
    const large = rows(50_000, (u) => Math.fround(u), 5);
    const small = rows(7, (u) => Math.fround(u), 6);
    for (const data of [large, small, large]) {
      const { labels, proba } = data;
      expect(same(sumsOf(data).rank?.rocAuc as number, reference(labels, proba).rank?.rocAuc as number)).toBe(
        true,
      );
    }
  });

  it('is what binaryMetrics uses without weights, and gives what it gives with weights of 1', () => {
    const { labels, predicted, proba } = rows(5_000, (u) => Math.fround(u));
    const fast = binaryMetrics({ labels, numClasses: 2, predicted, proba });
    const weighted = binaryMetrics({
      labels,
      numClasses: 2,
      predicted,
      proba,
      weights: new Float64Array(labels.length).fill(1),
    });
    for (const name of ['roc_auc', 'average_precision', 'log_loss', 'brier']) {
      expect(same(fast[name] as number, weighted[name] as number), name).toBe(true);
    }
  });

  it('refuses a label or a prediction that is not 0 or 1, so that classCounts names it', () => {
    const { labels, predicted, proba } = rows(50, (u) => Math.fround(u));
    predicted[20] = 2;
    expect(binaryProbabilitySums(labels, predicted, proba)).toBeUndefined();
    expect(() => binaryMetrics({ labels, numClasses: 2, predicted, proba })).toThrow(
      'classCounts: predicted[20] is 2, outside 0..1',
    );
    predicted[20] = 0;
    labels[3] = -1;
    expect(binaryProbabilitySums(labels, predicted, proba)).toBeUndefined();
  });

  it('is built from its AssemblyScript source (npm run kernels)', () => {
    const script = fileURLToPath(new URL('../../../../scripts/kernels.mjs', import.meta.url));
    const check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
