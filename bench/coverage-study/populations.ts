// The synthetic populations of the coverage study (bench/coverage-study.ts): each is a rule
// that draws any number of rows, seeded, so a "draw" of n rows and the "truth" sample of a
// million rows come from the same population.
import type { Predictions } from '../../packages/core/src/stats/predictions.ts';

/**
 * sfc32 seeded through splitmix32: 128 bits of state, so the streams of different seeds are
 * not shifted copies of one another (as every mulberry32 stream is of every other, which
 * could make two draws share rows).
 */
export function rng(seed: number): () => number {
  let z = seed >>> 0;
  const splitmix = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let k = 0; k < 12; k++) next();
  return () => (next() + (next() >>> 11) * 4294967296) / 9007199254740992;
}

/** Standard normals by Box–Muller, from a uniform source. */
function normals(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface Population {
  /** A short label for the table. */
  readonly name: string;
  readonly task: 'binary' | 'regression';
  /** `rows` rows of the population, the same rows for the same seed. */
  draw(rows: number, seed: number): Predictions;
}

/**
 * A binary classifier's scores on a binormal population: a row is positive with probability
 * `prevalence`, its latent score is N(0, 1) for negatives and N(d, 1) for positives (d is
 * d′, the separation; ROC AUC = Φ(d/√2)), and the model reports
 * sigmoid(scale · logit + shift), where logit is the true log-odds of the row being positive.
 * scale = 1, shift = 0 is a calibrated model; scale > 1 is over-confident, < 1 under-confident;
 * shift moves every probability, and the 0.5 threshold with it.
 */
function binormal(
  name: string,
  prevalence: number,
  d: number,
  calibration: { scale: number; shift: number } = { scale: 1, shift: 0 },
): Population {
  const prior = Math.log(prevalence / (1 - prevalence));
  return {
    name,
    task: 'binary',
    draw(rows, seed) {
      const random = rng(seed);
      const normal = normals(random);
      const labels = new Int32Array(rows);
      const predicted = new Int32Array(rows);
      const proba = new Float64Array(rows * 2);
      for (let i = 0; i < rows; i++) {
        const positive = random() < prevalence;
        const x = normal() + (positive ? d : 0);
        const logit = prior + d * x - (d * d) / 2;
        const p = 1 / (1 + Math.exp(-(calibration.scale * logit + calibration.shift)));
        labels[i] = positive ? 1 : 0;
        predicted[i] = p > 0.5 ? 1 : 0;
        proba[2 * i] = 1 - p;
        proba[2 * i + 1] = p;
      }
      return { task: 'binary', labels, numClasses: 2, predicted, proba };
    },
  };
}

/**
 * A regression model's predictions: targets N(10, 2²), predictions
 * 10 + slope · (target − 10) + error, where `error(normal, random)` draws one error.
 */
function regression(
  name: string,
  slope: number,
  error: (normal: () => number, random: () => number, target: number) => number,
): Population {
  return {
    name,
    task: 'regression',
    draw(rows, seed) {
      const random = rng(seed);
      const normal = normals(random);
      const target = new Float64Array(rows);
      const predicted = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const t = 10 + 2 * normal();
        target[i] = t;
        predicted[i] = 10 + slope * (t - 10) + error(normal, random, t);
      }
      return { task: 'regression', target, predicted };
    },
  };
}

/** Student's t with `df` degrees of freedom, scaled to standard deviation 1. */
function studentT(normal: () => number, df: number): number {
  let chi2 = 0;
  for (let k = 0; k < df; k++) chi2 += normal() ** 2;
  return normal() / Math.sqrt(chi2 / df) / Math.sqrt(df / (df - 2));
}

export const POPULATIONS: readonly Population[] = [
  binormal("balanced, d'=1.5, calibrated", 0.5, 1.5),
  binormal("10% positive, d'=2, calibrated", 0.1, 2),
  binormal("balanced, d'=3.5 (AUC .993)", 0.5, 3.5),
  binormal("30% positive, d'=1, overconfident", 0.3, 1, { scale: 3, shift: 0 }),
  binormal("balanced, d'=0.8, underconf.+shift", 0.5, 0.8, { scale: 0.4, shift: 0.5 }),
  binormal("5% positive, d'=2.5, calibrated", 0.05, 2.5),
  regression('gaussian error, sd 1', 1, (normal) => normal()),
  regression('gaussian error, sd 0.3', 1, (normal) => 0.3 * normal()),
  regression('t(5) error, sd 1', 1, (normal) => studentT(normal, 5)),
  regression('skewed error (exp-1), biased', 1, (_normal, random) => -Math.log(1 - random()) - 0.8),
  regression('heteroscedastic error', 1, (normal, _random, t) => (0.2 + 0.4 * Math.abs(t - 10)) * normal()),
  regression('shrunk (slope .7), sd 0.5', 0.7, (normal) => 0.5 * normal()),
];
