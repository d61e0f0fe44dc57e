/**
 * Statistics that gates can trust: seeded bootstrap confidence intervals for every metric,
 * paired and unpaired comparisons of two models, McNemar's exact test, and mergeable shard
 * statistics. Every resample costs O(cells) or one O(rows) pass over data sorted once.
 */
export {
  bootstrapDistributions,
  bootstrapIntervals,
  type PairedDelta,
  pairedBootstrap,
  pairedDistributions,
} from './bootstrap.ts';
export { MIN_DEFINED_SHARE, quantileSorted } from './interval.ts';
export { type McNemarExact, mcnemarExact } from './mcnemar.ts';
export { normalCdf, normalQuantile } from './normal.ts';
export { lastParallelRun, type ParallelRun } from './pool.ts';
export type { BootstrapOptions, Predictions } from './predictions.ts';
export {
  type ClassificationShard,
  checkShardStats,
  decodeArray,
  type EncodedArray,
  encodeArray,
  type Moments,
  mergeShards,
  metricsFromShard,
  type RegressionShard,
  SHARD_SCHEMA,
  type ShardStats,
  shardStats,
} from './shards.ts';
export {
  type MetricEvidence,
  type UnpairedDelta,
  type UnpairedMethod,
  unpairedDifference,
} from './unpaired.ts';
