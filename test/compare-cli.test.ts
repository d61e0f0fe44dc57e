import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, ROOT, tempDir } from './helpers.ts';

/**
 * `modelgate compare` decides with paired statistics: a drop that noise alone explains passes a
 * significance gate, a real drop fails it, and the point-estimate gate (MLflow / TFX style)
 * fails the near-twin. Exit codes: 0 pass, 1 fail, 2 bad spec or input.
 */
const dir = tempDir();
const data = join(FIXTURES, 'binary-sigmoid', 'data.csv');
const champion = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
// An MLP whose accuracy is 0.01 below the champion's on these rows: 1 row better, 3 rows worse.
const nearTwin = join(ROOT, 'examples', 'breast-cancer', 'model.onnx');
// A model that never predicts the positive class: a real regression.
const broken = join(FIXTURES, 'binary-zero-division', 'model.onnx');

function gates(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

async function paired(candidate: string, spec: string, extra: string[] = []) {
  const out = join(dir, `${Math.random().toString(16).slice(2)}.json`);
  const report = `${out}.md`;
  const result = await cli([
    'compare',
    '--model',
    candidate,
    '--baseline-model',
    champion,
    '--data',
    data,
    '--label',
    'target',
    '--slice-by',
    'size',
    '--gates',
    spec,
    '--bootstrap',
    '400',
    '--out',
    out,
    '--report',
    report,
    ...extra,
  ]);
  const verdict = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
  return { ...result, verdict, report: existsSync(report) ? readFileSync(report, 'utf8') : undefined };
}

describe('modelgate compare, paired', () => {
  let significant: string;
  let pointOnly: string;
  beforeAll(() => {
    significant = gates(
      'significant.yml',
      'model: cancer\ngates:\n  accuracy: { max_drop: 0.005, significance: 0.05 }\nslice_gates:\n  accuracy: { max_drop: 0.2 }\n',
    );
    pointOnly = gates('point.yml', 'model: cancer\ngates:\n  accuracy: { max_drop: 0.005 }\n');
  });

  it('calls a near-twin’s drop inconclusive under significance, and passes it by default', async () => {
    const result = await paired(nearTwin, significant);
    expect(result.code, result.stderr).toBe(0);
    const rule = result.verdict.rules.find(
      (r: { metric: string; slice?: unknown }) => r.metric === 'accuracy' && r.slice === undefined,
    );
    expect(rule).toMatchObject({
      rule: 'max_drop',
      status: 'inconclusive',
      on_inconclusive: 'pass',
      evidence: 'paired',
      significance: 0.05,
    });
    expect(rule.delta).toBeCloseTo(-0.01, 12);
    // The one-sided bounds straddle the tolerance −0.005: the data cannot tell.
    expect(rule.bounds[0]).toBeLessThan(-0.005);
    expect(rule.bounds[1]).toBeGreaterThan(-0.005);
    expect(rule.rows_to_settle).toBeGreaterThan(200);
    expect(rule.reason).toMatch(/^dropped 0\.01 > 0\.005 allowed, but the data cannot tell: /);
    // The terminal and the report give the reason too.
    expect(result.stdout).toContain(rule.reason);
    expect(result.report).toContain('❔ inconclusive → pass');
    expect(result.verdict.paired).toBe(true);
    expect(result.verdict.mcnemar).toMatchObject({ candidate_only: 1, baseline_only: 3 });
    // Exact two-sided binomial: 2 × P(X ≤ 1 | n = 4, p = ½) = 2 × 5/16.
    expect(result.verdict.mcnemar.p_value).toBeCloseTo(0.625, 12);
  });

  it('fails the same inconclusive near-twin with on_inconclusive: fail (exit 1)', async () => {
    const strict = gates(
      'strict.yml',
      'model: cancer\non_inconclusive: fail\ngates:\n  accuracy: { max_drop: 0.005, significance: 0.05 }\n',
    );
    const result = await paired(nearTwin, strict);
    expect(result.code, result.stderr).toBe(1);
    expect(result.verdict.passed).toBe(false);
    expect(result.verdict.rules[0]).toMatchObject({ status: 'inconclusive', on_inconclusive: 'fail' });
    expect(result.report?.split('\n')[0]).toBe('### ❌ modelgate: cancer fails 1 of 1 gates');
  });

  it('fails the same near-twin on point estimates alone, as MLflow and TFX would', async () => {
    const result = await paired(nearTwin, pointOnly);
    expect(result.code).toBe(1);
    expect(result.verdict.passed).toBe(false);
    expect(result.verdict.rules[0]).toMatchObject({ metric: 'accuracy', rule: 'max_drop', status: 'fail' });
    expect(result.stdout).toMatch(/fails/);
  });

  it('fails a real drop even with the significance gate', async () => {
    const result = await paired(broken, significant);
    expect(result.code).toBe(1);
    const rule = result.verdict.rules.find(
      (r: { metric: string; slice?: unknown }) => r.metric === 'accuracy' && r.slice === undefined,
    );
    expect(rule.status).toBe('fail');
    expect(rule.bound).toBeLessThan(-0.005);
  });

  it('gives slice rules their own paired interval, and the report starts with the verdict and holds the marker', async () => {
    const result = await paired(nearTwin, significant);
    const slices = result.verdict.rules.filter((r: { slice?: unknown }) => r.slice !== undefined);
    expect(slices.map((r: { slice: { value: string } }) => r.slice.value).sort()).toEqual([
      'large',
      'medium',
      'small',
    ]);
    for (const rule of slices) expect(rule.ci).toHaveLength(2);
    expect(result.report?.split('\n')[0]).toMatch(/✅ modelgate: cancer passes/);
    expect(result.report).toContain('<!-- modelgate:report model=cancer -->');
    // Two versions are no history: the chart needs the registry's real history.
    expect(result.report).not.toContain('```mermaid');
  });

  it('skips change rules for the first model (--baseline none), keeps bounds, and require_baseline fails it', async () => {
    const spec = gates('first.yml', 'gates:\n  accuracy: { min: 0.9, max_drop: 0.01 }\n');
    const out = join(dir, 'first.json');
    const args = [
      'compare',
      '--model',
      champion,
      '--baseline',
      'none',
      '--data',
      data,
      '--label',
      'target',
      '--slice-by',
      'size',
      '--bootstrap',
      '0',
      '--out',
      out,
    ];
    const first = await cli([...args, '--gates', spec]);
    expect(first.code).toBe(0);
    const verdict = JSON.parse(readFileSync(out, 'utf8'));
    expect(verdict.baseline).toBeNull();
    expect(verdict.rules.map((r: { rule: string; status: string }) => `${r.rule}:${r.status}`)).toEqual([
      'min:pass',
      'max_drop:skip',
    ]);
    const strict = gates(
      'strict.yml',
      'require_baseline: true\ngates:\n  accuracy: { min: 0.9, max_drop: 0.01 }\n',
    );
    expect((await cli([...args, '--gates', strict])).code).toBe(1);
  });
});

describe('modelgate compare, two records (unpaired)', () => {
  it('labels the comparison as the weaker, unpaired evidence', async () => {
    for (const [name, model] of [
      ['c', nearTwin],
      ['b', champion],
    ] as const) {
      const r = await cli([
        'evaluate',
        '--model',
        model,
        '--data',
        data,
        '--label',
        'target',
        '--slice-by',
        'size',
        '--bootstrap',
        '300',
        '--out',
        join(dir, `${name}.json`),
      ]);
      expect(r.code).toBe(0);
    }
    const spec = gates('unpaired.yml', 'gates:\n  accuracy: { max_drop: 0.005, significance: 0.05 }\n');
    const out = join(dir, 'unpaired-verdict.json');
    const result = await cli([
      'compare',
      '--candidate',
      join(dir, 'c.json'),
      '--baseline',
      join(dir, 'b.json'),
      '--gates',
      spec,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const verdict = JSON.parse(readFileSync(out, 'utf8'));
    expect(verdict.paired).toBe(false);
    expect(verdict.rules[0].evidence).toBe('unpaired');
    expect(verdict.notes.join(' ')).toMatch(/unpaired/);
  });
});

describe('modelgate compare, bad gate specs and inputs', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an unknown metric', 'gates:\n  acuracy: { min: 0.9 }\n', /acuracy/],
    ['invalid YAML', 'gates:\n  accuracy: { min: 0.9\n', /YAML|yaml/],
    ['a non-numeric threshold', 'gates:\n  accuracy: { max_drop: abc }\n', /max_drop/],
    ['a rule against the direction', 'gates:\n  log_loss: { max_drop: 0.01 }\n', /log_loss/],
    ...(
      [
        ['an empty file', ''],
        ['an empty gates section', 'gates: {}\n'],
        ['a model name alone', 'model: bc\n'],
      ] as const
    ).map(([name, yaml]): [string, string, RegExp] => [
      `a spec with no gates (${name})`,
      yaml,
      new RegExp(
        `^modelgate: error: \\S*${name.replace(/\W+/g, '-')}[^/]*\\.yml has no gates, so every model would pass; ` +
          "add a 'gates:' section, e\\.g\\. gates: \\{ accuracy: \\{ min: 0\\.9 \\} \\}$",
      ),
    ]),
    [
      'rmse on a classifier',
      'gates:\n  rmse: { max: 0.5 }\n',
      /^modelgate: error: \S+\.yml: gates\.rmse: a binary model has no rmse\. A binary evaluation computes accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, log_loss, brier, rows_per_second, latency_p50_ms, latency_p95_ms, latency_p99_ms, model_size_bytes$/,
    ],
    [
      'f1_macro on a binary model',
      'gates:\n  f1_macro: { min: 0.9 }\n',
      /^modelgate: error: \S+\.yml: gates\.f1_macro: a binary model has no f1_macro; did you mean 'f1'\? A binary evaluation computes accuracy, /,
    ],
  ];
  for (const [name, yaml, message] of cases) {
    it(`exits 2 with one line for ${name}, writing nothing`, async () => {
      const spec = gates(`${name.replace(/\W+/g, '-')}.yml`, yaml);
      const out = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      const result = await cli([
        'compare',
        '--model',
        champion,
        '--baseline',
        'none',
        '--data',
        data,
        '--label',
        'target',
        '--slice-by',
        'size',
        '--gates',
        spec,
        '--out',
        out,
      ]);
      expect(result.code).toBe(2);
      const errors = result.stderr.split('\n').filter((l) => l.startsWith('modelgate: error: '));
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('exits 2 for a candidate file that is not an evaluation record', async () => {
    const spec = gates('ok.yml', 'gates:\n  accuracy: { min: 0.5 }\n');
    const bogus = join(dir, 'bogus.json');
    writeFileSync(bogus, '{"schema": "something/else"}');
    const result = await cli(['compare', '--candidate', bogus, '--baseline', 'none', '--gates', spec]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^modelgate: error: candidate evaluation .*bogus\.json is not a modelgate\/evaluation@1 record/,
    );
  });
});
