/**
 * Applies a gate spec to a candidate evaluation, against a baseline when there is one
 * (CONTRACT.md "The rules"). Pure: the statistics come in through {@link ChangeEvidence}, so the
 * same decision serves paired and unpaired comparisons, and tests hand in plain objects.
 *
 * Decisions in the corners, each on purpose:
 * - Floats are compared with a relative tolerance of 1e-12 (numbers.ts): a threshold met
 *   exactly passes even when the subtraction rounds up.
 * - A relative threshold (`1%`) is a fraction of |baseline|. Against a zero baseline it allows
 *   no change at all, which is the limit of "any drop from 0 is an infinite relative drop":
 *   `max_drop`/`max_increase` fail on any worsening; `min_improvement` needs a strict
 *   improvement (unless written `0%`).
 * - A threshold that cannot be resolved (relative, and the baseline value is missing) is NaN,
 *   which the verdict's JSON writes as null; the rule is then `skip` or `error` anyway.
 * - `require_baseline` with no baseline fails every change rule; when the spec has no change
 *   rule, the verdict fails with a note, so the setting never passes silently.
 */
import type { EvaluationRecord, MetricValue } from '../record/evaluation.ts';
import type { Evidence, RuleResult, RuleStatus } from '../record/verdict.ts';
import { confidenceLabel, exceeds, formatPair, formatSigned, formatValue } from './numbers.ts';
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

/** The verdict's decision: `passed` is false when any rule failed or could not be checked. */
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
}

/** What the rules learned about the evidence, gathered into notes once. */
interface Observations {
  /** Significance rules that fell back to point estimates, as `accuracy max_drop`. */
  readonly pointFallback: Set<string>;
  unpaired: boolean;
}

/** Applies every rule of the spec; see the module comment for the corner cases. */
export function decide(
  spec: GateSpec,
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
  evidence: ChangeEvidence | undefined,
): Decision {
  const seen: Observations = { pointFallback: new Set(), unpaired: false };
  const notes: string[] = [];
  const rules: RuleResult[] = [];
  const noBaseline: BaselineScope = {
    kind: 'none',
    reason: spec.requireBaseline ? 'no baseline, and require_baseline is set' : 'no baseline',
    fails: spec.requireBaseline,
  };

  const overall: Scope = {
    candidate: candidate.metrics,
    baseline: baseline === null ? noBaseline : { kind: 'values', metrics: baseline.metrics },
  };
  for (const gate of spec.gates) {
    for (const rule of gate.rules) rules.push(checkRule(gate, rule, overall, evidence, seen, ''));
  }

  if (spec.sliceGates.length > 0) {
    if (candidate.slices.length === 0) {
      notes.push(
        'slice_gates were not applied: the candidate evaluation has no slices (evaluate with --slice-by)',
      );
    }
    for (const slice of candidate.slices) {
      const key: SliceKey = { column: slice.column, value: slice.value };
      const match = baseline?.slices.find((b) => b.column === slice.column && b.value === slice.value);
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
      };
      for (const gate of spec.sliceGates) {
        for (const rule of gate.rules) rules.push(checkRule(gate, rule, scope, evidence, seen, 'slice '));
      }
    }
    for (const slice of baseline?.slices ?? []) {
      if (!candidate.slices.some((c) => c.column === slice.column && c.value === slice.value)) {
        notes.push(
          `slice ${sliceName(slice)} is in the baseline but not in the candidate evaluation; it was not gated`,
        );
      }
    }
  }

  const changeRules = [...spec.gates, ...spec.sliceGates].some((gate) => gate.rules.some(isChangeRule));
  let baselineMissingFails = false;
  if (baseline === null && spec.requireBaseline) {
    notes.push('there is no baseline and require_baseline is set, so the gate fails');
    baselineMissingFails = !changeRules;
  } else if (baseline === null && changeRules) {
    notes.push('no baseline: the change rules were skipped and only min/max applied');
  }
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
  if (rules.length === 0 && !baselineMissingFails)
    notes.push('the gate spec has no rules, so nothing was checked');

  const passed =
    !baselineMissingFails && rules.every((rule) => rule.status === 'pass' || rule.status === 'skip');
  return { passed, rules, notes };
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
  return Object.hasOwn(metrics, metric)
    ? `${metric} has no value in the ${which} evaluation${where}`
    : `${metric} is not in the ${which} evaluation${where}`;
}

