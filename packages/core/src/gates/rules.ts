/**
 * The rules themselves: a bound on the candidate, or a change against the baseline decided on
 * point estimates or on a one-sided bound of Δ, each with the one-line reason a reviewer reads.
 */
import type { Evidence, RuleStatus } from '../record/verdict.ts';
import { confidenceLabel, exceeds, formatPair, formatSigned, formatValue } from './numbers.ts';
import type { GateRule, MetricGate } from './spec.ts';

/** A rule's status and reason, and for a significance rule the bound and evidence that decided it. */
export interface Outcome {
  status: RuleStatus;
  reason: string;
  bound?: number;
  evidence?: Evidence;
}

export function checkBound(kind: 'min' | 'max', candidate: number, threshold: number): Outcome {
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
export interface Change {
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
export function boundSide(kind: GateRule['kind'], higher: boolean): 'lower' | 'upper' {
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

export function decideOnPoint(change: Change): Outcome {
  return {
    status: meetsRule(change, improvementOf(change)) ? 'pass' : 'fail',
    reason: describePoint(change),
  };
}

/**
 * With `significance: α`: a limit fails only when the (1 − α) bound of Δ shows the worsening
 * is beyond the threshold; `min_improvement` passes only when the bound shows the improvement.
 */
export function decideOnBound(
  change: Change,
  alpha: number,
  side: 'lower' | 'upper',
  bound: number,
): Outcome {
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
