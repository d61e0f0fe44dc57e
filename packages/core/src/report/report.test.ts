import { marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { Verdict } from '../kernel/records/verdict.ts';
import { MAX_REPORT_CHARS, type ReportInput, renderReport, reportMarker } from './report.ts';
import {
  baselineRecord,
  candidateRecord,
  failingChurnVerdict,
  rule,
  slice,
  sliceRule,
  verdict,
} from './testing.ts';

const PROVENANCE = {
  commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  ref: 'refs/pull/42/merge',
  pr: 42,
  runUrl: 'https://github.com/acme/churn/actions/runs/123',
};

function report(overrides: Partial<ReportInput> = {}): string {
  return renderReport({
    name: 'churn',
    verdict: failingChurnVerdict(),
    candidate: candidateRecord(),
    baseline: baselineRecord(),
    provenance: PROVENANCE,
    ...overrides,
  });
}

/** The GFM tables of a markdown text as a GFM parser reads them: cells with `\|` unescaped. */
function tables(markdown: string): Array<{ header: string[]; rows: string[][] }> {
  const found: Array<{ header: string[]; rows: string[][] }> = [];
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type !== 'table') return;
    const table = token as Tokens.Table;
    found.push({
      header: table.header.map((cell) => cell.text),
      rows: table.rows.map((row) => row.map((c) => c.text)),
    });
  });
  return found;
}

function mainTable(markdown: string) {
  const table = tables(markdown).find((t) => t.header[0] === 'metric');
  if (table === undefined) throw new Error('no main table');
  return table;
}

function sliceTable(markdown: string) {
  const table = tables(markdown).find((t) => t.header[0] === 'slice');
  if (table === undefined) throw new Error('no slice table');
  return table;
}

/** A row of the main table by its metric, as `column name → cell`. */
function metricRow(markdown: string, metric: string): Record<string, string> {
  const { header, rows } = mainTable(markdown);
  const row = rows.find((cells) => cells[0]?.startsWith(`\`${metric}\``));
  if (row === undefined) throw new Error(`no row for ${metric}`);
  return Object.fromEntries(header.map((name, i) => [name, row[i] ?? '']));
}

describe('the verdict comes first', () => {
  it('states a pass in the first line, with the hidden marker on its own line right after', () => {
    const passing = verdict([
      rule({
        metric: 'accuracy',
        rule: 'min',
        threshold: 0.9,
        threshold_text: '0.90',
        candidate: 0.93,
        status: 'pass',
      }),
    ]);
    const lines = report({ verdict: passing }).split('\n');
    expect(lines[0]).toBe('### ✅ modelgate: churn passes its gates');
    expect(lines[1]).toBe('<!-- modelgate:report model=churn -->');
  });

  it('states a failure in the first line with how many gates failed, and lists each with its reason', () => {
    const text = report();
    expect(text.split('\n')[0]).toBe('### ❌ modelgate: churn fails 5 of 10 gates');
    expect(text).toContain('- ❌ `accuracy` (`max_drop 0.01`): dropped 0.030 > 0.01 allowed');
    expect(text).toContain(
      '- ❌ `accuracy` on region = `apac` (`max_drop 0.03`): dropped 0.075 > 0.03 allowed',
    );
    // The failures come before the tables, right under the verdict.
    expect(text.indexOf('❌ `log_loss`')).toBeLessThan(text.indexOf('| metric |'));
  });

  it('counts an error as a failure: it blocks the merge just the same', () => {
    const broken = verdict([
      rule({ metric: 'accuracy', rule: 'min', threshold: 0.9, candidate: 0.93, status: 'pass' }),
      rule({
        metric: 'auc_pr',
        rule: 'min',
        threshold: 0.5,
        status: 'error',
        reason: 'the record has no metric auc_pr',
      }),
    ]);
    const text = report({ verdict: broken });
    expect(text.split('\n')[0]).toBe('### ❌ modelgate: churn fails 1 of 2 gates');
    expect(metricRow(text, 'auc_pr').status).toBe('⚠️ error');
    expect(text).toContain('⚠️ `auc_pr` (`min 0.5`): the record has no metric auc\\_pr');
  });

  it('escapes markdown in the model name but keeps the marker exact and a valid HTML comment', () => {
    const lines = report({ name: 'churn_*v2*' }).split('\n');
    expect(lines[0]).toBe('### ❌ modelgate: churn\\_\\*v2\\* fails 5 of 10 gates');
    expect(lines[1]).toBe('<!-- modelgate:report model=churn_*v2* -->');
  });
});