function checkRule(
  gate: MetricGate,
  rule: GateRule,
  scope: Scope,
  evidence: ChangeEvidence | undefined,
  seen: Observations,
  labelPrefix: string,
): RuleResult {
  const { metric } = gate;
  const candidate = metricValue(scope.candidate, metric);
  const baselineMetrics = scope.baseline.kind === 'values' ? scope.baseline.metrics : undefined;
  const baseline = baselineMetrics === undefined ? undefined : metricValue(baselineMetrics, metric);
  const delta = candidate !== undefined && baseline !== undefined ? candidate - baseline : null;
  const ci = delta === null ? undefined : evidence?.interval(metric, scope.slice);
  const threshold = !rule.relative
    ? rule.amount
    : baseline !== undefined
      ? rule.amount * Math.abs(baseline)
      : Number.NaN;
  const result: RuleResult = {
    metric,
    ...(scope.slice === undefined ? {} : { slice: { column: scope.slice.column, value: scope.slice.value } }),
    rule: rule.kind,
    threshold,
    threshold_text: rule.text,
    candidate: candidate ?? null,
    baseline: baseline ?? null,
    delta,
    ...(ci === undefined ? {} : { ci: [ci[0], ci[1]] }),
    status: 'error',
    reason: '',
  };
  const settle = (outcome: Outcome): RuleResult => ({ ...result, ...outcome });

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

  const change: Change = { gate, rule, candidate, baseline, threshold };
  const alpha = gate.significance;
  if (alpha === undefined) return settle({ ...decideOnPoint(change), evidence: 'point' });
  const side = boundSide(rule.kind, gate.direction === 'higher');
  const bound = evidence?.bound(metric, alpha, side, scope.slice);
  if (evidence === undefined || bound === undefined || !Number.isFinite(bound)) {
    seen.pointFallback.add(`${labelPrefix}${metric} ${rule.kind}`);
    return settle({ ...decideOnPoint(change), significance: alpha, evidence: 'point' });
  }
  if (evidence.kind === 'unpaired') seen.unpaired = true;
  return settle({
    ...decideOnBound(change, alpha, side, bound),
    significance: alpha,
    bound,
    evidence: evidence.kind,
  });
}

interface Outcome {
  status: RuleStatus;
  reason: string;
  evidence?: Evidence;
  significance?: number;
  bound?: number;
}

function checkBound(kind: 'min' | 'max', candidate: number, threshold: number): Outcome {
  const [value, limit] = formatPair(candidate, threshold);
  if (kind === 'min') {
    return exceeds(threshold, candidate)
      ? { status: 'fail', reason: `${value} < min ${limit}` }
      : { status: 'pass', reason: `${value} ≥ min ${limit}` };
  }
  return exceeds(candidate, threshold)
    ? { status: 'fail', reason: `${value} > max ${limit}` }
    : { status: 'pass', reason: `${value} ≤ max ${limit}` };
}

/** One change rule with everything resolved: both values and the absolute threshold. */
interface Change {
  readonly gate: MetricGate;
  readonly rule: GateRule;
  readonly candidate: number;
  readonly baseline: number;
  readonly threshold: number;
}

/**
 * The side of the Δ bound that decides a rule. A limit on worsening fails only when even the
 * most favourable plausible Δ is too bad (the upper bound for higher-is-better); an
 * improvement counts only when even the least favourable plausible Δ is good enough.
 */
function boundSide(kind: GateRule['kind'], higher: boolean): 'lower' | 'upper' {
  const limitsWorsening = kind === 'max_drop' || kind === 'max_increase';
  return limitsWorsening === higher ? 'upper' : 'lower';
}

/** Change in the metric's good direction: positive is better. */
function improvementOf(change: Change): number {
  const delta = change.candidate - change.baseline;
  return change.gate.direction === 'higher' ? delta : -delta;
}

/** min_improvement against a zero baseline with a relative threshold: any real improvement. */
function needsStrictImprovement(change: Change): boolean {
  return (
    change.rule.kind === 'min_improvement' &&
    change.rule.relative &&
    change.baseline === 0 &&
    change.rule.amount > 0
  );
}

/** True when `improvement` satisfies the rule (for limits: the worsening is within the threshold). */
function meetsRule(change: Change, improvement: number, ...operands: number[]): boolean {
  const { threshold, candidate, baseline } = change;
  if (change.rule.kind !== 'min_improvement')
    return !exceeds(-improvement, threshold, candidate, baseline, ...operands);
  if (needsStrictImprovement(change)) return exceeds(improvement, 0, candidate, baseline, ...operands);
  return !exceeds(threshold, improvement, candidate, baseline, ...operands);
}

/** `0.0095 (1% of 0.95)` for a relative threshold, the plain number otherwise. */
function describeThreshold(change: Change, formatted: string): string {
  const { rule, baseline } = change;
  return rule.relative ? `${formatted} (${rule.text} of ${formatValue(Math.abs(baseline))})` : formatted;
}

