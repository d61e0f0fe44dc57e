/**
 * Seeded synthetic tables for the drift tests and the false-alarm study (bench/monitor-study.ts):
 * numeric columns of several shapes (normal, skewed, heavy-tied counts, uniform) and categorical
 * columns of 3 to 6 categories, drawn twice from one population (no drift), or with one column
 * shifted and one category reweighted.
 */
import type { Column } from '../data/table.ts';
import { Sampler } from '../stats/testing-utils.ts';
import { analyzeDrift, type ColumnPair, type DriftThresholds } from './analyze.ts';

type Shape = 'normal' | 'lognormal' | 'counts' | 'uniform';
const SHAPES: readonly Shape[] = ['normal', 'lognormal', 'counts', 'uniform'];

/** One column's population. */
export type ColumnPopulation =
  | { readonly kind: 'numeric'; readonly shape: Shape; readonly mean: number; readonly sd: number }
  | {
      readonly kind: 'categorical';
      readonly categories: readonly string[];
      readonly weights: readonly number[];
    };

/** A table's population: `features` columns, one in five categorical. */
export function population(features: number, seed: number): ColumnPopulation[] {
  const sampler = new Sampler(seed);
  return Array.from({ length: features }, (_, i) => {
    if (i % 5 === 4) {
      const k = 3 + Math.floor(sampler.uniform() * 4);
      const raw = Array.from({ length: k }, () => 0.2 + sampler.uniform());
      const total = raw.reduce((a, b) => a + b, 0);
      return {
        kind: 'categorical' as const,
        categories: raw.map((_, j) => `c${j}`),
        weights: raw.map((w) => w / total),
      };
    }
    return {
      kind: 'numeric' as const,
      shape: SHAPES[i % SHAPES.length] as Shape,
      mean: sampler.normal() * 3,
      sd: 0.5 + sampler.uniform() * 2,
    };
  });
}

/** `rows` draws of a column; a numeric column's values are shifted by `shift` standard deviations. */
export function drawColumn(p: ColumnPopulation, rows: number, sampler: Sampler, shift = 0): Column {
  if (p.kind === 'categorical') {
    const values = Array.from({ length: rows }, () => {
      let u = sampler.uniform();
      for (let j = 0; j < p.weights.length; j++) {
        u -= p.weights[j] as number;
        if (u <= 0) return p.categories[j] as string;
      }
      return p.categories[p.categories.length - 1] as string;
    });
    return { kind: 'string', values };
  }
  const values = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = sampler.normal() + shift;
    // Each shape's standard deviation is 1 before scaling, so `shift` is in standard deviations.
    const unit =
      p.shape === 'normal'
        ? z
        : p.shape === 'lognormal'
          ? (Math.exp(0.5 * z) - Math.exp(0.125)) / Math.sqrt((Math.exp(0.25) - 1) * Math.exp(0.25))
          : p.shape === 'counts'
            ? Math.round(3 + Math.sqrt(3) * z) / Math.sqrt(3)
            : (normalToUniform(z) - 0.5) * Math.sqrt(12);
    values[r] = p.mean + p.sd * unit;
  }
  return { kind: 'number', values };
}

/** A standard normal draw mapped to a uniform one through Φ (so a shift moves it too). */
function normalToUniform(z: number): number {
  return 0.5 * (1 + Math.tanh(z * 0.7978845608 * (1 + 0.044715 * z * z)));
}

/**
 * The population with its first category's weight doubled, the others scaled down to make room:
 * a PSI of about 0.25 for the study's column f4, as the 0.5-sd shift of f0 has.
 */
export function reweighted(p: Extract<ColumnPopulation, { kind: 'categorical' }>): ColumnPopulation {
  const first = Math.min(2 * (p.weights[0] as number), 0.9);
  const scale = (1 - first) / (1 - (p.weights[0] as number));
  return { ...p, weights: p.weights.map((w, j) => (j === 0 ? first : w * scale)) };
}

/** What happened in a study of `runs` monitor runs. */
export interface StudyResult {
  readonly runs: number;
  readonly features: number;
  /** Runs where some feature's BH-adjusted p-value was under alpha. */
  readonly bhAlarms: number;
  /** Runs where some feature drifted (BH and PSI ≥ min_effect): what monitor reports. */
  readonly driftAlarms: number;
  /** Runs where some feature's raw p-value was under alpha (every feature at α, no correction). */
  readonly uncorrectedAlarms: number;
  /** For the shifted study: runs where both changed columns drifted. */
  readonly found: number;
  /** For the shifted study: runs where any other column drifted. */
  readonly otherDrifted: number;
  /** The median PSI of f0 and of f4 over the runs. */
  readonly medianPsi: readonly [number, number];
}

export interface StudyOptions {
  readonly runs: number;
  readonly features: number;
  readonly rows: number;
  readonly seed: number;
  readonly thresholds: DriftThresholds;
  /** Shift column 0 (numeric) by this many standard deviations and reweight column 4 (categorical, {@link reweighted}). */
  readonly shift?: number;
}

/**
 * Runs the drift analysis `runs` times on a reference and a current table from one population
 * (or with the two changed columns), counting the runs with an alarm, with and without BH.
 */
export function driftStudy(options: StudyOptions): StudyResult {
  const { runs, features, rows, seed, thresholds, shift = 0 } = options;
  const columns = population(features, seed);
  let bhAlarms = 0;
  let driftAlarms = 0;
  let uncorrectedAlarms = 0;
  let found = 0;
  let otherDrifted = 0;
  const psi0: number[] = [];
  const psi4: number[] = [];
  for (let run = 0; run < runs; run++) {
    const sampler = new Sampler(seed * 1_000_003 + run + 1);
    const pairs: ColumnPair[] = columns.map((p, i) => {
      const reference = drawColumn(p, rows, sampler);
      let changed = p;
      if (shift !== 0 && i === 4 && p.kind === 'categorical') changed = reweighted(p);
      const current = drawColumn(changed, rows, sampler, shift !== 0 && i === 0 ? shift : 0);
      return { name: `f${i}`, reference, current };
    });
    const analysis = analyzeDrift(pairs, () => thresholds);
    const results = Object.values(analysis.features);
    if (results.some((f) => f.p_adjusted < thresholds.alpha)) bhAlarms++;
    if (analysis.drifted) driftAlarms++;
    if (results.some((f) => f.p_value < thresholds.alpha)) uncorrectedAlarms++;
    psi0.push(analysis.features.f0?.psi ?? Number.NaN);
    psi4.push(analysis.features.f4?.psi ?? Number.NaN);
    if (analysis.features.f0?.drifted === true && analysis.features.f4?.drifted === true) found++;
    if (Object.entries(analysis.features).some(([name, f]) => f.drifted && name !== 'f0' && name !== 'f4'))
      otherDrifted++;
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
  return {
    runs,
    features,
    bhAlarms,
    driftAlarms,
    uncorrectedAlarms,
    found,
    otherDrifted,
    medianPsi: [median(psi0), median(psi4)],
  };
}