describe('reportMarker', () => {
  it('is the CONTRACT marker for an ordinary name', () => {
    expect(reportMarker('churn-large')).toBe('<!-- modelgate:report model=churn-large -->');
  });

  it('encodes what would end or split the HTML comment, the same way every time', () => {
    const marker = reportMarker('a--b c-->d');
    expect(marker).toBe('<!-- modelgate:report model=a-%2Db%20c-%2D%3Ed -->');
    // The sticky comment's own check: one HTML comment, no `--` inside.
    expect(marker.slice(4, -3)).not.toContain('--');
    expect(reportMarker('a--b c-->d')).toBe(marker);
  });
});

describe('the metric table', () => {
  it('has the columns a reviewer reads, with Δ absolute and relative, the CI of Δ, the rule and its status', () => {
    const text = report();
    expect(mainTable(text).header).toEqual([
      'metric',
      'baseline',
      'candidate',
      'Δ',
      '95% CI of Δ',
      'gate',
      'status',
      'reason',
    ]);
    expect(metricRow(text, 'roc_auc')).toEqual({
      metric: '`roc_auc` ↑',
      baseline: '0.9948',
      candidate: '0.9812',
      Δ: '-0.0136 (-1.37%)',
      '95% CI of Δ': '[-0.0240, -0.0040]',
      gate: 'max_drop 1% (α=0.05)',
      status: '❌ fail',
      reason: 'dropped 0.0136 > 0.00995 allowed; the 95% bound -0.0056 shows the drop is real',
    });
  });

  it('shows each metric once, with all of its rules and their own statuses stacked in order', () => {
    const text = report();
    const accuracyRows = mainTable(text).rows.filter((row) => row[0]?.startsWith('`accuracy`'));
    expect(accuracyRows).toHaveLength(1);
    expect(metricRow(text, 'accuracy').gate).toBe('min 0.90<br>max_drop 0.01');
    expect(metricRow(text, 'accuracy').status).toBe('✅ pass<br>❌ fail');
  });

  it('marks directions, lower-is-better included', () => {
    const text = report();
    expect(metricRow(text, 'log_loss').metric).toBe('`log_loss` ↓');
    expect(metricRow(text, 'log_loss').Δ).toBe('+0.0899 (+92.2%)');
    expect(metricRow(text, 'latency_p95_ms').metric).toBe('`latency_p95_ms` ↓');
  });

  it('takes the direction of a custom metric from its rules', () => {
    const custom = verdict([
      rule({
        metric: 'revenue_lift',
        rule: 'max_drop',
        threshold: 0.1,
        candidate: 1.2,
        baseline: 1.25,
        delta: -0.05,
        status: 'pass',
      }),
    ]);
    const text = report({ verdict: custom });
    expect(metricRow(text, 'revenue_lift').metric).toBe('`revenue_lift` ↑');
  });

  it('lists the gated metrics in spec order, then the metrics without gates', () => {
    const order = mainTable(report()).rows.map((row) => row[0]);
    expect(order).toEqual([
      '`accuracy` ↑',
      '`roc_auc` ↑',
      '`f1` ↑',
      '`log_loss` ↓',
      '`latency_p95_ms` ↓',
      '`balanced_accuracy` ↑',
      '`precision` ↑',
      '`recall` ↑',
      '`model_size_bytes` ↓',
    ]);
    expect(metricRow(report(), 'precision')).toMatchObject({
      baseline: '0.9680',
      candidate: '0.9440',
      Δ: '-0.0240 (-2.48%)',
      '95% CI of Δ': '—',
      gate: '—',
      status: '',
    });
  });

  it('escapes a | in a metric name, a slice value and a reason, so no cell shifts', () => {
    const odd = verdict([
      rule({ metric: 'acc|top1', rule: 'min', threshold: 0.5, candidate: 0.7, status: 'pass', reason: 'ok' }),
      rule({
        metric: 'accuracy',
        rule: 'max_drop',
        threshold: 0.03,
        threshold_text: '0.03',
        candidate: 0.8,
        baseline: 0.9,
        delta: -0.1,
        status: 'fail',
        reason: 'dropped | a lot',
        slice: { column: 'plan|tier', value: 'pro|max' },
      }),
    ]);
    const candidate = candidateRecord({
      metrics: { ...candidateRecord().metrics, 'acc|top1': { value: 0.7 } },
      slices: [slice('plan|tier', 'pro|max', 12, { accuracy: 0.8 })],
    });
    const text = report({ verdict: { ...odd, baseline: null }, candidate, baseline: null });
    expect(text).toContain('`acc\\|top1`');
    for (const table of tables(text)) {
      for (const row of table.rows) expect(row).toHaveLength(table.header.length);
    }
    expect(metricRow(text, 'acc|top1').candidate).toBe('0.7000');
    expect(sliceTable(text).rows[0]?.slice(0, 3)).toEqual(['plan|tier = `pro|max`', '12', '`accuracy` ↑']);
    // And a GFM renderer agrees: the pipe shows up as text inside its cell.
    const html = marked.parse(text) as string;
    expect(html).toMatch(/<td[^>]*><code>acc\|top1<\/code><\/td>/);
    expect(html).toMatch(/<td[^>]*>plan\|tier = <code>pro\|max<\/code><\/td>/);
  });
});