const WORSENING = {
  higher: { verb: 'dropped', noun: 'drop' },
  lower: { verb: 'increased', noun: 'increase' },
};

/** What happened, in point estimates: "dropped 0.02 > 0.01 allowed", "improved 0.008 ≥ 0.005 required". */
function describePoint(change: Change): string {
  const improvement = improvementOf(change);
  const words = WORSENING[change.gate.direction];
  const { candidate, baseline, threshold } = change;
  const worse = exceeds(-improvement, 0, candidate, baseline);
  const better = exceeds(improvement, 0, candidate, baseline);
  if (change.rule.kind !== 'min_improvement') {
    if (worse) {
      const [amount, limit] = formatPair(-improvement, threshold);
      const sign = meetsRule(change, improvement) ? '≤' : '>';
      return `${words.verb} ${amount} ${sign} ${describeThreshold(change, limit)} allowed`;
    }
    const allowed = `max ${words.noun} ${describeThreshold(change, formatValue(threshold))}`;
    return better ? `improved ${formatValue(improvement)} (${allowed})` : `unchanged (${allowed})`;
  }
  if (needsStrictImprovement(change)) {
    const required = `any improvement is required (${change.rule.text} of a zero baseline)`;
    return better
      ? `improved ${formatValue(improvement)}; ${required}`
      : `${worse ? `${words.verb} ${formatValue(-improvement)}` : 'unchanged'}; ${required}`;
  }
  if (better) {
    const [amount, limit] = formatPair(improvement, threshold);
    const sign = meetsRule(change, improvement) ? '≥' : '<';
    return `improved ${amount} ${sign} ${describeThreshold(change, limit)} required`;
  }
  const required = `needs an improvement of at least ${describeThreshold(change, formatValue(threshold))}`;
  return worse ? `${words.verb} ${formatValue(-improvement)}; ${required}` : `unchanged; ${required}`;
}

function decideOnPoint(change: Change): Outcome {
  return {
    status: meetsRule(change, improvementOf(change)) ? 'pass' : 'fail',
    reason: describePoint(change),
  };
}

/**
 * With `significance: α`: a limit fails only when the (1 − α) bound of Δ shows the worsening
 * is beyond the threshold; `min_improvement` passes only when the bound shows the improvement.
 */
function decideOnBound(change: Change, alpha: number, side: 'lower' | 'upper', bound: number): Outcome {
  const higher = change.gate.direction === 'higher';
  // The bound in the good direction: for a limit, the most favourable plausible improvement;
  // for min_improvement, the least favourable one.
  const improvementBound = higher ? bound : -bound;
  const ok = meetsRule(change, improvementBound, bound);
  const pointOk = meetsRule(change, improvementOf(change));
  const { threshold } = change;
  const words = WORSENING[change.gate.direction];
  const label = `${confidenceLabel(alpha)} ${side} bound of Δ`;

  if (change.rule.kind !== 'min_improvement') {
    // Δ beyond this limit is a real violation: below −d for higher-is-better, above +d otherwise.
    const limit = higher ? -threshold : threshold;
    const [shownBound, shownLimit] = formatPair(bound, limit, formatSigned);
    if (!ok) {
      return {
        status: 'fail',
        reason: `${describePoint(change)}; ${label} is ${shownBound}, beyond ${shownLimit}, so the ${words.noun} is real`,
      };
    }
    if (!pointOk) {
      const [amount, allowed] = formatPair(-improvementOf(change), threshold);
      return {
        status: 'pass',
        reason: `${words.noun} of ${amount} > ${describeThreshold(change, allowed)} allowed is within noise: ${label} is ${shownBound}`,
      };
    }
    return { status: 'pass', reason: `${describePoint(change)}; ${label} is ${shownBound}` };
  }

  const strict = needsStrictImprovement(change);
  const limit = strict ? 0 : higher ? threshold : -threshold;
  const [shownBound, shownLimit] = formatPair(bound, limit, formatSigned);
  const required = strict ? (higher ? '>' : '<') : higher ? '≥' : '≤';
  const missed = strict ? (higher ? '≤' : '≥') : higher ? '<' : '>';
  const point = describePoint(change);
  if (ok)
    return {
      status: 'pass',
      reason: `${point}; ${label} is ${shownBound} ${required} ${shownLimit} required`,
    };
  if (!pointOk) return { status: 'fail', reason: `${point}; ${label} is ${shownBound}` };
  return {
    status: 'fail',
    reason: `${point}, but the improvement is not shown: ${label} is ${shownBound}, ${missed} ${shownLimit} required`,
  };
}
