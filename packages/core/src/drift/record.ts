import type { RuleResult } from '../kernel/records/verdict.ts';

export const DRIFT_SCHEMA = 'modelgate/drift@1';

/** One feature's (or one model output's) drift: its test, effect sizes and decision. */
export interface FeatureDrift {
  readonly kind: 'numeric' | 'categorical';
  /** `ks`: two-sample Kolmogorov–Smirnov (numbers); `chi2`: chi-square homogeneity (text). */
  readonly test: 'ks' | 'chi2';
  readonly statistic: number;
  readonly p_value: number;
  /** Benjamini–Hochberg adjusted, across every feature tested together. */
  readonly p_adjusted: number;
  /** Population stability index over the reference's deciles (its categories for text). */
  readonly psi: number;
  /**
   * Numbers: the Wasserstein distance in units of the reference's standard deviation (null
   * when the reference is constant and the current is not). Text: the total variation
   * distance, the Wasserstein distance when moving a row to another category costs 1.
   */
  readonly wasserstein: number | null;
  readonly drifted: boolean;
}

/** One side of the comparison: where the rows came from, how many, and the data's digest. */
export interface DriftSource {
  /** The path as given (a file or a request log folder); for `registry:NAME@REF`, that text. */
  readonly source: string;
  readonly rows: number;
  readonly sha256: string;
  /** The file actually read, when `source` names a registry version. */
  readonly path?: string;
}

/** The model's outputs on both sides, tested like features. */
export interface PredictionDrift {
  readonly model: { readonly path: string; readonly sha256: string; readonly output: string };
  readonly drifted: boolean;
  readonly outputs: Record<string, FeatureDrift>;
}

/** The metrics on the current data against the registered evaluation, decided by the gates. */
export interface PerformanceDrift {
  readonly label: string;
  readonly baseline: { readonly source: string; readonly sha256: string | null };
  readonly passed: boolean;
  readonly evidence: 'unpaired';
  readonly metrics: Record<string, { value: number; ci?: [number, number]; baseline?: number }>;
  readonly rules: RuleResult[];
  readonly notes: string[];
}

/** `modelgate/drift@1` (CONTRACT.md, second release). */
export interface DriftRecord {
  readonly schema: typeof DRIFT_SCHEMA;
  /** Names this record: the retrain dispatch passes it on. */
  readonly id: string;
  readonly created_at: string;
  readonly model?: string;
  readonly reference: DriftSource;
  readonly current: DriftSource;
  readonly alpha: number;
  readonly min_effect: number;
  /** Any feature, the prediction, or the performance gates. */
  readonly drifted: boolean;
  readonly features: Record<string, FeatureDrift>;
  readonly prediction?: PredictionDrift;
  readonly performance?: PerformanceDrift;
  readonly tool: { readonly name: 'modelgate'; readonly version: string };
}
