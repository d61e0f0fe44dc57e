/**
 * The ROC AUC walk (sort by score, group ties, sum the positives below each negative) is written
 * more than once on purpose, each copy a speed twin for its caller:
 * - metrics/ranking.ts: the oracle (`rocAuc`, `binaryRank`), checked against scikit-learn;
 * - assembly/binary.ts (metrics/binary-kernel.ts): the WebAssembly kernel binaryMetrics uses
 *   for float32 scores;
 * - stats/hot.ts: the bootstrap's row kernel, over one resample's weights;
 * - stats/shards.ts: the merge of shard statistics, through the oracle on the concatenation.
 * This one test holds them to bitwise the same value on the same rows: ties, float32 and float64
 * scores, one class nearly absent.
 */
import { describe, expect, it } from 'vitest';
import { BINARY_SCORE_METRICS } from '../stats/binary-scores.ts';
import { hot, KERNEL_WIDTH } from '../stats/hot.ts';
import { rowModel } from '../stats/resampler.ts';
import { metricsFromShard, shardStats } from '../stats/shards.ts';
import { binaryProbabilitySums } from './binary-kernel.ts';
import { binaryRank, rocAuc } from './ranking.ts';

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Binary rows whose positive-class score is `score(u)`; the label drawn from it. */
function rows(count: number, score: (u: number) => number, seed: number) {
  const random = lcg(seed);
  const labels = new Int32Array(count);
  const predicted = new Int32Array(count);
  const proba = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const p = score(random());
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
    labels[i] = random() < p ? 1 : 0;
    predicted[i] = p > 0.5 ? 1 : 0;
  }
  return { labels, predicted, proba };
}

const CASES: Array<[string, ReturnType<typeof rows>]> = [
  ['float32 scores, few ties', rows(3000, (u) => Math.fround(u), 1)],
  ['float32 scores, many ties', rows(3000, (u) => Math.fround(Math.round(u * 20) / 20), 2)],
  ['float64 scores', rows(2000, (u) => u * (1 - 1e-9) + 1e-12, 3)],
  ['nearly all negatives', rows(2000, (u) => Math.fround(u ** 8), 4)],
];

describe('every ROC AUC walk gives bitwise the same value', () => {
  it.each(CASES)('%s', (_, data) => {
    const isPositive = Uint8Array.from(data.labels);
    const positive = Float64Array.from(
      { length: data.labels.length },
      (_, i) => data.proba[2 * i + 1] as number,
    );
    const oracle = rocAuc(isPositive, positive);
    expect(Number.isFinite(oracle)).toBe(true);
    expect(binaryRank(isPositive, positive).rocAuc).toBe(oracle);

    const wasm = binaryProbabilitySums(data.labels, data.predicted, data.proba)?.rank;
    // The kernel ranks float32 scores only, and leaves the others to the oracle.
    if (positive.every((p) => Math.fround(p) === p)) expect(wasm?.rocAuc).toBe(oracle);
    else expect(wasm).toBeUndefined();

    const p = { task: 'binary' as const, numClasses: 2, ...data };
    const model = rowModel(p);
    const out = new Float64Array(KERNEL_WIDTH[model.kind]);
    const ones = new Uint8Array(data.labels.length).fill(1);
    hot.evaluateModel(
      model,
      ones,
      model.kind === 'multiclass' ? null : model.order,
      new Uint8Array(ones.length),
      out,
      0,
    );
    expect(out[BINARY_SCORE_METRICS.indexOf('roc_auc')]).toBe(oracle);

    expect(metricsFromShard(shardStats(p)).roc_auc).toBe(oracle);
  });
});