describe('the comparison is named for what it is', () => {
  it('says paired when both models were scored on the same rows', () => {
    const text = report();
    expect(text).toContain('**Paired** comparison against baseline `champion` (sha256 `7a9e2f4411c3`)');
    expect(text).toContain('its interval is from a paired bootstrap on the same rows');
  });

  it('labels an unpaired comparison as unpaired, with both row counts', () => {
    const unpaired = { ...failingChurnVerdict(), paired: false };
    const text = report({
      verdict: unpaired,
      baseline: baselineRecord({ data: { ...baselineRecord().data, rows: 180 } }),
    });
    expect(text).toContain('**Unpaired** comparison');
    expect(text).toContain('the candidate on 200 rows, the baseline on 180 rows');
    expect(text).toContain('its interval is from independent bootstraps');
    expect(text).not.toContain('**Paired**');
  });
});

describe('with no baseline', () => {
  const firstModel = (): Verdict =>
    verdict(
      [
        rule({
          metric: 'accuracy',
          rule: 'min',
          threshold: 0.9,
          threshold_text: '0.90',
          candidate: 0.93,
          status: 'pass',
        }),
        rule({
          metric: 'accuracy',
          rule: 'max_drop',
          threshold: 0.01,
          candidate: 0.93,
          status: 'skip',
          reason: 'no baseline',
        }),
      ],
      { baseline: null },
    );

  it('says so, skips the change rules and leaves the baseline columns empty', () => {
    const text = report({ verdict: firstModel(), baseline: null });
    expect(text.split('\n')[0]).toBe('### ✅ modelgate: churn passes its gates');
    expect(text).toContain(
      '**No baseline** (the first model): change rules are skipped, bounds still apply.',
    );
    expect(metricRow(text, 'accuracy')).toMatchObject({
      baseline: '—',
      candidate: '0.9300',
      Δ: '—',
      status: '✅ pass<br>⏭️ skip',
    });
    expect(text).toContain('- **Baseline:** none');
  });

  it("shows the candidate's confusion matrix alone", () => {
    const text = report({ verdict: firstModel(), baseline: null });
    const grid = tables(text).find((t) => t.header[0] === 'actual ╲ predicted');
    expect(grid?.rows).toEqual([
      ['`0`', '**68**', '7'],
      ['`1`', '7', '**118**'],
    ]);
    expect(text).toContain('Candidate counts (no baseline to compare with)');
  });

  it('has no history chart for a single version', () => {
    expect(report({ verdict: firstModel(), baseline: null })).not.toContain('```mermaid');
  });
});

