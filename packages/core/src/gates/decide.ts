/**
 * Applies a gate spec to a candidate evaluation, against a baseline when there is one
 * (CONTRACT.md "The rules"). Pure: the statistics come in through {@link ChangeEvidence}, so the
 * same decision serves paired and unpaired comparisons, and tests hand in plain objects.
 *
 * Decisions in the corners, each on purpose:
 * - Floats are compared with a relative tolerance of 1e-12 (numbers.ts): a threshold met
 *   exactly passes even when the subtraction rounds up.
 * - A relative threshold (`1%`) is a fraction of |baseline|. Against a zero baseline it allows
 *   no worsening at all, the limit of "any drop from 0 is an infinite relative drop":
 *   `max_drop`/`max_increase` fail on any worsening; `min_improvement` needs a strict
 *   improvement (unless written `0%`).
 * - The verdict stores Δ and resolved thresholds to 15 significant digits (numbers.ts `tidy`);
 *   decisions use the exact values.
 * - A threshold that cannot be resolved (relative, and the baseline value is missing) is NaN,
 *   which the verdict's JSON writes as null; the rule is then `skip` or `error` anyway.
 * - `require_baseline` with no baseline fails every change rule; when the spec has no change
 *   rule, the verdict fails with a note, so the setting never passes silently.
 */
import { didYouMean } from '../kernel/errors.ts';
import type { EvaluationRecord, MetricValue } from '../kernel/records/evaluation.ts';
import { type OnInconclusive, type RuleResult, ruleBlocks } from '../kernel/records/verdict.ts';
import { tidy, tidyDifference } from './numbers.ts';
import { type Change, checkBound, decideOnBounds, decideOnPoint, type Outcome } from './rules.ts';
import type { GateRule, GateSpec, MetricGate } from './spec.ts';

/** A slice of the evaluation: rows where `column` equals `value`. */
export interface SliceKey {
  readonly column: string;
  readonly value: string;
}

/** The statistics of candidate − baseline, from a paired or an unpaired bootstrap. */
export interface ChangeEvidence {
  readonly kind: 'paired' | 'unpaired';
  /** Two-sided CI of candidate − baseline at the report confidence (e.g. 95%), or undefined. */
  interval(metric: string, slice?: SliceKey): [number, number] | undefined;
  /** One-sided (1 − alpha) bound of candidate − baseline: side 'lower' = the difference is at least this; 'upper' = at most this. */
  bound(metric: string, alpha: number, side: 'lower' | 'upper', slice?: SliceKey): number | undefined;
}

/**
 * The verdict's decision: `passed` is false when any rule failed, could not be checked, or was
 * inconclusive under `on_inconclusive: fail`.
 */
export interface Decision {
  passed: boolean;
  rules: RuleResult[];
  /** Things a reviewer should know about how the rules were decided. */
  notes: string[];
}

/** The baseline's side of one scope: its metric values, or why there are none. */
type BaselineScope =
  | { readonly kind: 'values'; readonly metrics: Readonly<Record<string, MetricValue>> }
  | { readonly kind: 'none'; readonly reason: string; readonly fails: boolean };

/** Where a gate applies: the whole evaluation, or one slice of it. */
interface Scope {
  readonly candidate: Readonly<Record<string, MetricValue>>;
  readonly baseline: BaselineScope;
  readonly slice?: SliceKey;
  /** The candidate's rows in this scope, for how many rows would settle an inconclusive rule. */
  readonly rows?: number;
}

/** What the rules learned about the evidence, gathered into notes once. */
interface Observations {
  /** Significance rules that fell back to point estimates, as `accuracy max_drop`. */
  readonly pointFallback: Set<string>;
  unpaired: boolean;
}

/** What every rule check shares. */
interface Context {
  readonly evidence: ChangeEvidence | undefined;
  readonly seen: Observations;
  readonly onInconclusive: OnInconclusive;
}

