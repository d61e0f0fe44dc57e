/**
 * Seeded synthetic predictions for the statistics tests and benchmarks: populations whose
 * true metric values are known in closed form.
 */
import { normalCdf } from './normal.ts';
import type { Predictions } from './predictions.ts';
import { StreamPurpose, Xoshiro128 } from './rng.ts';

/** A seeded source of uniform and normal numbers. */
export class Sampler {
  private readonly rng: Xoshiro128;
  private spare: number | undefined;

  constructor(seed: number) {
    // A purpose of its own: unrelated to any stream the bootstrap itself draws from.
    this.rng = Xoshiro128.stream(seed, StreamPurpose.Synthetic, 0);
  }

  uniform(): number {
    return this.rng.nextOpenDouble();
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/**
 * The binormal population: a row is positive with probability `prevalence`; its score is
 * N(0, 1) for negatives and N(separation, 1) for positives; the model predicts positive
 * when the score exceeds `threshold`, and reports sigmoid(score) as the probability.
 */
export interface Binormal {
  prevalence: number;
  separation: number;
  threshold: number;
}

/** The population values of a {@link Binormal}'s metrics. */
export function binormalTruth(population: Binormal): { accuracy: number; f1: number; roc_auc: number } {
  const { prevalence: p, separation: d, threshold: t } = population;
  const sensitivity = 1 - normalCdf(t - d);
  const specificity = normalCdf(t);
  const truePositive = p * sensitivity;
  const falsePositive = (1 - p) * (1 - specificity);
  const falseNegative = p * (1 - sensitivity);
  return {
    accuracy: truePositive + (1 - p) * specificity,
    f1: (2 * truePositive) / (2 * truePositive + falsePositive + falseNegative),
    // P(score of a positive > score of a negative) = Φ(d / √2).
    roc_auc: normalCdf(d / Math.SQRT2),
  };
}

/** `rows` rows drawn from a {@link Binormal} population. */
export function binormalSample(population: Binormal, rows: number, sampler: Sampler): Predictions {
  const labels = new Int32Array(rows);
  const predicted = new Int32Array(rows);
  const proba = new Float64Array(2 * rows);
  for (let i = 0; i < rows; i++) {
    const positive = sampler.uniform() < population.prevalence;
    const score = sampler.normal() + (positive ? population.separation : 0);
    const p = 1 / (1 + Math.exp(-score));
    labels[i] = positive ? 1 : 0;
    predicted[i] = score > population.threshold ? 1 : 0;
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
  }
  return { task: 'binary', labels, numClasses: 2, predicted, proba };
}

/**
 * Two binary models scored on the same rows whose scores share a row effect (`shared` of
 * the noise): both find the same rows hard, the usual case for a candidate and its baseline.
 */
export function correlatedPair(
  rows: number,
  separations: [number, number],
  shared: number,
  sampler: Sampler,
): [Predictions, Predictions] {
  const labels = new Int32Array(rows);
  const models = separations.map(() => ({
    predicted: new Int32Array(rows),
    proba: new Float64Array(2 * rows),
  }));
  for (let i = 0; i < rows; i++) {
    const positive = sampler.uniform() < 0.5;
    labels[i] = positive ? 1 : 0;
    const common = sampler.normal();
    separations.forEach((separation, m) => {
      const score =
        Math.sqrt(shared) * common +
        Math.sqrt(1 - shared) * sampler.normal() +
        (positive ? separation : 0) -
        separation / 2;
      const p = 1 / (1 + Math.exp(-score));
      models[m]!.predicted[i] = score > 0 ? 1 : 0;
      models[m]!.proba[2 * i] = 1 - p;
      models[m]!.proba[2 * i + 1] = p;
    });
  }
  const [a, b] = models.map((m) => ({ task: 'binary' as const, labels, numClasses: 2, ...m }));
  return [a!, b!];
}

/** Multiclass predictions: class scores are noise plus `separation` for the true class; ties from rounding to `decimals`. */
export function multiclassSample(
  rows: number,
  numClasses: number,
  separation: number,
  decimals: number,
  sampler: Sampler,
): Predictions & { task: 'multiclass' } {
  const labels = new Int32Array(rows);
  const predicted = new Int32Array(rows);
  const proba = new Float64Array(rows * numClasses);
  const scale = 10 ** decimals;
  for (let i = 0; i < rows; i++) {
    const truth = Math.min(numClasses - 1, Math.floor(sampler.uniform() * numClasses));
    labels[i] = truth;
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      const e = Math.exp(sampler.normal() + (c === truth ? separation : 0));
      proba[i * numClasses + c] = e;
      sum += e;
    }
    let best = 0;
    for (let c = 0; c < numClasses; c++) {
      const at = i * numClasses + c;
      proba[at] = Math.round((proba[at]! / sum) * scale) / scale;
      if (proba[at]! > proba[i * numClasses + best]!) best = c;
    }
    // The largest class absorbs the rounding, so the row still sums to 1 (as sklearn requires).
    let others = 0;
    for (let c = 0; c < numClasses; c++) if (c !== best) others += proba[i * numClasses + c]!;
    proba[i * numClasses + best] = 1 - others;
    predicted[i] = best;
  }
  return { task: 'multiclass', labels, numClasses, predicted, proba };
}

/** Regression predictions with heavy-ish tails, a few zero targets and some tied errors. */
export function regressionSample(rows: number, sampler: Sampler): Predictions & { task: 'regression' } {
  const target = new Float64Array(rows);
  const predicted = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const y = i % 17 === 0 ? 0 : 100 + 20 * sampler.normal();
    const noise = sampler.normal() * (1 + 2 * sampler.uniform());
    target[i] = y;
    // Rounded predictions make some errors tie, which the weighted median must handle.
    predicted[i] = Math.round((y + noise) * 4) / 4;
  }
  return { task: 'regression', target, predicted };
}
