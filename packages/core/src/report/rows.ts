import type { EvaluationRecord, MetricValue } from '../kernel/records/evaluation.ts';
import { type RuleResult, type RuleStatus, ruleBlocks, type Verdict } from '../kernel/records/verdict.ts';
import { type Direction, metricDirection } from '../metrics/index.ts';

/**
 * One metric as the report shows it: the values once, and every rule on that metric beside
 * them. Rules on the same metric share the baseline, the candidate, Δ and Δ's interval, so
 * one row per metric with its rules stacked in the gate and status cells repeats nothing,
 * while each rule still shows its own decision.
 */
export interface MetricRow {
  metric: string;
  direction: Direction | undefined;
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline. */
  delta: number | null;
  ci: [number, number] | undefined;
  /** Empty for a metric without gates. */
  rules: RuleResult[];
}

/** A metric of one slice. */
export interface SliceRow extends MetricRow {
  column: string;
  value: string;
  /** The slice's rows in the candidate's evaluation; null when only a rule names the slice. */
  rows: number | null;
}

export const STATUS_ICON: Readonly<Record<RuleStatus, string>> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '❔',
  skip: '⏭️',
  error: '⚠️',
};

/** A rule's status as a table cell: `❌ fail`, and `❔ inconclusive → fail` when it counts as a fail. */
export function statusText(rule: RuleResult): string {
  const counted =
    rule.status === 'inconclusive' && rule.on_inconclusive !== undefined ? ` → ${rule.on_inconclusive}` : '';
  return `${STATUS_ICON[rule.status]} ${rule.status}${counted}`;
}

// fail and error both block the merge; an inconclusive rule needs a reviewer's eye whatever it
// counts as; a pass outranks a skip because it was actually checked.
const SEVERITY: Readonly<Record<RuleStatus, number>> = {
  fail: 4,
  error: 3,
  inconclusive: 2,
  pass: 1,
  skip: 0,
};

/** The status that decides a group of rules: the worst of them, or undefined for none. */
export function worstStatus(rules: readonly RuleResult[]): RuleStatus | undefined {
  let worst: RuleStatus | undefined;
  for (const rule of rules)
    if (worst === undefined || SEVERITY[rule.status] > SEVERITY[worst]) worst = rule.status;
  return worst;
}

/** True when any of the rules keeps the verdict from passing. */
export function blocks(rules: readonly RuleResult[]): boolean {
  return rules.some(ruleBlocks);
}

/** The rule as the spec wrote it: `max_drop 1% (α=0.05)`. */
export function ruleText(rule: RuleResult): string {
  const threshold =
    rule.threshold_text !== undefined && rule.threshold_text !== ''
      ? rule.threshold_text
      : String(rule.threshold);
  return `${rule.rule} ${threshold}${rule.significance !== undefined ? ` (α=${rule.significance})` : ''}`;
}

/**
 * Which way the metric improves: built-ins know; for a custom metric the gate's own rules tell
 * (a `max_drop` only fits a higher-is-better metric, a `max_increase` a lower-is-better one).
 */
export function directionOf(metric: string, rules: readonly RuleResult[]): Direction | undefined {
  const known = metricDirection(metric);
  if (known !== undefined) return known;
  if (rules.some((rule) => rule.rule === 'max_drop')) return 'higher';
  if (rules.some((rule) => rule.rule === 'max_increase')) return 'lower';
  return undefined;
}

/**
 * The main table's rows: every gated metric in the order the spec lists it, then the
 * candidate's other metrics in the record's order.
 */
export function metricRows(
  verdict: Verdict,
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
): { gated: MetricRow[]; ungated: MetricRow[] } {
  const byMetric = groupBy(
    verdict.rules.filter((rule) => rule.slice === undefined),
    (rule) => rule.metric,
  );
  const gated = [...byMetric].map(([metric, rules]) =>
    row(metric, rules, candidate.metrics[metric], baseline?.metrics[metric]),
  );
  const ungated = Object.entries(candidate.metrics)
    .filter(([metric]) => !byMetric.has(metric))
    .map(([metric, value]) => row(metric, [], value, baseline?.metrics[metric]));
  return { gated, ungated };
}

/**
 * One row per slice and slice metric, worst first: blocking rules first, then by how far the
 * metric moved the wrong way (the most negative Δ in the metric's good direction), then by
 * the slice's size, larger first, so that trimming from the end drops small, harmless slices.
 *
 * The metrics shown are those with slice gates; without slice gates, the first gated metric
 * the slices have (or their first metric), so the slices still say something.
 */
