import { formatChange, formatCount, formatInterval, formatValue, shortDigest } from '../kernel/format.ts';
import { code, details, escapeText, table } from '../kernel/markdown.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import { type RuleResult, ruleBlocks, type Verdict } from '../kernel/records/verdict.ts';
import { historySeries, renderHistory } from './chart.ts';
import { renderConfusion } from './confusion.ts';
import { withWorkspacePaths, workspacePath } from './paths.ts';
import { link, type Provenance, percent, renderProvenance } from './provenance.ts';
import {
  blocks,
  type MetricRow,
  metricRows,
  ruleText,
  type SliceRow,
  STATUS_ICON,
  sliceRows,
  statusText,
} from './rows.ts';

/**
 * The report's default size limit. GitHub rejects comment bodies over 65,536 characters; the
 * margin leaves room for the marker the sticky comment may append and for wrappers around the
 * same text in the job summary.
 */
export const MAX_REPORT_CHARS = 60_000;

/** Classes beyond which the confusion matrix is folded away: a 20 × 20 grid buries the rest. */
const MAX_OPEN_CONFUSION_CLASSES = 12;
/** Failing rules listed under the verdict; the rest are in the tables. */
const MAX_LISTED_FAILURES = 10;

export interface ReportInput {
  /** The model's name: in the headline and in the hidden marker that finds the sticky comment. */
  name: string;
  verdict: Verdict;
  candidate: EvaluationRecord;
  baseline: EvaluationRecord | null;
  provenance?: Provenance;
  /** Earlier versions' metrics for the history chart, oldest first, not including the baseline. */
  history?: Array<{ label: string; metrics: Record<string, number> }>;
  /** Where the untrimmed report lives (the job summary); linked when slices are trimmed. */
  summaryUrl?: string;
  /** The report's size limit in characters; default {@link MAX_REPORT_CHARS}. */
  maxChars?: number;
  /**
   * Where paths are shown relative to (the repository root on a runner); default
   * `GITHUB_WORKSPACE`, else the working directory.
   */
  workspace?: string;
}

/**
 * The hidden marker that identifies a model's sticky comment. The name is percent-encoded where
 * it could end the HTML comment early (`--`, `>`) or split it (spaces), so any name gives one
 * valid comment, and the same name always gives the same marker.
 */
export function reportMarker(name: string): string {
  let safe = encodeURIComponent(name);
  while (safe.includes('--')) safe = safe.replace('--', '-%2D');
  return `<!-- modelgate:report model=${safe} -->`;
}

/** The first line of the report: the verdict, and how many gates blocked it. */
export function reportHeadline(name: string, verdict: Verdict): string {
  const who = `modelgate: ${escapeText(name)}`;
  const inconclusive = verdict.rules.filter((rule) => rule.status === 'inconclusive').length;
  if (verdict.passed) {
    return inconclusive === 0
      ? `### ✅ ${who} passes its gates`
      : `### ✅ ${who} passes its gates, ${formatCount(inconclusive)} of them inconclusive`;
  }
  const blocking = verdict.rules.filter(ruleBlocks).length;
  if (blocking === 0) return `### ❌ ${who} fails its gates`;
  return `### ❌ ${who} fails ${formatCount(blocking)} of ${formatCount(verdict.rules.length)} gates`;
}

/**
 * Renders the PR comment (and job summary) for one compare: the verdict first, then the metric
 * table, the slices, the confusion-matrix diff, the metric history and the provenance. The
 * result is GitHub-flavoured markdown of at most `maxChars` characters. To get there it trims,
 * in this order, and says what it left out: the passing slices (the least harmful first), the
 * history, the confusion matrix, the notes, the metrics without gates, the failing slices, and
 * at last the text itself.
 */