/** Applies every rule of the spec; see the module comment for the corner cases. */
export function decide(
  spec: GateSpec,
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
  evidence: ChangeEvidence | undefined,
): Decision {
  const context: Context = {
    evidence,
    seen: { pointFallback: new Set(), unpaired: false },
    onInconclusive: spec.onInconclusive ?? 'pass',
  };
  const noBaseline: BaselineScope = {
    kind: 'none',
    reason: spec.requireBaseline ? 'no baseline, and require_baseline is set' : 'no baseline',
    fails: spec.requireBaseline,
  };
  const overall: Scope = {
    candidate: candidate.metrics,
    baseline: baseline === null ? noBaseline : { kind: 'values', metrics: baseline.metrics },
    rows: candidate.data.rows,
  };
  const rules = checkGates(spec.gates, overall, context, '');
  const notes: string[] = [];
  if (spec.sliceGates.length > 0) {
    rules.push(...checkSlices(spec.sliceGates, candidate, baseline, noBaseline, context, notes));
  }

  const changeRules = [...spec.gates, ...spec.sliceGates].some((gate) => gate.rules.some(isChangeRule));
  // require_baseline turns the skipped change rules into failures; with no change rule to
  // turn, the missing baseline fails the verdict itself rather than passing silently.
  const baselineMissingFails = baseline === null && spec.requireBaseline && !changeRules;
  if (baseline === null && spec.requireBaseline) {
    notes.push('there is no baseline and require_baseline is set, so the gate fails');
  } else if (baseline === null && changeRules) {
    notes.push('no baseline: the change rules were skipped and only min/max applied');
  }
  notes.push(...evidenceNotes(context.seen));
  if (rules.length === 0 && !baselineMissingFails)
    notes.push('the gate spec has no rules, so nothing was checked');

  const passed = !baselineMissingFails && !rules.some(ruleBlocks);
  return { passed, rules, notes };
}

function checkGates(
  gates: readonly MetricGate[],
  scope: Scope,
  context: Context,
  labelPrefix: string,
): RuleResult[] {
  return gates.flatMap((gate) =>
    gate.rules.map((rule) => checkRule(gate, rule, scope, context, labelPrefix)),
  );
}

/** slice_gates on every slice of the candidate, each against the baseline's slice with the same column and value. */
function checkSlices(
  gates: readonly MetricGate[],
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
  noBaseline: BaselineScope,
  context: Context,
  notes: string[],
): RuleResult[] {
  const sameSlice = (a: SliceKey) => (b: SliceKey) => a.column === b.column && a.value === b.value;
  if (candidate.slices.length === 0) {
    notes.push(
      'slice_gates were not applied: the candidate evaluation has no slices (evaluate with --slice-by)',
    );
  }
  for (const slice of baseline?.slices ?? []) {
    if (!candidate.slices.some(sameSlice(slice))) {
      notes.push(
        `slice ${sliceName(slice)} is in the baseline but not in the candidate evaluation; it was not gated`,
      );
    }
  }
  return candidate.slices.flatMap((slice) => {
    const key: SliceKey = { column: slice.column, value: slice.value };
    const match = baseline?.slices.find(sameSlice(key));
    const scope: Scope = {
      candidate: slice.metrics,
      baseline:
        baseline === null
          ? noBaseline
          : match === undefined
            ? {
                kind: 'none',
                reason: `slice ${sliceName(key)} is not in the baseline evaluation`,
                fails: false,
              }
            : { kind: 'values', metrics: match.metrics },
      slice: key,
      rows: slice.rows,
    };
    return checkGates(gates, scope, context, 'slice ');
  });
}

function evidenceNotes(seen: Observations): string[] {
  const notes: string[] = [];
  if (seen.pointFallback.size > 0) {
    notes.push(
      `significance was not applied to ${[...seen.pointFallback].join(', ')}: no bootstrap of the difference ` +
        'is available (was the bootstrap off?), so point estimates decided',
    );
  }
  if (seen.unpaired) {
    notes.push(
      'significance used independent bootstraps of the two evaluations (unpaired), weaker evidence than a ' +
        'paired bootstrap on the same rows; compare with --baseline-model for paired statistics',
    );
  }
  return notes;
}

function isChangeRule(rule: GateRule): boolean {
  return rule.kind !== 'min' && rule.kind !== 'max';
}

function sliceName(slice: SliceKey): string {
  return `${slice.column}=${slice.value}`;
}

