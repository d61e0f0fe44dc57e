/**
 * The rules themselves: a bound on the candidate, or a change against the baseline decided on
 * point estimates or on a one-sided bound of Δ, each with the one-line reason a reviewer reads.
 */
import type { Evidence, OnInconclusive, RuleStatus } from '../kernel/records/verdict.ts';
import {
  confidenceLabel,
  exceeds,
  formatPair,
  formatSigned,
  formatValue,
  RELATIVE_TOLERANCE,
} from './numbers.ts';
import type { GateRule, MetricGate } from './spec.ts';

/** A rule's status and reason, and for a significance rule the bound and evidence that decided it. */
export interface Outcome {
  status: RuleStatus;
  reason: string;
  bound?: number;
  bounds?: [number, number];
  evidence?: Evidence;
  on_inconclusive?: OnInconclusive;
  rows_to_settle?: number | null;
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
  /** The rows the candidate was scored on (of the slice, for a slice rule), for the inconclusive estimate. */
  readonly rows?: number;
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

/** A significance rule's one-sided (1 − α) bounds of Δ: Δ is at least `lower` and at most `upper`. */
export interface DeltaBounds {
  readonly lower: number;
  readonly upper: number;
}

/**
 * With `significance: α`, three outcomes. Both one-sided (1 − α) bounds of Δ are turned into
 * improvements (positive is better): `worst`, the least favourable plausible one, and `best`.
 * - pass: even the worst plausible change meets the rule (a limit: the worsening is within the
 *   tolerance; min_improvement: the improvement is real);
 * - fail: even the best plausible change does not;
 * - inconclusive: the interval straddles the tolerance, and the data cannot tell.
 */
export function decideOnBounds(
  change: Change,
  alpha: number,
  bounds: DeltaBounds,
  onInconclusive: OnInconclusive,
): Outcome {
  const higher = change.gate.direction === 'higher';
  const worst = higher ? bounds.lower : -bounds.upper;
  const best = higher ? bounds.upper : -bounds.lower;
  // The Δ side of each: which bound of Δ shows a pass, and which a fail.
  const passSide = higher ? 'lower' : 'upper';
  const failSide = higher ? 'upper' : 'lower';
  const limit = limitOfDelta(change);
  const words = WORSENING[change.gate.direction];
  const confidence = confidenceLabel(alpha);
  const point = describePoint(change);
  const isLimit = change.rule.kind !== 'min_improvement';

  if (meetsRule(change, worst, bounds.lower, bounds.upper)) {
    const bound = bounds[passSide];
    const [shownBound, shownLimit] = formatPair(bound, limit, formatSigned);
    const shows = isLimit ? `within ${shownLimit}` : `${higher ? '≥' : '≤'} ${shownLimit} required`;
    return {
      status: 'pass',
      reason: `${point}; ${confidence} ${passSide} bound of Δ is ${shownBound}, ${shows}`,
      bound,
    };
  }
  if (!meetsRule(change, best, bounds.lower, bounds.upper)) {
    const bound = bounds[failSide];
    const [shownBound, shownLimit] = formatPair(bound, limit, formatSigned);
    const so = isLimit ? `so the ${words.noun} is real` : 'so the improvement is not reached';
    return {
      status: 'fail',
      reason: `${point}; ${confidence} ${failSide} bound of Δ is ${shownBound}, beyond ${shownLimit}, ${so}`,
      bound,
    };
  }
  const [lower, upper] = [formatSigned(bounds.lower), formatSigned(bounds.upper)];
  const [, shownLimit] = formatPair(bounds.lower, limit, formatSigned);
  const rows = rowsToSettle(change, worst, best);
  const settle =
    change.rows === undefined
      ? ''
      : rows === null
        ? '; Δ sits on the tolerance, so more rows would not settle it'
        : `; about ${formatRows(rows)} rows (now ${formatRows(change.rows)}) would settle it`;
  return {
    status: 'inconclusive',
    reason:
      `${point}, but the data cannot tell: the one-sided ${confidence} bounds of Δ, [${lower}, ${upper}], straddle ` +
      `${shownLimit}${settle}; counted as a ${onInconclusive} (on_inconclusive: ${onInconclusive})`,
    on_inconclusive: onInconclusive,
    rows_to_settle: rows,
  };
}

/** The tolerance as a value of Δ: −d for a drop limit, +d for an increase limit, ±d (or 0) for min_improvement. */
function limitOfDelta(change: Change): number {
  const higher = change.gate.direction === 'higher';
  if (change.rule.kind !== 'min_improvement') return higher ? -change.threshold : change.threshold;
  const needed = needsStrictImprovement(change) ? 0 : change.threshold;
  return higher ? needed : -needed;
}

/**
 * About how many rows would settle an inconclusive rule, if Δ stayed where it is. A bootstrap
 * bound sits at a distance from Δ that shrinks like 1/√n; the rule settles once the bound on
 * the far side of the tolerance (the pass side when Δ meets the rule, else the fail side) stops
 * crossing it, i.e. when that distance shrinks to |Δ − tolerance|. So n' = n × (distance / gap)².
 * Rough by nature (Δ itself moves with more data), and said as "about". Null when Δ sits on the
 * tolerance (gap 0): no number of rows would settle it.
 */
function rowsToSettle(change: Change, worst: number, best: number): number | null {
  if (change.rows === undefined) return null;
  const improvement = improvementOf(change);
  const limit = change.gate.direction === 'higher' ? limitOfDelta(change) : -limitOfDelta(change);
  const gap = Math.abs(improvement - limit);
  if (!(gap > RELATIVE_TOLERANCE * Math.max(Math.abs(improvement), Math.abs(limit)))) return null;
  const distance = meetsRule(change, improvement) ? improvement - worst : best - improvement;
  const rows = change.rows * (Math.max(distance, 0) / gap) ** 2;
  return Math.max(change.rows + 1, roundUp(rows));
}

/** Up to two significant digits, rounded up: an estimate should not pretend to be exact. */
function roundUp(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
  return Math.ceil(value / step) * step;
}

function formatRows(rows: number): string {
  return rows.toLocaleString('en-US');
}