export function sliceRows(
  verdict: Verdict,
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
): SliceRow[] {
  const sliceRules = verdict.rules.filter((rule) => rule.slice !== undefined);
  const shown = sliceMetrics(verdict, candidate, sliceRules);
  const rulesOf = groupBy(sliceRules, (rule) => sliceKey(rule.slice!.column, rule.slice!.value, rule.metric));
  const baselineSlices = new Map((baseline?.slices ?? []).map((s) => [sliceKey(s.column, s.value), s]));

  const rows: SliceRow[] = [];
  const seen = new Set<string>();
  const add = (
    column: string,
    value: string,
    metric: string,
    count: number | null,
    metrics: Record<string, MetricValue>,
  ) => {
    const key = sliceKey(column, value, metric);
    if (seen.has(key)) return;
    seen.add(key);
    const base = baselineSlices.get(sliceKey(column, value))?.metrics[metric];
    const rules = rulesOf.get(key) ?? [];
    if (metrics[metric] === undefined && rules.length === 0) return;
    rows.push({ column, value, rows: count, ...row(metric, rules, metrics[metric], base) });
  };
  for (const slice of candidate.slices) {
    for (const metric of shown) add(slice.column, slice.value, metric, slice.rows, slice.metrics);
  }
  // A rule on a slice the candidate's record lacks still has to be seen (it is likely an error).
  for (const rule of sliceRules) add(rule.slice!.column, rule.slice!.value, rule.metric, null, {});
  return rows.sort(worstFirst);
}

function sliceMetrics(verdict: Verdict, candidate: EvaluationRecord, sliceRules: RuleResult[]): string[] {
  const gated = [...new Set(sliceRules.map((rule) => rule.metric))];
  if (gated.length > 0) return gated;
  const available = new Set(candidate.slices.flatMap((slice) => Object.keys(slice.metrics)));
  const main = verdict.rules.find((rule) => rule.slice === undefined && available.has(rule.metric))?.metric;
  const first = main ?? candidate.slices.flatMap((slice) => Object.keys(slice.metrics))[0];
  return first === undefined ? [] : [first];
}

function worstFirst(a: SliceRow, b: SliceRow): number {
  const blocking = Number(blocks(b.rules)) - Number(blocks(a.rules));
  if (blocking !== 0) return blocking;
  const harm = compareHarm(a, b);
  if (harm !== 0) return harm;
  const size = (b.rows ?? -1) - (a.rows ?? -1);
  if (size !== 0) return size;
  return (
    a.column.localeCompare(b.column) || a.value.localeCompare(b.value) || a.metric.localeCompare(b.metric)
  );
}

/**
 * Negative when `a` is worse off than `b`: first by how far it moved the wrong way (rows with a
 * Δ before rows without one), then, on a tie or with no baseline, by its own value, worst first.
 */
function compareHarm(a: SliceRow, b: SliceRow): number {
  return compareGoodward(a, b, (row) => row.delta) || compareGoodward(a, b, (row) => row.candidate);
}

function compareGoodward(a: SliceRow, b: SliceRow, pick: (row: SliceRow) => number | null): number {
  const aValue = goodward(a, pick(a));
  const bValue = goodward(b, pick(b));
  if (aValue === null || bValue === null) return aValue === null ? (bValue === null ? 0 : 1) : -1;
  return aValue - bValue;
}

/** A number turned so that larger is better, whichever way the metric improves. */
function goodward(row: MetricRow, value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return row.direction === 'lower' ? -value : value;
}

function row(
  metric: string,
  rules: RuleResult[],
  candidate: MetricValue | undefined,
  baseline: MetricValue | undefined,
): MetricRow {
  const fromRule = <T>(pick: (rule: RuleResult) => T | null | undefined): T | undefined => {
    for (const rule of rules) {
      const value = pick(rule);
      if (value !== null && value !== undefined) return value;
    }
    return undefined;
  };
  // The verdict's numbers decided the gate, so they win over the records' where both exist.
  const candidateValue = fromRule((rule) => rule.candidate) ?? candidate?.value ?? null;
  const baselineValue = fromRule((rule) => rule.baseline) ?? baseline?.value ?? null;
  const delta =
    fromRule((rule) => rule.delta) ??
    (candidateValue !== null && baselineValue !== null ? candidateValue - baselineValue : null);
  return {
    metric,
    direction: directionOf(metric, rules),
    baseline: baselineValue,
    candidate: candidateValue,
    delta,
    ci: fromRule((rule) => rule.ci),
    rules,
  };
}

function sliceKey(column: string, value: string, metric = ''): string {
  return JSON.stringify([column, value, metric]);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