export function renderReport(given: ReportInput): string {
  const maxChars = given.maxChars ?? MAX_REPORT_CHARS;
  const workspace = given.workspace ?? process.env.GITHUB_WORKSPACE ?? process.cwd();
  const { verdict } = given;
  const input: ReportInput = {
    ...given,
    // A baseline given as a file is called by its path: workspace-relative like the rest.
    verdict:
      verdict.baseline === null || verdict.baseline.ref === null
        ? verdict
        : {
            ...verdict,
            baseline: { ...verdict.baseline, ref: workspacePath(verdict.baseline.ref, workspace) },
          },
    candidate: withWorkspacePaths(given.candidate, workspace),
    baseline: given.baseline === null ? null : withWorkspacePaths(given.baseline, workspace),
  };
  const parts = prepare(input);
  const full = compose(parts, FULL);
  if (full.length <= maxChars) return full;

  // The slices go first, the least harmful first: they are the longest part, and every one of
  // them is in the job summary. The failing ones explain the verdict, so they stay for now.
  const failing = parts.slices.filter((row) => blocks(row.rules)).length;
  let plan: Plan = { ...FULL, slices: largestFitting(parts, { ...FULL }, maxChars, failing) };
  let text = compose(parts, plan);
  if (text.length <= maxChars) return text;
  for (const drop of DROP_ORDER) {
    plan = { ...plan, [drop]: false };
    text = compose(parts, plan);
    if (text.length <= maxChars) break;
  }
  // Whatever room the dropped sections left goes back to the slices; if there is none even for
  // the failing ones, those are cut too (the list under the verdict still names the first few).
  const floor = text.length <= maxChars ? plan.slices : 0;
  plan = { ...plan, slices: largestFitting(parts, plan, maxChars, floor) };
  text = compose(parts, plan);
  return text.length <= maxChars ? text : truncate(text, maxChars);
}

// ── What the report is made of ─────────────────────────────────────────────────────────────

interface Parts {
  input: ReportInput;
  gated: MetricRow[];
  ungated: MetricRow[];
  slices: SliceRow[];
  confidence: string;
}

function prepare(input: ReportInput): Parts {
  const { gated, ungated } = metricRows(input.verdict, input.candidate, input.baseline);
  return {
    input,
    gated,
    ungated,
    slices: sliceRows(input.verdict, input.candidate, input.baseline),
    confidence: percent(input.candidate.bootstrap.confidence),
  };
}

/** What to include. `slices` is how many slice rows, worst first. */
interface Plan {
  slices: number;
  history: boolean;
  confusion: boolean;
  notes: boolean;
  ungated: boolean;
}

const FULL: Plan = {
  slices: Number.POSITIVE_INFINITY,
  history: true,
  confusion: true,
  notes: true,
  ungated: true,
};

/** After the slices, what goes, in this order: the least needed to decide on the PR first. */
const DROP_ORDER = ['history', 'confusion', 'notes', 'ungated'] as const;

const DROPPED_NAMES: Readonly<Record<(typeof DROP_ORDER)[number], string>> = {
  history: 'the metric history',
  confusion: 'the confusion matrix',
  notes: 'the evaluation notes',
  ungated: 'the metrics without gates',
};

function compose(parts: Parts, plan: Plan): string {
  const { input } = parts;
  const sections: string[] = [
    `${reportHeadline(input.name, input.verdict)}\n${reportMarker(input.name)}`,
    summaryLine(input),
  ];
  const failures = failureList(input.verdict);
  if (failures !== '') sections.push(failures);
  sections.push(mainTable(parts, plan));
  if (parts.slices.length > 0) sections.push(sliceSection(parts, plan));
  if (plan.confusion) {
    const confusion = renderConfusion(input.candidate, input.baseline);
    if (confusion !== undefined) {
      const classes = input.candidate.confusion_matrix?.labels.length ?? 0;
      sections.push(
        classes > MAX_OPEN_CONFUSION_CLASSES
          ? details(`Confusion matrix (${classes} classes)`, confusion)
          : `#### Confusion matrix\n\n${confusion}`,
      );
    }
  }
  if (plan.history) {
    const history = historySection(parts);
    if (history !== '') sections.push(history);
  }
  sections.push(
    details(
      'Provenance',
      renderProvenance(input.verdict, input.candidate, input.baseline, input.provenance ?? {}, plan.notes),
    ),
  );
  const dropped = DROP_ORDER.filter((part) => !plan[part]).map((part) => DROPPED_NAMES[part]);
  if (dropped.length > 0) {
    sections.push(
      `✂️ Left out to keep this comment under ${formatCount(input.maxChars ?? MAX_REPORT_CHARS)} characters: ${dropped.join(', ')}.${fullReport(input)}`,
    );
  }
  return `${sections.join('\n\n')}\n`;
}