describe('the confusion matrix', () => {
  it("shows the candidate's counts with the change from the baseline in each cell", () => {
    const text = report();
    expect(text).toContain(
      'Candidate counts, with the change from the baseline in parentheses (4 cells changed)',
    );
    const grid = tables(text).find((t) => t.header[0] === 'actual ╲ predicted');
    expect(grid?.header).toEqual(['actual ╲ predicted', '`0`', '`1`']);
    expect(grid?.rows).toEqual([
      ['`0`', '**68 (-3)**', '7 (+3)'],
      ['`1`', '7 (+3)', '**118 (-3)**'],
    ]);
  });

  it('marks only the cells that changed', () => {
    const baseline = baselineRecord({
      confusion_matrix: {
        labels: ['0', '1'],
        matrix: [
          [68, 7],
          [9, 116],
        ],
      },
    });
    const text = report({ baseline });
    expect(tables(text).find((t) => t.header[0] === 'actual ╲ predicted')?.rows).toEqual([
      ['`0`', '**68**', '7'],
      ['`1`', '7 (-2)', '**118 (+2)**'],
    ]);
    expect(text).toContain('(2 cells changed)');
  });

  it('says when the two models were scored on different numbers of rows', () => {
    const baseline = baselineRecord({ data: { ...baselineRecord().data, rows: 180 } });
    expect(report({ baseline, verdict: { ...failingChurnVerdict(), paired: false } })).toContain(
      'The baseline was scored on 180 rows, the candidate on 200: compare rates, not counts.',
    );
  });

  it('is left out for a regression model', () => {
    const regression = candidateRecord({
      task: 'regression',
      confusion_matrix: undefined,
      metrics: { rmse: { value: 1.2 } },
    });
    const text = report({ candidate: regression, baseline: null, verdict: verdict([], { baseline: null }) });
    expect(text).not.toContain('Confusion matrix');
  });
});

