// @vitest-environment happy-dom
// Mermaid's parser sanitises labels with DOMPurify, which needs a DOM: under plain Node 20,
// mermaid.parse fails with "DOMPurify.addHook is not a function". happy-dom is enough.

import { marked, type Tokens } from 'marked';
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import { historySeries, MAX_HISTORY_POINTS, xyChart } from './chart.ts';
import { renderReport } from './report.ts';
import { baselineRecord, candidateRecord, failingChurnVerdict } from './testing.ts';

interface XYChartData {
  xAxis: { categories: string[] };
  yAxis: { min: number; max: number };
  plots: Array<{ type: string; data: Array<[string, number]> }>;
}

/** What Mermaid's own parser makes of a chart: the categories and the plotted values. */
async function parseChart(source: string): Promise<XYChartData> {
  expect(await mermaid.parse(source)).toMatchObject({ diagramType: 'xychart' });
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  return (diagram.db as unknown as { getXYChartData(): XYChartData }).getXYChartData();
}

/** Each ```mermaid block of a report with the first table after it, both as a GFM parser reads them. */
function chartsWithTables(markdown: string): Array<{ source: string; table: Tokens.Table }> {
  const tokens = marked.lexer(markdown);
  const found: Array<{ source: string; table: Tokens.Table }> = [];
  tokens.forEach((token, i) => {
    if (token.type !== 'code' || (token as Tokens.Code).lang !== 'mermaid') return;
    const table = tokens.slice(i + 1).find((t) => t.type === 'table') as Tokens.Table | undefined;
    if (table === undefined) throw new Error('a chart without a table');
    found.push({ source: (token as Tokens.Code).text, table });
  });
  return found;
}

const HISTORY: Array<{ label: string; metrics: Record<string, number> }> = [
  { label: 'v1', metrics: { accuracy: 0.9112, roc_auc: 0.9701, f1: 0.93 } },
  { label: 'v2 "spring"', metrics: { accuracy: 0.9403, roc_auc: 0.98515 } },
];

beforeAll(() => {
  mermaid.initialize({ startOnLoad: false });
});

describe('the metric history chart', () => {
  it('parses with mermaid, and plots exactly the numbers of the table beside it', async () => {
    const text = renderReport({
      name: 'churn',
      verdict: failingChurnVerdict(),
      candidate: candidateRecord(),
      baseline: baselineRecord(),
      history: HISTORY,
    });
    const charts = chartsWithTables(text);
    // The two charted metrics are gated ones, failing first (all four fail here: spec order).
    expect(charts.map((chart) => chart.table.header[1]?.text)).toEqual(['`accuracy`', '`roc_auc`']);
    for (const { source, table } of charts) {
      const data = await parseChart(source);
      const versions = table.rows.map((row) => row[0]?.text);
      const numbers = table.rows.map((row) => Number(row[1]?.text));
      expect(data.xAxis.categories).toEqual(versions.map((v) => v?.replace(/"/g, "'")));
      expect(data.plots).toHaveLength(1);
      expect(data.plots[0]?.data.map(([, value]) => value)).toEqual(numbers);
      expect(data.yAxis.min).toBeLessThan(Math.min(...numbers));
      expect(data.yAxis.max).toBeGreaterThan(Math.max(...numbers));
    }
    const [accuracy] = charts;
    expect(accuracy?.table.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ['v1', '0.9112'],
      ['v2 "spring"', '0.9403'],
      ['baseline (champion)', '0.96'],
      ['candidate', '0.93'],
    ]);
  });

  it('writes tiny and huge values without exponents, which the xychart grammar rejects', async () => {
    expect(await mermaid.parse('xychart-beta\n  line [0.5, 1e-7]', { suppressErrors: true })).toBe(false);
    const series = historySeries(
      ['mse', 'rows_per_second'],
      [{ label: 'v1', metrics: { mse: 3.2e-7, rows_per_second: 2.5e7 } }],
      null,
      { label: 'candidate', metrics: { mse: 1.25e-8, rows_per_second: 3.1e7 } },
    );
    for (const s of series) {
      const source = xyChart(s);
      expect(source).not.toMatch(/\de/i);
      const data = await parseChart(source);
      expect(data.plots[0]?.data.map(([, value]) => value)).toEqual(
        s.points.map((p) => Number(p.value.toPrecision(6))),
      );
    }
  });

  it('lets a parse error through for a broken chart, so the checks above can fail', async () => {
    await expect(mermaid.parse('xychart-beta\n  x-axis ["a", "b"\n  line [1, 2]')).rejects.toThrow();
  });

  it('keeps the last versions only, the candidate always among them', () => {
    const history = Array.from({ length: 40 }, (_, i) => ({
      label: `v${i + 1}`,
      metrics: { accuracy: 0.8 + i / 1000 },
    }));
    const [series] = historySeries(['accuracy'], history, null, {
      label: 'candidate',
      metrics: { accuracy: 0.9 },
    });
    expect(series?.points).toHaveLength(MAX_HISTORY_POINTS);
    expect(series?.points.at(-1)).toEqual({ label: 'candidate', value: 0.9 });
    expect(series?.points[0]?.label).toBe('v22');
  });

  it('skips versions that lack the metric, and metrics with a single point', () => {
    const series = historySeries(
      ['f1', 'recall'],
      HISTORY,
      { label: 'baseline', metrics: { f1: 0.95 } },
      { label: 'candidate', metrics: { f1: 0.94, recall: 0.9 } },
    );
    expect(series).toEqual([
      {
        metric: 'f1',
        points: [
          { label: 'v1', value: 0.93 },
          { label: 'baseline', value: 0.95 },
          { label: 'candidate', value: 0.94 },
        ],
      },
    ]);
  });
});
