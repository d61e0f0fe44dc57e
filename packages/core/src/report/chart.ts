import { chartNumber } from '../kernel/format.ts';
import { code, details, escapeText, table } from '../kernel/markdown.ts';

/** One version's value of a metric. */
export interface HistoryPoint {
  label: string;
  value: number;
}

/** A metric's values over versions, oldest first. */
export interface HistorySeries {
  metric: string;
  points: HistoryPoint[];
}

/**
 * Mermaid's default theme draws xychart lines in a pale lavender that is hard to see on white,
 * and 500 px tall; GitHub honours init directives, so the chart says how it wants to look.
 */
const CHART_INIT =
  '%%{init: {"xyChart": {"height": 320}, "themeVariables": {"xyChart": {"plotColorPalette": "#0969da"}}}}%%';

/** Each chart is a few hundred pixels tall on GitHub; more than two push the provenance far down. */
export const MAX_HISTORY_CHARTS = 2;
/**
 * Fewer points than this are no history: baseline and candidate alone are already the table's
 * two columns, and a two-point line only repeats them.
 */
export const MIN_HISTORY_POINTS = 3;
/** Category labels on the x-axis overlap past about twenty versions. */
export const MAX_HISTORY_POINTS = 20;

/**
 * The series to chart: for each metric, the earlier versions that have it, then the baseline,
 * then the candidate. The last {@link MAX_HISTORY_POINTS} are kept (the candidate is always
 * among them). A metric with fewer than {@link MIN_HISTORY_POINTS} points is left out.
 */
export function historySeries(
  metrics: readonly string[],
  history: ReadonlyArray<{ label: string; metrics: Record<string, number> }>,
  baseline: { label: string; metrics: Record<string, number> } | null,
  candidate: { label: string; metrics: Record<string, number> },
): HistorySeries[] {
  const versions = [...history, ...(baseline === null ? [] : [baseline]), candidate];
  const series: HistorySeries[] = [];
  for (const metric of metrics) {
    if (series.length === MAX_HISTORY_CHARTS) break;
    const points = versions.flatMap((version) => {
      const value = version.metrics[metric];
      return value !== undefined && Number.isFinite(value) ? [{ label: version.label, value }] : [];
    });
    if (points.length >= MIN_HISTORY_POINTS)
      series.push({ metric, points: points.slice(-MAX_HISTORY_POINTS) });
  }
  return series;
}

/**
 * A Mermaid `xychart-beta` line chart of one series, as the body of a ```mermaid block.
 * Numbers are printed by {@link chartNumber}, the same function the table beside it uses.
 */
export function xyChart(series: HistorySeries): string {
  const [low, high] = axisRange(series.points.map((point) => point.value));
  return [
    CHART_INIT,
    'xychart-beta',
    `  title ${quote(`${series.metric} by version`)}`,
    `  x-axis [${series.points.map((point) => quote(point.label)).join(', ')}]`,
    `  y-axis ${quote(series.metric)} ${chartNumber(low)} --> ${chartNumber(high)}`,
    `  line [${series.points.map((point) => chartNumber(point.value)).join(', ')}]`,
  ].join('\n');
}

/** The charts, each followed by a folded table of exactly the numbers it plots (for screen readers). */
export function renderHistory(series: readonly HistorySeries[]): string {
  return series
    .map((s) => {
      const rows = s.points.map((point) => [escapeText(point.label), chartNumber(point.value)]);
      const numbers = details(
        `${s.metric}: the numbers plotted`,
        table(['version', code(s.metric)], rows, ['l', 'r']),
      );
      return `\`\`\`mermaid\n${xyChart(s)}\n\`\`\`\n\n${numbers}`;
    })
    .join('\n\n');
}

/** Shares per bin or category on two sides, drawn as reference bars and a current line. */
export interface DistributionSeries {
  readonly title: string;
  readonly bins: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

/**
 * A Mermaid `xychart-beta` of two distributions over the same bins, as the body of a ```mermaid
 * block: the reference as bars, the current data as a line, shares of rows on the y-axis from 0.
 */
export function distributionChart(series: DistributionSeries): string {
  const [, high] = axisRange([0, ...series.reference, ...series.current]);
  return [
    CHART_INIT,
    'xychart-beta',
    `  title ${quote(series.title)}`,
    `  x-axis [${series.bins.map(quote).join(', ')}]`,
    `  y-axis "share of rows" 0 --> ${chartNumber(Math.min(high, 1))}`,
    `  bar [${series.reference.map(chartNumber).join(', ')}]`,
    `  line [${series.current.map(chartNumber).join(', ')}]`,
  ].join('\n');
}

/**
 * A y-axis a little wider than the data, so a flat line does not sit on the frame and a small
 * change is still visible (Mermaid would otherwise start the axis at the minimum exactly).
 */
function axisRange(values: readonly number[]): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = max > min ? (max - min) * 0.1 : Math.abs(max) * 0.05 || 1;
  // Round outwards to a step of the span's order of magnitude: ticks at 0.966 … 0.977, not 0.966916.
  const step = 10 ** Math.floor(Math.log10(max - min + 2 * pad));
  const low = Math.floor((min - pad) / step) * step;
  const high = Math.ceil((max + pad) / step) * step;
  // Most metrics never go below zero; an axis that does would suggest they can.
  return [min >= 0 && low < 0 ? 0 : low, high];
}

/** A Mermaid string: its grammar has no escape for `"`, and a newline ends the statement. */
function quote(text: string): string {
  return `"${text.replace(/"/g, "'").replace(/\r?\n|\r/g, ' ')}"`;
}