describe('slices', () => {
  it('sit inside <details>, failing first, then by the largest drop', () => {
    const text = report();
    const open = text.indexOf('<details>\n<summary>Slices: 3 slice rows, 1 failing, worst first</summary>');
    expect(open).toBeGreaterThan(0);
    expect(text.indexOf('| slice |')).toBeGreaterThan(open);
    expect(text.indexOf('</details>', open)).toBeGreaterThan(text.indexOf('| slice |'));
    expect(sliceTable(text).rows.map((row) => [row[0], row[5], row[8]])).toEqual([
      ['region = `apac`', '-0.0750 (-7.89%)', '❌ fail'],
      ['region = `us`', '-0.0285 (-2.98%)', '✅ pass'],
      ['region = `eu`', '-0.0111 (-1.15%)', '✅ pass'],
    ]);
  });

  it('put a failing slice above a passing one that dropped further, and order lower-is-better metrics by rises', () => {
    const rules = [
      { ...sliceRule('a', 0.91, 0.95, 'pass'), rule: 'min' as const, threshold: 0.5 },
      sliceRule('b', 0.9, 0.92, 'fail'),
      {
        ...sliceRule('c', 0.3, 0.2, 'pass'),
        metric: 'log_loss',
        rule: 'max_increase' as const,
        threshold: 0.5,
      },
      {
        ...sliceRule('d', 0.25, 0.2, 'pass'),
        metric: 'log_loss',
        rule: 'max_increase' as const,
        threshold: 0.5,
      },
      {
        ...sliceRule('e', 0.1, 0.2, 'pass'),
        metric: 'log_loss',
        rule: 'max_increase' as const,
        threshold: 0.5,
      },
    ];
    const text = report({ verdict: verdict(rules), candidate: candidateRecord({ slices: [] }) });
    const order = sliceTable(text).rows.map((row) => row[0]);
    // b fails; then the worst moves: c's log_loss rose 0.1, d's rose 0.05, a's accuracy fell 0.04;
    // e's log_loss fell, which is an improvement.
    expect(order).toEqual(['region = `b`', 'region = `c`', 'region = `d`', 'region = `a`', 'region = `e`']);
  });

  it('on an equal change, put the slice with the worse value first', () => {
    const candidate = candidateRecord({
      slices: [slice('band', 'low', 70, { rmse: 45.5 }), slice('band', 'high', 30, { rmse: 63.3 })],
    });
    const baseline = baselineRecord({
      slices: [slice('band', 'low', 70, { rmse: 45.5 }), slice('band', 'high', 30, { rmse: 63.3 })],
    });
    const gates = verdict([
      rule({ metric: 'rmse', rule: 'max', threshold: 100, candidate: 55, status: 'pass' }),
    ]);
    const text = report({ candidate, baseline, verdict: gates });
    expect(sliceTable(text).rows.map((row) => [row[0], row[2], row[5]])).toEqual([
      ['band = `high`', '`rmse` ↓', '±0 (±0%)'],
      ['band = `low`', '`rmse` ↓', '±0 (±0%)'],
    ]);
  });

  it('without a baseline, order by the value itself, worst first, and the larger slice first on a tie', () => {
    const candidate = candidateRecord({
      slices: [
        slice('region', 'small-bad', 10, { accuracy: 0.8 }),
        slice('region', 'good', 50, { accuracy: 0.95 }),
        slice('region', 'big-bad', 90, { accuracy: 0.8 }),
      ],
    });
    const text = report({ candidate, baseline: null, verdict: verdict([], { baseline: null }) });
    expect(sliceTable(text).rows.map((row) => row[0])).toEqual([
      'region = `big-bad`',
      'region = `small-bad`',
      'region = `good`',
    ]);
  });
});

describe('provenance', () => {
  it('names both models and the data by short digest, the commit, the run and the provider', () => {
    const candidate = candidateRecord({
      provider: 'cpu',
      notes: [
        'CUDA execution provider unavailable (libcudart.so.12 missing); fell back to CPU',
        'task inferred as binary',
      ],
    });
    const text = report({ candidate });
    expect(text).toContain('- **Candidate:** `models/churn.onnx`, sha256 `b3f1c0de9a7e`, 18,452 bytes');
    expect(text).toContain(
      '- **Baseline:** `champion`, `registry/churn/3/model.onnx`, sha256 `7a9e2f4411c3`',
    );
    expect(text).toContain('- **Data:** `data/eval.csv`, sha256 `4e1d7c0b9a8f`, 200 rows, label `churned`');
    expect(text).toContain('baseline: the same file (same sha256)');
    expect(text).toContain(
      '- **Source:** commit `a1b2c3d`, ref `refs/pull/42/merge`, PR #42, [workflow run](<https://github.com/acme/churn/actions/runs/123>)',
    );
    expect(text).toContain(
      '- **Provider:** CPU (candidate), CPU (baseline). ⚠️ candidate: CUDA execution provider unavailable (libcudart.so.12 missing); fell back to CPU',
    );
    expect(text).toContain('  - candidate: task inferred as binary');
  });

  it('gives the McNemar cross-check when the verdict has one', () => {
    const withMcNemar = {
      ...failingChurnVerdict(),
      mcnemar: { candidate_only: 41, baseline_only: 18, p_value: 0.0031 },
    };
    expect(report({ verdict: withMcNemar })).toContain(
      'exact McNemar p = 0.0031 on 41 vs 18 discordant rows',
    );
    const without = { ...failingChurnVerdict(), mcnemar: undefined };
    expect(report({ verdict: without })).not.toContain('McNemar');
  });

  it('warns when the baseline was evaluated on different data', () => {
    const other = baselineRecord({
      data: { ...baselineRecord().data, path: 'data/old.csv', sha256: 'ff'.repeat(32) },
    });
    expect(report({ baseline: other })).toContain(
      'baseline: ⚠️ a different file: `data/old.csv`, sha256 `ffffffffffff`',
    );
  });

  it('does not turn a non-http run URL into a link', () => {
    const text = report({ provenance: { runUrl: 'javascript:alert(1)' } });
    expect(text).toContain('`javascript:alert(1)`');
    expect(text).not.toContain('](javascript');
  });
});

