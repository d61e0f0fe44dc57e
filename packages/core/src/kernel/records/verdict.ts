export const VERDICT_SCHEMA = 'modelgate/verdict@1';

/** The rules of the gate spec (CONTRACT.md "The rules"). */
export type RuleKind = 'min' | 'max' | 'max_drop' | 'max_increase' | 'min_improvement';

/**
 * A rule's outcome. `inconclusive`: a significance rule whose interval of Δ straddles the
 * tolerance, so the data cannot tell; `on_inconclusive` says whether it counts as a pass. `skip`:
 * a change rule with no baseline. `error`: the metric could not be checked (absent from the
 * record, undefined on the data); it counts as not passed.
 */
export const RULE_STATUSES = ['pass', 'fail', 'inconclusive', 'skip', 'error'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

/** What an inconclusive rule counts as in the verdict (the spec's `on_inconclusive`). */
export type OnInconclusive = 'pass' | 'fail';

/** What decided a change rule: point estimates, or a bootstrap bound of the difference. */
export type Evidence = 'point' | 'paired' | 'unpaired';

/** One rule applied to one metric (and, for slice gates, one slice). */
export interface RuleResult {
  metric: string;
  rule: RuleKind;
  /** The threshold as an absolute number (a relative `1%` is resolved against |baseline|). */
  threshold: number;
  /** The threshold as the spec wrote it, e.g. `1%` or `0.01`. */
  threshold_text: string;
  candidate: number | null;
  baseline: number | null;
  /** candidate − baseline. */
  delta: number | null;
  /** Two-sided confidence interval of delta, when a bootstrap of the difference exists. */
  ci?: [number, number];
  /** α of a significance rule; the one-sided (1 − α) bound that decided it is `bound`. */
  significance?: number;
  bound?: number;
  /** A significance rule's one-sided (1 − α) lower and upper bounds of Δ. */
  bounds?: [number, number];
  evidence?: Evidence;
  /** For an `inconclusive` rule: whether it counts as a pass or a fail. */
  on_inconclusive?: OnInconclusive;
  /**
   * For an `inconclusive` rule: about how many rows would settle it, if Δ stayed where it is
   * (null when Δ sits on the tolerance itself and no number of rows would).
   */
  rows_to_settle?: number | null;
  status: RuleStatus;
  /** One line a reviewer reads: "dropped 0.020 > 0.01 allowed". */
  reason: string;
  slice?: { column: string; value: string };
}

/** McNemar's exact test on accuracy, shown in the report as a cross-check of the paired bootstrap. */
export interface McNemarResult {
  candidate_only: number;
  baseline_only: number;
  p_value: number;
}

/** `modelgate/verdict@1` (CONTRACT.md "Files"). */
export interface Verdict {
  schema: typeof VERDICT_SCHEMA;
  passed: boolean;
  /** True when both models were scored on the same rows and the differences are paired. */
  paired: boolean;
  candidate: { sha256: string | null; evaluation?: string };
  /** Null when there is no baseline (`--baseline none`). */
  baseline: { sha256: string | null; ref: string | null; evaluation?: string } | null;
  rules: RuleResult[];
  mcnemar?: McNemarResult;
  notes: string[];
  created_at: string;
  tool: { name: 'modelgate'; version: string };
}

/** True when the rule keeps the verdict from passing: a fail, an error, or an inconclusive counted as a fail. */
export function ruleBlocks(rule: Pick<RuleResult, 'status' | 'on_inconclusive'>): boolean {
  return (
    rule.status === 'fail' ||
    rule.status === 'error' ||
    (rule.status === 'inconclusive' && rule.on_inconclusive === 'fail')
  );
}
