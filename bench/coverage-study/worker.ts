// One worker process of the coverage study: it scores draws with modelgate's own bootstrap
// (bootstrapIntervals, the function `evaluate` calls for every `ci`) and reports, per metric,
// how often the interval held the population's value, and on which side it missed.
import { binaryMetrics, METRICS, regressionMetrics } from '../../packages/core/src/metrics/index.ts';
import { bootstrapIntervals } from '../../packages/core/src/stats/bootstrap.ts';
import { enoughDefined, quantileSorted, sortedColumn } from '../../packages/core/src/stats/interval.ts';
import { normalCdf, normalQuantile } from '../../packages/core/src/stats/normal.ts';
import type { Predictions } from '../../packages/core/src/stats/predictions.ts';
import { resampledMetrics } from '../../packages/core/src/stats/predictions.ts';
import { Resampler } from '../../packages/core/src/stats/resampler.ts';
import { POPULATIONS } from './populations.ts';
import type { Job, Reply, Tally } from './protocol.ts';

/** The metric values of `p` on all of its rows, as `evaluate` computes them. */
function pointMetrics(p: Predictions): Record<string, number> {
  return p.task === 'regression'
    ? regressionMetrics({ target: p.target, predicted: p.predicted })
    : binaryMetrics({ labels: p.labels, numClasses: 2, predicted: p.predicted, proba: p.proba });
}

/** The seed of draw `draw` of `rows` rows from population `population`: distinct for every triple. */
export function drawSeed(population: number, rows: number, draw: number): number {
  return ((population + 1) * 0x9e3779b1 + rows * 0x85ebca6b + draw * 0xc2b2ae35) >>> 0;
}

/**
 * For comparison only (COVERAGE_Z0=strict): bootstrapIntervals' steps on the same resamples
 * and acceleration, but with BCa's bias term z₀ = Φ⁻¹(#{θ* < θ̂}/B), ties with the estimate
 * not counted (scipy.stats.bootstrap before it counted them as half, and the textbook
 * formula). modelgate counts them as half (interval.ts, bcaLevels).
 */
async function strictZ0Intervals(
  p: Predictions,
  metrics: readonly string[],
  resamples: number,
  seed: number,
): Promise<Record<string, [number, number]>> {
  const names = resampledMetrics(p, metrics);
  const resampler = new Resampler([p], names);
  const table = await resampler.run(seed, resamples, 1);
  const observed = resampler.observed(false);
  const accelerations = resampler.accelerations();
  const result: Record<string, [number, number]> = {};
  names.forEach((name, column) => {
    const sorted = sortedColumn(table, names.length, column);
    const value = observed[column]!;
    const a = accelerations[column]!;
    if (!Number.isFinite(value) || !enoughDefined(sorted.length, resamples)) return;
    let below = 0;
    while (below < sorted.length && sorted[below]! < value) below++;
    const share = Math.min(Math.max(below / sorted.length, 0.5 / sorted.length), 1 - 0.5 / sorted.length);
    const z0 = normalQuantile(share);
    const levels = [0.025, 0.975].map((level) => {
      const z = z0 + normalQuantile(level);
      return 1 - a * z > 0 && Number.isFinite(a) ? normalCdf(z0 + z / (1 - a * z)) : level;
    });
    result[name] = [quantileSorted(sorted, levels[0]!), quantileSorted(sorted, levels[1]!)];
  });
  return result;
}

async function run(job: Job): Promise<Reply> {
  const population = POPULATIONS[job.population]!;
  if (job.kind === 'truth') {
    return {
      kind: 'truth',
      id: job.id,
      values: pointMetrics(population.draw(job.rows, 0x5eed + job.population)),
    };
  }
  const metrics = METRICS[population.task];
  const tallies: Record<string, Tally> = Object.fromEntries(
    metrics.map((name) => [name, { covered: 0, below: 0, above: 0, none: 0, width: 0 }]),
  );
  for (let draw = job.first; draw < job.first + job.count; draw++) {
    const p = population.draw(job.rows, drawSeed(job.population, job.rows, draw));
    const values = pointMetrics(p);
    const defined = metrics.filter((name) => Number.isFinite(values[name]));
    const intervals =
      job.z0 === 'strict'
        ? await strictZ0Intervals(p, defined, job.resamples, draw + 1)
        : await bootstrapIntervals(p, defined, {
            resamples: job.resamples,
            confidence: 0.95,
            seed: draw + 1,
            threads: 1,
          });
    for (const name of metrics) {
      const tally = tallies[name]!;
      const ci = intervals[name];
      const truth = job.truth[name]!;
      if (ci === undefined) tally.none++;
      else {
        if (ci[1] < truth) tally.below++;
        else if (ci[0] > truth) tally.above++;
        else tally.covered++;
        tally.width += ci[1] - ci[0];
      }
    }
  }
  return { kind: 'tally', id: job.id, tallies };
}

process.on('message', (job: Job) => {
  run(job).then(
    (reply) => process.send?.(reply),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