describe('the size guard', () => {
  const FAILING = new Set([17, 503, 1999, 2500, 3333, 4444, 4999]);

  /**
   * 5,000 slices: 7 drop 0.1 and fail; the others pass, slice i having dropped (i mod 100) / 10,000,
   * so each drop from 0 to 0.0099 is shared by about 50 slices.
   */
  function manySlices(): { verdict: Verdict; candidate: EvaluationRecord; baseline: EvaluationRecord } {
    const count = 5000;
    const failing = FAILING;
    const rules = [];
    const candidateSlices = [];
    const baselineSlices = [];
    for (let i = 0; i < count; i++) {
      const value = `store-${String(i).padStart(4, '0')}`;
      const base = 0.9;
      const cand = failing.has(i) ? 0.8 : 0.9 - (i % 100) / 10_000;
      candidateSlices.push(slice('store', value, 20 + (i % 50), { accuracy: cand }));
      baselineSlices.push(slice('store', value, 20 + (i % 50), { accuracy: base }));
      rules.push(
        rule({
          metric: 'accuracy',
          rule: 'max_drop',
          threshold: 0.03,
          threshold_text: '0.03',
          candidate: cand,
          baseline: base,
          delta: cand - base,
          status: failing.has(i) ? 'fail' : 'pass',
          reason: failing.has(i) ? 'dropped 0.100 > 0.03 allowed' : 'within 0.03',
          slice: { column: 'store', value },
        }),
      );
    }
    return {
      verdict: verdict([...failingChurnVerdict().rules.filter((r) => r.slice === undefined), ...rules]),
      candidate: candidateRecord({ slices: candidateSlices }),
      baseline: baselineRecord({ slices: baselineSlices }),
    };
  }

  it('keeps a report with 5,000 slices under 60,000 characters by trimming the least bad slices, and says so', () => {
    const { verdict: v, candidate, baseline } = manySlices();
    const summaryUrl = 'https://github.com/acme/churn/actions/runs/123/attempts/1#summary-456';
    const started = performance.now();
    const text = renderReport({ name: 'churn', verdict: v, candidate, baseline, summaryUrl });
    const elapsed = performance.now() - started;

    expect(text.length).toBeLessThanOrEqual(MAX_REPORT_CHARS);
    expect(text.length).toBeGreaterThan(MAX_REPORT_CHARS * 0.9); // trimmed no more than needed
    expect(text.split('\n')[0]).toBe('### ❌ modelgate: churn fails 11 of 5,007 gates');
    expect(text.split('\n')[1]).toBe('<!-- modelgate:report model=churn -->');

    const rows = sliceTable(text).rows;
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBeLessThan(5000);
    // Every failing slice survives, at the top; what is kept is the worst of the rest.
    expect(rows.slice(0, 7).every((row) => row[8] === '❌ fail')).toBe(true);
    // Every slice of each drop (-0.0099, -0.0098, …) is kept but the last drop's, which is cut:
    // the least bad went first. Within a drop, the larger slices stay.
    const kept = rows.slice(7);
    const drops = kept.map((row) => Number(row[5]?.split(' ')[0]));
    expect(drops).toEqual([...drops].sort((a, b) => a - b));
    const distinct = [...new Set(drops)];
    const slicesWithDrop = (drop: number) =>
      Array.from({ length: 5000 }, (_, i) => i).filter(
        (i) => !FAILING.has(i) && i % 100 === Math.round(-drop * 10_000),
      ).length;
    expect(distinct[0]).toBe(-0.0099);
    for (const drop of distinct.slice(0, -1))
      expect(drops.filter((d) => d === drop)).toHaveLength(slicesWithDrop(drop));
    const lastDrop = kept
      .filter((row) => Number(row[5]?.split(' ')[0]) === drops.at(-1))
      .map((row) => Number(row[1]));
    expect(lastDrop).toEqual([...lastDrop].sort((a, b) => b - a));

    expect(text).toContain(
      `✂️ Showing the ${rows.length.toLocaleString('en-US')} worst of 5,000 slice rows, 7 failing;`,
    );
    expect(text).toContain(`[job summary](<${summaryUrl}>)`);
    // The rest of the report is all there.
    expect(text).toContain('#### Confusion matrix');
    expect(text).toContain('<summary>Provenance</summary>');
    expect(elapsed).toBeLessThan(10_000);
  });

  it('then drops whole sections, naming each, when trimming slices is not enough', () => {
    const { verdict: v, candidate, baseline } = manySlices();
    const history = [{ label: 'v1', metrics: { accuracy: 0.9 } }];
    const full = renderReport({
      name: 'churn',
      verdict: v,
      candidate,
      baseline,
      history,
      maxChars: 1_000_000,
    });
    expect(full).toContain('```mermaid');
    const text = renderReport({ name: 'churn', verdict: v, candidate, baseline, history, maxChars: 4_500 });
    expect(text.length).toBeLessThanOrEqual(4_500);
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('✂️ Left out to keep this comment under 4,500 characters: the metric history');
    expect(mainTable(text).rows.length).toBeGreaterThanOrEqual(5);
    // The failing slices explain the verdict: a chart goes before they do.
    expect(sliceTable(text).rows.filter((row) => row[8] === '❌ fail')).toHaveLength(FAILING.size);
  });

  it('as a last resort cuts the text at a line, closing what it left open', () => {
    const { verdict: v, candidate, baseline } = manySlices();
    const text = renderReport({ name: 'churn', verdict: v, candidate, baseline, maxChars: 1_500 });
    expect(text.length).toBeLessThanOrEqual(1_500);
    expect(text.split('\n')[0]).toBe('### ❌ modelgate: churn fails 11 of 5,007 gates');
    expect(text).toContain('<!-- modelgate:report model=churn -->');
    expect(text).toContain('✂️ This report was cut short');
    expect((text.match(/<details/g) ?? []).length).toBe((text.match(/<\/details>/g) ?? []).length);
  });

  it('leaves a report that fits untouched', () => {
    const text = report();
    expect(text).not.toContain('✂️');
    expect(sliceTable(text).rows).toHaveLength(3);
  });
});