/** A metric's value, or undefined when the record does not hold a finite one. */
function metricValue(metrics: Readonly<Record<string, MetricValue>>, metric: string): number | undefined {
  // hasOwn: a custom metric may be called `constructor`.
  if (!Object.hasOwn(metrics, metric)) return undefined;
  const value = metrics[metric]?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function missingReason(
  metrics: Readonly<Record<string, MetricValue>>,
  metric: string,
  which: 'candidate' | 'baseline',
  slice: SliceKey | undefined,
): string {
  const where = slice === undefined ? '' : ` for slice ${sliceName(slice)}`;
  if (Object.hasOwn(metrics, metric)) return `${metric} has no value in the ${which} evaluation${where}`;
  // A custom metric's name (accepted with higher_is_better) may be a typo of one the record has.
  const guess = didYouMean(metric, Object.keys(metrics));
  return `${metric} is not in the ${which} evaluation${where}${guess === undefined ? '' : `; did you mean '${guess}'?`}`;
}

function checkRule(
  gate: MetricGate,
  rule: GateRule,
  scope: Scope,
  { evidence, seen, onInconclusive }: Context,
  labelPrefix: string,
): RuleResult {
  const { metric } = gate;
  const candidate = metricValue(scope.candidate, metric);
  const baselineMetrics = scope.baseline.kind === 'values' ? scope.baseline.metrics : undefined;
  const baseline = baselineMetrics === undefined ? undefined : metricValue(baselineMetrics, metric);
  const delta =
    candidate !== undefined && baseline !== undefined ? tidyDifference(candidate, baseline) : null;
  const ci = delta === null ? undefined : evidence?.interval(metric, scope.slice);
  const threshold = !rule.relative
    ? rule.amount
    : baseline !== undefined
      ? tidy((rule.amount * Math.abs(baseline)) / 100)
      : Number.NaN;
  const significance = isChangeRule(rule) ? gate.significance : undefined;
  const result: Omit<RuleResult, 'status' | 'reason'> = {
    metric,
    ...(scope.slice === undefined ? {} : { slice: { column: scope.slice.column, value: scope.slice.value } }),
    rule: rule.kind,
    threshold,
    threshold_text: rule.text,
    candidate: candidate ?? null,
    baseline: baseline ?? null,
    delta,
    ...(ci === undefined ? {} : { ci: [ci[0], ci[1]] }),
    ...(significance === undefined ? {} : { significance }),
  };
  // Status and reason last: the order a reader of the verdict's JSON wants.
  const settle = ({ status, reason, ...details }: Outcome): RuleResult => ({
    ...result,
    ...details,
    status,
    reason,
  });

  if (candidate === undefined) {
    return settle({
      status: 'error',
      reason: missingReason(scope.candidate, metric, 'candidate', scope.slice),
    });
  }
  if (rule.kind === 'min' || rule.kind === 'max') return settle(checkBound(rule.kind, candidate, threshold));
  if (scope.baseline.kind === 'none') {
    return settle({ status: scope.baseline.fails ? 'fail' : 'skip', reason: scope.baseline.reason });
  }
  if (baseline === undefined) {
    return settle({
      status: 'error',
      reason: missingReason(scope.baseline.metrics, metric, 'baseline', scope.slice),
    });
  }

  const change: Change = {
    gate,
    rule,
    candidate,
    baseline,
    threshold,
    ...(scope.rows === undefined ? {} : { rows: scope.rows }),
  };
  const alpha = significance;
  if (alpha === undefined) return settle({ ...decideOnPoint(change), evidence: 'point' });
  const lower = evidence?.bound(metric, alpha, 'lower', scope.slice);
  const upper = evidence?.bound(metric, alpha, 'upper', scope.slice);
  if (
    evidence === undefined ||
    lower === undefined ||
    upper === undefined ||
    !Number.isFinite(lower) ||
    !Number.isFinite(upper)
  ) {
    seen.pointFallback.add(`${labelPrefix}${metric} ${rule.kind}`);
    return settle({ ...decideOnPoint(change), evidence: 'point' });
  }
  if (evidence.kind === 'unpaired') seen.unpaired = true;
  const outcome = decideOnBounds(change, alpha, { lower, upper }, gate.onInconclusive ?? onInconclusive);
  return settle({ ...outcome, bounds: [lower, upper], evidence: evidence.kind });
}