/** The line under the headline: what was compared with what, and how. */
function summaryLine(input: ReportInput): string {
  const { verdict, candidate, baseline } = input;
  const ref = verdict.baseline?.ref ?? input.provenance?.baselineRef ?? null;
  const baselineName = `baseline${ref !== null && ref !== '' ? ` ${code(ref)}` : ''} (sha256 ${code(shortDigest(verdict.baseline?.sha256 ?? baseline?.model?.sha256))})`;
  const rows = formatCount(candidate.data.rows);
  let how: string;
  if (verdict.baseline === null && baseline === null) {
    how = `**No baseline** (the first model): change rules are skipped, bounds still apply. Candidate scored on ${rows} rows of ${code(candidate.data.path)}.`;
  } else if (verdict.paired) {
    how = `**Paired** comparison against ${baselineName}: both models scored on the same ${rows} rows of ${code(candidate.data.path)}.`;
  } else {
    const baselineRows = baseline !== null ? ` on ${formatCount(baseline.data.rows)} rows` : '';
    how = `**Unpaired** comparison against ${baselineName}: the candidate on ${rows} rows, the baseline${baselineRows}, each from its own evaluation record; intervals of Δ come from independent bootstraps.`;
  }
  const { resamples } = candidate.bootstrap;
  const bootstrap =
    resamples > 0
      ? ` ${formatCount(resamples)} bootstrap resamples, ${percent(candidate.bootstrap.confidence)} intervals.`
      : ' Bootstrap off: no intervals.';
  return `${how}${bootstrap}`;
}

/**
 * The rules a reviewer must read, with their reasons, right under the verdict: those that block
 * it, and the inconclusive ones even when they count as a pass (the data could not tell).
 */
function failureList(verdict: Verdict): string {
  const failing = verdict.rules.filter((rule) => ruleBlocks(rule) || rule.status === 'inconclusive');
  if (failing.length === 0) return '';
  const lines = failing.slice(0, MAX_LISTED_FAILURES).map((rule) => `- ${failureLine(rule)}`);
  if (failing.length > MAX_LISTED_FAILURES) {
    lines.push(`- …and ${formatCount(failing.length - MAX_LISTED_FAILURES)} more, in the tables below`);
  }
  return lines.join('\n');
}

function failureLine(rule: RuleResult): string {
  const where =
    rule.slice !== undefined ? ` on ${escapeText(rule.slice.column)} = ${code(rule.slice.value)}` : '';
  const reason = rule.reason !== '' ? `: ${escapeText(rule.reason)}` : '';
  const status = rule.status === 'inconclusive' ? ' **inconclusive**' : '';
  return `${STATUS_ICON[rule.status]}${status} ${code(rule.metric)}${where} (${code(ruleText(rule))})${reason}`;
}

function mainTable(parts: Parts, plan: Plan): string {
  const rows = [...parts.gated, ...(plan.ungated ? parts.ungated : [])];
  const header = ['metric', ...comparisonColumns(parts)];
  const body = rows.map((row) =>
    isUngatedTiming(row)
      ? [
          metricCell(row),
          formatValue(row.baseline),
          formatValue(row.candidate),
          '—',
          '—',
          '—',
          'timing, not gated',
          '',
        ]
      : [metricCell(row), ...valueCells(row), ...ruleCells(row)],
  );
  const grid = table(header, body, ['l', 'r', 'r', 'r', 'r', 'l', 'l', 'l']);
  return `${grid}\n\n<sub>${legend(parts)}</sub>`;
}

/** The columns after the metric in the main and the slice tables. */
function comparisonColumns(parts: Parts): string[] {
  return ['baseline', 'candidate', 'Δ', `${parts.confidence} CI of Δ`, 'gate', 'status', 'reason'];
}

/**
 * Timings depend on the machine and its load as much as on the model: two runs of the same
 * model differ by multiples. Unless a gate names them, they are shown without a Δ that would
 * read as a regression.
 */
function isUngatedTiming(row: MetricRow): boolean {
  return row.rules.length === 0 && (row.metric === 'rows_per_second' || row.metric.startsWith('latency_'));
}

/** The table's legend; where Δ's interval comes from only when there is a Δ. */
function legend(parts: Parts): string {
  const { verdict, baseline } = parts.input;
  const arrows = '↑ higher is better, ↓ lower is better.';
  if (verdict.baseline === null && baseline === null) return arrows;
  const evidence = verdict.paired ? 'a paired bootstrap on the same rows' : 'independent bootstraps';
  return `${arrows} Δ = candidate − baseline; its interval is from ${evidence}.`;
}