describe('an inconclusive rule', () => {
  const REASON =
    'dropped 0.05 > 0.03 allowed, but the data cannot tell: the one-sided 95% bounds of Δ, [-0.075, -0.025], ' +
    'straddle -0.03; about 320 rows (now 200) would settle it; counted as a pass (on_inconclusive: pass)';
  // As markdown source: the report escapes the brackets and underscores of a reason.
  const SHOWN = REASON.replace(/[[\]_]/g, '\\$&');
  const inconclusive = (onInconclusive: 'pass' | 'fail') =>
    rule({
      metric: 'accuracy',
      rule: 'max_drop',
      threshold: 0.03,
      significance: 0.05,
      candidate: 0.91,
      baseline: 0.96,
      delta: -0.05,
      ci: [-0.08, -0.02],
      bounds: [-0.075, -0.025],
      status: 'inconclusive',
      on_inconclusive: onInconclusive,
      rows_to_settle: 320,
      reason: REASON,
    });

  it('is its own status, with what it counts as and its reason, in the table and under the verdict', () => {
    const text = report({ verdict: verdict([inconclusive('pass')]) });
    expect(text.split('\n')[0]).toBe('### ✅ modelgate: churn passes its gates, 1 of them inconclusive');
    expect(metricRow(text, 'accuracy')).toMatchObject({
      gate: 'max_drop 0.03 (α=0.05)',
      status: '❔ inconclusive → pass',
      reason: SHOWN,
      '95% CI of Δ': '[-0.0800, -0.0200]',
    });
    expect(text).toContain(`- ❔ **inconclusive** \`accuracy\` (\`max_drop 0.03 (α=0.05)\`): ${SHOWN}`);
  });

  it('fails the verdict and counts as blocking under on_inconclusive: fail', () => {
    const text = report({ verdict: verdict([inconclusive('fail')]) });
    expect(text.split('\n')[0]).toBe('### ❌ modelgate: churn fails 1 of 1 gates');
    expect(metricRow(text, 'accuracy').status).toBe('❔ inconclusive → fail');
  });
});

