/**
 * The bootstrap as a gate uses it: intervals that hold the truth as often as they claim,
 * the same record for the same seed, paired evidence that beats unpaired evidence, and
 * errors a user can act on.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { METRICS } from '../metrics/index.ts';
import {
  bootstrapDistributions,
  bootstrapIntervals,
  pairedBootstrap,
  pairedDistributions,
} from './bootstrap.ts';
import type { BootstrapOptions, Predictions } from './predictions.ts';
import {
  type Binormal,
  binormalSample,
  binormalTruth,
  correlatedPair,
  multiclassSample,
  regressionSample,
  Sampler,
} from './testing-utils.ts';
import { unpairedDifference } from './unpaired.ts';

const options: BootstrapOptions = { resamples: 1000, confidence: 0.95, seed: 42 };

describe('coverage: 95% intervals hold the population value about 95% of the time', () => {
  // Each repetition draws a fresh sample from a population whose accuracy, F1 and ROC AUC
  // are known in closed form, and checks whether each interval holds them. With R
  // repetitions the count of hits is Binomial(R, 0.95) if the intervals are honest, so the
  // observed coverage has standard deviation √(0.95·0.05/R) (0.0126 for R = 300); the band
  // below is 3 of those either side, which an honest method leaves with probability 0.3%
  // per check (and this test is deterministic: fixed seeds).
  const repetitions = 300;
  const sd = Math.sqrt((0.95 * 0.05) / repetitions);
  const populations: Array<[string, Binormal, number]> = [
    ['a middling model, 300 rows', { prevalence: 0.4, separation: 1, threshold: 0.5 }, 300],
    [
      'a strong model on imbalanced data, AUC 0.92, 150 rows',
      { prevalence: 0.3, separation: 2, threshold: 1 },
      150,
    ],
  ];

  it.each(populations)('for accuracy, F1 and ROC AUC: %s', async (_, population, rows) => {
    const truth = binormalTruth(population);
    const sampler = new Sampler(rows);
    const hits = { accuracy: 0, f1: 0, roc_auc: 0 };
    for (let r = 0; r < repetitions; r++) {
      const sample = binormalSample(population, rows, sampler);
      const intervals = await bootstrapIntervals(sample, ['accuracy', 'f1', 'roc_auc'], {
        ...options,
        seed: r,
      });
      for (const metric of ['accuracy', 'f1', 'roc_auc'] as const) {
        const [low, high] = intervals[metric]!;
        if (low <= truth[metric] && truth[metric] <= high) hits[metric]++;
      }
    }
    for (const metric of ['accuracy', 'f1', 'roc_auc'] as const) {
      const coverage = hits[metric] / repetitions;
      expect(coverage, `${metric} coverage`).toBeGreaterThanOrEqual(0.95 - 3 * sd);
      expect(coverage, `${metric} coverage`).toBeLessThanOrEqual(0.95 + 3 * sd);
    }
  });
});

describe('determinism', () => {
  const sampler = new Sampler(3);
  const binary = binormalSample({ prevalence: 0.5, separation: 1, threshold: 0 }, 2000, sampler);
  const all: Array<[string, Predictions]> = [
    ['binary', binary],
    ['multiclass', multiclassSample(1500, 3, 1, 3, sampler)],
    ['regression', regressionSample(1500, sampler)],
  ];

  it.each(all)(
    'gives identical intervals for the same seed, and different ones for another (%s)',
    async (_, p) => {
      const metrics = METRICS[p.task];
      const first = await bootstrapIntervals(p, metrics, options);
      const again = await bootstrapIntervals(p, metrics, options);
      const other = await bootstrapIntervals(p, metrics, { ...options, seed: 43 });
      expect(Object.keys(first)).toEqual([...metrics]);
      expect(again).toEqual(first);
      for (const metric of metrics) expect(other[metric], metric).not.toEqual(first[metric]);
    },
  );

  it('gives the same intervals on any number of threads', async () => {
    const metrics = METRICS.binary;
    const big = binormalSample({ prevalence: 0.3, separation: 1, threshold: 0 }, 30_000, new Sampler(4));
    const one = await bootstrapIntervals(big, metrics, { ...options, resamples: 300, threads: 1 });
    const three = await bootstrapIntervals(big, metrics, { ...options, resamples: 300, threads: 3 });
    expect(three).toEqual(one);
  });

  it('gives the same paired record for the same seed', async () => {
    const [candidate, baseline] = correlatedPair(1000, [1.2, 1], 0.7, new Sampler(5));
    const first = await pairedBootstrap(candidate, baseline, METRICS.binary, options);
    expect(await pairedBootstrap(candidate, baseline, METRICS.binary, options)).toEqual(first);
    expect(await pairedBootstrap(candidate, baseline, METRICS.binary, { ...options, seed: 1 })).not.toEqual(
      first,
    );
  });
});

describe('intervals', () => {
  it('hold the point value and are ordered', async () => {
    const p = binormalSample({ prevalence: 0.4, separation: 1, threshold: 0.5 }, 3000, new Sampler(6));
    const intervals = await bootstrapIntervals(p, METRICS.binary, options);
    for (const [metric, [low, high]] of Object.entries(intervals)) {
      expect(low, metric).toBeLessThan(high);
      expect(high - low, metric).toBeLessThan(0.1);
    }
  });

  it('narrow as the data grow, about as 1/√n', async () => {
    const population = { prevalence: 0.4, separation: 1, threshold: 0.5 };
    const small = await bootstrapIntervals(
      binormalSample(population, 1000, new Sampler(7)),
      ['roc_auc'],
      options,
    );
    const large = await bootstrapIntervals(
      binormalSample(population, 16000, new Sampler(7)),
      ['roc_auc'],
      options,
    );
    const ratio = (small.roc_auc![1] - small.roc_auc![0]) / (large.roc_auc![1] - large.roc_auc![0]);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });

  it('leave out a metric undefined in more than half of the resamples, and keep one undefined only now and then', async () => {
    // One positive in 12 rows: a resample misses it with probability e⁻¹ ≈ 37%, leaving ROC AUC undefined.
    const once = {
      task: 'binary' as const,
      numClasses: 2,
      labels: Int32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      predicted: new Int32Array(12),
      proba: Float64Array.from({ length: 24 }, (_, i) => (i % 2 === 1 ? i / 48 : 1 - (i - 1) / 48)),
    };
    const distributions = await bootstrapDistributions(once, ['roc_auc', 'accuracy'], options);
    const undefinedShare = distributions.roc_auc!.filter(Number.isNaN).length / options.resamples;
    expect(undefinedShare).toBeGreaterThan(0.3);
    expect(undefinedShare).toBeLessThan(0.45);
    expect(Object.keys(await bootstrapIntervals(once, ['roc_auc', 'accuracy'], options))).toEqual([
      'roc_auc',
      'accuracy',
    ]);
    // Every positive has weight 0 in the data: AUC is undefined on it and in every resample.
    const none = { ...once, labels: new Int32Array(12) };
    expect(Object.keys(await bootstrapIntervals(none, ['roc_auc', 'accuracy'], options))).toEqual([
      'accuracy',
    ]);
  });

  it('skip the measured metrics, which are not functions of the rows', async () => {
    const p = regressionSample(200, new Sampler(8));
    expect(
      Object.keys(await bootstrapIntervals(p, ['mae', 'latency_p95_ms', 'model_size_bytes'], options)),
    ).toEqual(['mae']);
  });

  it('are absent for no rows, where no metric is defined', async () => {
    const empty = {
      task: 'binary' as const,
      numClasses: 2,
      labels: new Int32Array(0),
      predicted: new Int32Array(0),
    };
    expect(await bootstrapIntervals(empty, ['accuracy', 'f1'], options)).toEqual({});
  });

  it('are off with 0 resamples', async () => {
    const p = regressionSample(50, new Sampler(9));
    expect(await bootstrapIntervals(p, ['mae'], { ...options, resamples: 0 })).toEqual({});
  });
});

describe('paired comparison', () => {
  it('is narrower than the unpaired one when the models find the same rows hard', async () => {
    const [candidate, baseline] = correlatedPair(3000, [1.3, 1.2], 0.8, new Sampler(10));
    const metrics = ['accuracy', 'f1', 'roc_auc', 'log_loss'];
    const paired = await pairedBootstrap(candidate, baseline, metrics, options);
    const a = await bootstrapDistributions(candidate, metrics, options);
    const b = await bootstrapDistributions(baseline, metrics, { ...options, seed: 7 });
    const aIntervals = await bootstrapIntervals(candidate, metrics, options);
    const bIntervals = await bootstrapIntervals(baseline, metrics, { ...options, seed: 7 });
    for (const metric of metrics) {
      const [low, high] = paired[metric]!.ci;
      const fromDistributions = unpairedDifference(
        { value: 0, resamples: a[metric] },
        { value: 0, resamples: b[metric] },
        0.95,
      )!;
      const fromIntervals = unpairedDifference(
        { value: 0, ci: aIntervals[metric], confidence: 0.95 },
        { value: 0, ci: bIntervals[metric], confidence: 0.95 },
        0.95,
      )!;
      const pairedWidth = high - low;
      expect(pairedWidth, metric).toBeLessThan(0.75 * (fromDistributions.ci[1] - fromDistributions.ci[0]));
      expect(pairedWidth, metric).toBeLessThan(0.75 * (fromIntervals.ci[1] - fromIntervals.ci[0]));
    }
  });

  it('reports the difference, nested bounds, and how often the candidate did not improve', async () => {
    const [better, worse] = correlatedPair(4000, [1.6, 1], 0.6, new Sampler(11));
    const result = await pairedBootstrap(better, worse, ['accuracy', 'roc_auc', 'log_loss'], options);
    for (const metric of ['accuracy', 'roc_auc'] as const) {
      const r = result[metric]!;
      expect(r.delta).toBeGreaterThan(0);
      expect(r.ci[0]).toBeLessThanOrEqual(r.lower);
      expect(r.lower).toBeLessThan(r.delta);
      expect(r.delta).toBeLessThan(r.upper);
      expect(r.upper).toBeLessThanOrEqual(r.ci[1]);
      expect(r.lower).toBeGreaterThan(0);
      expect(r.pNonPositive).toBe(0);
    }
    // Lower is better for log loss: the better model's difference is negative.
    expect(result.log_loss!.delta).toBeLessThan(0);
    expect(result.log_loss!.pNonPositive).toBe(1);
  });

  it('gives exactly 0 for a model against itself', async () => {
    const p = regressionSample(500, new Sampler(12));
    const result = await pairedBootstrap(p, p, METRICS.regression, options);
    for (const metric of METRICS.regression) {
      expect(result[metric], metric).toEqual({ delta: 0, ci: [0, 0], lower: 0, upper: 0, pNonPositive: 1 });
    }
  });

  it('gives distributions of the difference that pairedBootstrap summarises', async () => {
    const [candidate, baseline] = correlatedPair(800, [1.2, 1], 0.5, new Sampler(13));
    const deltas = await pairedDistributions(candidate, baseline, ['accuracy'], options);
    expect(deltas.accuracy).toHaveLength(options.resamples);
    const summary = await pairedBootstrap(candidate, baseline, ['accuracy'], options);
    const share = deltas.accuracy!.filter((d) => d <= 0).length / options.resamples;
    expect(summary.accuracy!.pNonPositive).toBe(share);
  });

  it('refuses models that were not scored on the same rows', async () => {
    const [candidate] = correlatedPair(100, [1, 1], 0.5, new Sampler(14));
    const [other] = correlatedPair(100, [1, 1], 0.5, new Sampler(15));
    const short = binormalSample({ prevalence: 0.5, separation: 1, threshold: 0 }, 99, new Sampler(16));
    await expect(pairedBootstrap(candidate, other, ['accuracy'], options)).rejects.toThrow(
      /different true labels/,
    );
    await expect(pairedBootstrap(candidate, short, ['accuracy'], options)).rejects.toThrow(/100 rows .* 99/);
    await expect(
      pairedBootstrap(candidate, regressionSample(100, new Sampler(1)), ['accuracy'], options),
    ).rejects.toThrow(InputError);
  });
});

describe('bad requests', () => {
  const p = binormalSample({ prevalence: 0.5, separation: 1, threshold: 0 }, 50, new Sampler(17));

  it('name an unknown metric, list the known ones and suggest the likely one', async () => {
    const attempt = bootstrapIntervals(p, ['acuracy'], options);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      /no metric "acuracy" for binary tasks; the binary metrics are accuracy, /,
    );
    await expect(attempt).rejects.toMatchObject({ hint: 'did you mean "accuracy"?' });
  });

  it('say that a probability metric needs probabilities', async () => {
    const hard = { ...p, proba: undefined };
    await expect(bootstrapIntervals(hard, ['roc_auc'], options)).rejects.toThrow(
      /roc_auc needs class probabilities, but the predictions have only hard labels/,
    );
  });

  it('treat arrays that disagree in length as a bug in the caller, not a user error', async () => {
    if (p.task !== 'binary') throw new Error('unreachable');
    const broken = { ...p, predicted: new Int32Array(49) };
    await expect(bootstrapIntervals(broken, ['accuracy'], options)).rejects.toThrow(RangeError);
    const outOfRange = { ...p, labels: p.labels.map((c) => c * 2) };
    await expect(bootstrapIntervals(outOfRange, ['accuracy'], options)).rejects.toThrow(
      /labels\[\d+\] is 2, outside 0..1/,
    );
  });

  it.each([
    [{ resamples: -1 }, /resamples must be a whole number >= 0, got -1/],
    [{ resamples: 2.5 }, /resamples must be a whole number >= 0, got 2.5/],
    [{ confidence: 95 }, /confidence must be between 0 and 1 \(exclusive\), got 95/],
    [{ seed: 1.5 }, /seed must be a whole number, got 1.5/],
    [{ threads: 0 }, /threads must be a whole number >= 1, got 0/],
  ])('reject options %o', async (bad, message) => {
    await expect(bootstrapIntervals(p, ['accuracy'], { ...options, ...bad })).rejects.toThrow(message);
  });
});