function sliceSection(parts: Parts, plan: Plan): string {
  const all = parts.slices;
  const shown = all.slice(0, Math.min(plan.slices, all.length));
  const failing = all.filter((row) => blocks(row.rules)).length;
  const counts = `${formatCount(all.length)} slice row${all.length === 1 ? '' : 's'}${failing > 0 ? `, ${formatCount(failing)} failing` : ''}`;
  const trimmed = shown.length < all.length;
  const summary = trimmed
    ? `Slices: the ${formatCount(shown.length)} worst of ${counts} (trimmed), worst first`
    : `Slices: ${counts}, worst first`;
  const header = ['slice', 'rows', 'metric', ...comparisonColumns(parts)];
  const body = shown.map((row) => [
    `${escapeText(row.column)} = ${code(row.value)}`,
    row.rows === null ? '—' : formatCount(row.rows),
    metricCell(row),
    ...valueCells(row),
    ...ruleCells(row),
  ]);
  const note = trimmed
    ? `✂️ Showing the ${formatCount(shown.length)} worst of ${counts}; the other ${formatCount(
        all.length - shown.length,
      )} (the least changed, then the smallest) were trimmed to keep this comment under ${formatCount(
        parts.input.maxChars ?? MAX_REPORT_CHARS,
      )} characters.${fullReport(parts.input)}`
    : '';
  const grid =
    shown.length > 0
      ? table(header, body, ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'])
      : 'No slice rows fit.';
  // The trimming is said outside the fold: a reviewer must not miss that the table is incomplete.
  return trimmed ? `${note}\n\n${details(summary, grid)}` : details(summary, grid);
}

/** The chart only from the registry's real history: baseline and candidate alone are the table already. */
function historySection(parts: Parts): string {
  const { input } = parts;
  if ((input.history ?? []).length === 0) return '';
  const values = (record: EvaluationRecord) =>
    Object.fromEntries(Object.entries(record.metrics).map(([name, metric]) => [name, metric.value]));
  // The gated metrics, failing ones first: those are what a reviewer wants to see in context.
  const gated = [...parts.gated].sort((a, b) => Number(blocks(b.rules)) - Number(blocks(a.rules)));
  const metrics =
    gated.length > 0 ? gated.map((row) => row.metric) : Object.keys(input.candidate.metrics).slice(0, 1);
  const ref = input.verdict.baseline?.ref ?? input.provenance?.baselineRef;
  const series = historySeries(
    metrics,
    input.history ?? [],
    input.baseline === null
      ? null
      : { label: ref ? `baseline (${ref})` : 'baseline', metrics: values(input.baseline) },
    { label: 'candidate', metrics: values(input.candidate) },
  );
  if (series.length === 0) return '';
  return `#### Metric history\n\n${renderHistory(series)}`;
}

function metricCell(row: MetricRow): string {
  const arrow = row.direction === 'higher' ? ' ↑' : row.direction === 'lower' ? ' ↓' : '';
  return `${code(row.metric)}${arrow}`;
}

function valueCells(row: MetricRow): string[] {
  return [
    formatValue(row.baseline),
    formatValue(row.candidate),
    formatChange(row.delta, row.baseline),
    formatInterval(row.ci),
  ];
}

/** The gate, status and reason cells: one line per rule, so each rule's decision sits beside its text. */
function ruleCells(row: MetricRow): [string, string, string] {
  if (row.rules.length === 0) return ['—', '', ''];
  return [
    row.rules.map(ruleText).join('<br>'),
    row.rules.map(statusText).join('<br>'),
    row.rules.map((rule) => escapeText(rule.reason)).join('<br>'),
  ];
}

function fullReport(input: ReportInput): string {
  return input.summaryUrl !== undefined && input.summaryUrl !== ''
    ? ` The full report: ${link('job summary', input.summaryUrl)}.`
    : ' The verdict file lists every rule.';
}

/**
 * The most slice rows, at least `floor`, that fit with the rest of `plan`, found by bisection:
 * the report grows with each row kept. `floor` when even that many do not fit.
 */
function largestFitting(parts: Parts, plan: Plan, maxChars: number, floor: number): number {
  let low = Math.min(floor, parts.slices.length);
  let high = parts.slices.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (compose(parts, { ...plan, slices: middle }).length <= maxChars) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The last resort, when even the verdict and the gated metrics do not fit (thousands of rules):
 * cut at a line break, close what was left open, and say so.
 */
function truncate(text: string, maxChars: number): string {
  const notice = '\n\n✂️ This report was cut short to fit in a comment; the verdict file has every rule.\n';
  let cut = text.slice(0, Math.max(0, maxChars - notice.length - 40));
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  const fences = (cut.match(/^```/gm) ?? []).length;
  const open = (cut.match(/<details/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  const closing = `${fences % 2 === 1 ? '\n```' : ''}${'\n\n</details>'.repeat(Math.max(0, open))}`;
  const result = `${cut}${closing}${notice}`;
  return result.length <= maxChars ? result : result.slice(0, maxChars);
}