describe('the report’s noise', () => {
  const timed = (latency: number) => ({
    latency_p99_ms: { value: latency },
    rows_per_second: { value: 1000 / latency },
  });

  it('shows ungated timings as "timing, not gated", without a Δ that would read as a regression', () => {
    const text = report({
      verdict: verdict([rule({ metric: 'accuracy', rule: 'min', status: 'pass', candidate: 0.93 })]),
      candidate: candidateRecord({ metrics: { ...candidateRecord().metrics, ...timed(0.478) } }),
      baseline: baselineRecord({ metrics: { ...baselineRecord().metrics, ...timed(0.02) } }),
    });
    expect(metricRow(text, 'latency_p99_ms')).toMatchObject({
      baseline: '0.0200',
      candidate: '0.4780',
      Δ: '—',
      status: 'timing, not gated',
    });
    expect(metricRow(text, 'rows_per_second').status).toBe('timing, not gated');
    expect(text).not.toContain('+2290%');
  });

  it('gates a timing like any metric when a gate names it', () => {
    expect(metricRow(report(), 'latency_p95_ms').Δ).toBe('+0.0300 (+3.70%)');
  });

  it('shows paths relative to the workspace, never an absolute local path', () => {
    const candidate = candidateRecord();
    const text = report({
      workspace: '/home/runner/work/churn',
      candidate: {
        ...candidate,
        data: { ...candidate.data, path: '/home/runner/work/churn/data/eval.csv' },
        model: { ...candidate.model!, path: '/home/runner/work/churn/models/churn.onnx' },
      },
      baseline: {
        ...baselineRecord(),
        model: { ...baselineRecord().model!, path: '/tmp/modelgate-x1/model.onnx' },
      },
    });
    expect(text).not.toContain('/home/runner');
    expect(text).not.toContain('/tmp/');
    expect(text).toContain('`models/churn.onnx`');
    expect(text).toContain('of `data/eval.csv`');
    expect(text).toContain('`model.onnx`');
  });

  it('says where the interval of Δ comes from only when there is a Δ', () => {
    const first = verdict([rule({ metric: 'accuracy', rule: 'min', status: 'pass', candidate: 0.93 })], {
      baseline: null,
      paired: false,
    });
    const text = report({ verdict: first, baseline: null });
    expect(text).not.toContain('independent bootstraps');
    expect(text).toContain('<sub>↑ higher is better, ↓ lower is better.</sub>');
  });

  it('charts the history only from the registry’s real history, with 3 points or more', () => {
    expect(report()).not.toContain('```mermaid');
    expect(report({ history: [] })).not.toContain('#### Metric history');
    const text = report({ history: [{ label: 'v1', metrics: { accuracy: 0.9 } }] });
    expect(text).toContain('#### Metric history');
    expect(text).toContain('```mermaid');
    expect(text).toContain('<summary>accuracy: the numbers plotted</summary>');
  });
});
