/**
 * Shard statistics: N shards of one data set, each summarised on its own and sent through
 * JSON, merge into the metrics of the whole data set.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { binaryMetrics, METRICS, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import type { Predictions } from './predictions.ts';
import {
  checkShardStats,
  decodeArray,
  encodeArray,
  mergeShards,
  metricsFromShard,
  type ShardStats,
  shardStats,
} from './shards.ts';
import { binormalSample, multiclassSample, regressionSample, Sampler } from './testing-utils.ts';

function metricsOf(p: Predictions): Record<string, number> {
  if (p.task === 'regression') return regressionMetrics({ target: p.target, predicted: p.predicted });
  const input = { labels: p.labels, numClasses: p.numClasses, predicted: p.predicted, proba: p.proba };
  return p.task === 'binary' ? binaryMetrics(input) : multiclassMetrics(input);
}

/** Rows [from, to) of `p`. */
function rowsOf(p: Predictions, from: number, to: number): Predictions {
  if (p.task === 'regression') {
    return { task: 'regression', target: p.target.slice(from, to), predicted: p.predicted.slice(from, to) };
  }
  return {
    task: p.task,
    numClasses: p.numClasses,
    labels: p.labels.slice(from, to),
    predicted: p.predicted.slice(from, to),
    proba: p.proba?.slice(from * p.numClasses, to * p.numClasses),
  };
}

/** Shard statistics of uneven slices of `p`, each through a JSON round trip as an artifact would be. */
function shardsOf(p: Predictions, cuts: number[]): ShardStats[] {
  const bounds = [0, ...cuts, p.task === 'regression' ? p.target.length : p.labels.length];
  return bounds.slice(1).map((to, i) => {
    const json = JSON.stringify(shardStats(rowsOf(p, bounds[i]!, to)));
    return checkShardStats(JSON.parse(json), `shard ${i + 1}`);
  });
}

// Rank and label metrics come from the same counts and the same (score, label) arrays as on
// the whole data, so they are bitwise equal; sums of per-row terms (log loss, Brier, the
// regression metrics) add shard totals instead of rows, which moves the last bits only.
const BITWISE = new Set([
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'f1_micro',
  'f1_weighted',
  'roc_auc',
  'average_precision',
  'median_ae',
]);

function expectSameMetrics(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) {
    if (BITWISE.has(name)) expect(actual[name], name).toBe(value);
    else
      expect(Math.abs(actual[name]! - value), name).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(value)));
  }
}

const sampler = new Sampler(31);
const binary = binormalSample({ prevalence: 0.3, separation: 1.1, threshold: 0.4 }, 5000, sampler);
if (binary.task !== 'regression' && binary.proba !== undefined) {
  // float32 probabilities, as an ONNX model gives: stored as float32, losslessly.
  for (let i = 0; i < binary.proba.length; i++) binary.proba[i] = Math.fround(binary.proba[i]!);
}
const cases: Array<[string, Predictions]> = [
  ['binary', binary],
  ['binary, hard labels only', { ...binary, proba: undefined } as Predictions],
  ['multiclass', multiclassSample(4000, 5, 1.2, 3, sampler)],
  ['regression', regressionSample(4001, sampler)],
];

describe('shard statistics', () => {
  it.each(cases)('of uneven shards merge into the metrics of all rows (%s)', (_, p) => {
    const merged = mergeShards(shardsOf(p, [1, 1234, 1235, 3000]));
    expectSameMetrics(metricsFromShard(merged), metricsOf(p));
  });

  it.each(cases)('merge the same in any grouping, and re-merge as shards (%s)', (_, p) => {
    const [a, b, c, d] = shardsOf(p, [700, 2100, 2900]);
    const flat = metricsFromShard(mergeShards([a!, b!, c!, d!]));
    const nested = metricsFromShard(mergeShards([mergeShards([a!, b!]), mergeShards([c!, d!])]));
    expectSameMetrics(nested, flat);
  });

  it('of a single shard give the metrics of its rows', () => {
    for (const [, p] of cases) expectSameMetrics(metricsFromShard(shardStats(p)), metricsOf(p));
  });

  it('carry confusion counts and float32 scores compactly', () => {
    const stats = shardStats(binary);
    if (stats.task !== 'binary') throw new Error('unreachable');
    expect(stats.confusion.flat().reduce((a, b) => a + b, 0)).toBe(5000);
    expect(stats.probability?.scores.dtype).toBe('float32');
    expect(stats.probability?.labels.dtype).toBe('uint8');
  });
});

describe('encoded arrays', () => {
  it('round-trip every kind exactly, keeping float64 values that float32 cannot hold', () => {
    for (const array of [
      Uint8Array.from([0, 1, 255]),
      Int32Array.from([-5, 0, 2 ** 31 - 1]),
      Float64Array.from([0.1, -2.5, 1e-300]),
      Float64Array.from([0.5, 0.25, Math.fround(0.1)]),
    ]) {
      const encoded = encodeArray(array);
      expect(Array.from(decodeArray(JSON.parse(JSON.stringify(encoded)), 'x'))).toEqual(Array.from(array));
    }
    expect(encodeArray(Float64Array.from([0.1])).dtype).toBe('float64');
    expect(encodeArray(Float64Array.from([0.5])).dtype).toBe('float32');
  });

  it('refuse a length that does not match the bytes, naming the array', () => {
    const encoded = { ...encodeArray(Int32Array.from([1, 2])), length: 3 };
    expect(() => decodeArray(encoded, 'shard 2 labels')).toThrow(
      /shard 2 labels holds 8 bytes, but 3 int32 values need 12/,
    );
  });
});

describe('merging refuses shards that do not belong together', () => {
  const [first] = shardsOf(binary, [100]);

  it('of different tasks or class counts', () => {
    const regression = shardStats(regressionSample(10, sampler));
    expect(() => mergeShards([first!, regression])).toThrow(
      /shard 2 is a regression task, shard 1 a binary task/,
    );
    const multiclass = shardStats(multiclassSample(10, 3, 1, 2, sampler));
    const relabelled = { ...multiclass, task: 'binary' } as ShardStats;
    expect(() => mergeShards([first!, relabelled])).toThrow(/shard 2 has 3 classes, shard 1 has 2/);
  });

  it('with probabilities in some shards only', () => {
    const hard = shardStats({ ...binary, proba: undefined } as Predictions);
    expect(() => mergeShards([first!, hard])).toThrow(InputError);
    expect(() => mergeShards([first!, hard])).toThrow(/1 of 2 shards carry probabilities/);
  });

  it('or no shards at all, or a document that is not shard statistics', () => {
    expect(() => mergeShards([])).toThrow(/no shard statistics to merge/);
    expect(() => checkShardStats({ schema: 'modelgate/evaluation@1' }, 'eval.json')).toThrow(
      /eval.json is not shard statistics \(expected "schema": "modelgate\/shard-stats@1"\)/,
    );
    expect(() => checkShardStats({ ...first, confusion: [[1]] }, 's.json')).toThrow(/2×2 matrix of counts/);
  });
});

describe('undefined metrics', () => {
  it('stay undefined after merging (NaN), never turn into numbers', () => {
    const target = Float64Array.from([1, 2, Number.NaN]);
    const merged = mergeShards([
      shardStats({ task: 'regression', target, predicted: target }),
      shardStats(regressionSample(5, sampler)),
    ]);
    for (const metric of METRICS.regression) expect(metricsFromShard(merged)[metric], metric).toBeNaN();
  });
});
