import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Column } from '../packages/core/src/data/table.ts';
import type { DriftRecord } from '../packages/core/src/drift/record.ts';
import { drawColumn, population, reweighted } from '../packages/core/src/drift/testing.ts';
import { Sampler } from '../packages/core/src/stats/testing-utils.ts';
import { cli, FIXTURES, ROOT, tempDir } from './helpers.ts';

/**
 * `modelgate monitor` as a user runs it: real files (CSV, a request log folder), a real ONNX
 * model for prediction and performance drift, a filesystem registry for `registry:NAME@ALIAS`,
 * and every kind of bad input, which is exit 2 with one line and no file written.
 */
const work = tempDir('modelgate-monitor-');
const LOGS = join(ROOT, 'test', 'fixtures', 'request-logs');
const LOGS_REFERENCE = join(ROOT, 'test', 'fixtures', 'request-logs-reference.csv');
const CANCER = join(FIXTURES, 'binary-sigmoid');

function writeCsv(path: string, names: readonly string[], columns: readonly Column[]): string {
  const rows = columns[0]?.values.length ?? 0;
  const lines = [names.join(',')];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => String(c.values[r])).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A reference and a current table of 10 columns (f4 and f9 categorical) from one population, or with f0 shifted and f4 reweighted. */
function tables(name: string, shift: number): { reference: string; current: string } {
  const columns = population(10, 3);
  const sampler = new Sampler(11);
  const names = columns.map((_, i) => `f${i}`);
  const reference = writeCsv(
    join(work, `${name}-ref.csv`),
    names,
    columns.map((p) => drawColumn(p, 1500, sampler)),
  );
  const current = writeCsv(
    join(work, `${name}-cur.csv`),
    names,
    columns.map((p, i) => {
      if (shift === 0 || (i !== 0 && i !== 4)) return drawColumn(p, 1200, sampler);
      return p.kind === 'numeric'
        ? drawColumn(p, 1200, sampler, shift)
        : drawColumn(reweighted(p), 1200, sampler);
    }),
  );
  return { reference, current };
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as DriftRecord;
const drifted = (record: DriftRecord) =>
  Object.entries(record.features)
    .filter(([, f]) => f.drifted)
    .map(([n]) => n)
    .sort();

describe('modelgate monitor: data drift', () => {
  it('finds nothing when both sides come from one population: exit 0, the record and the report written', async () => {
    const { reference, current } = tables('same', 0);
    const out = join(work, 'same.json');
    const report = join(work, 'same.md');
    const result = await cli([
      'monitor',
      '--reference',
      reference,
      '--current',
      current,
      '--out',
      out,
      '--report',
      report,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const record = read(out);
    expect(record.schema).toBe('modelgate/drift@1');
    expect(record.drifted).toBe(false);
    expect(record.reference).toMatchObject({ source: reference, rows: 1500 });
    expect(record.current).toMatchObject({ source: current, rows: 1200 });
    expect(record.reference.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.alpha).toBe(0.05);
    expect(Object.keys(record.features)).toEqual([
      'f0',
      'f1',
      'f2',
      'f3',
      'f4',
      'f5',
      'f6',
      'f7',
      'f8',
      'f9',
    ]);
    expect(record.features.f4).toMatchObject({ kind: 'categorical', test: 'chi2' });
    expect(record.features.f0).toMatchObject({ kind: 'numeric', test: 'ks' });
    expect(drifted(record)).toEqual([]);
    const markdown = readFileSync(report, 'utf8');
    expect(markdown.split('\n')[0]).toMatch(/^## ✅ No drift: 0 of 10 features drifted$/);
    expect(result.stdout).toMatch(/^No drift: 0 of 10 features drifted$/m);
  });

  it('finds a column shifted by 0.5 sd and a reweighted category, and nothing else: exit 1, worst first', async () => {
    const { reference, current } = tables('shifted', 0.5);
    const out = join(work, 'shifted.json');
    const report = join(work, 'shifted.md');
    const result = await cli([
      'monitor',
      '--reference',
      reference,
      '--current',
      current,
      '--out',
      out,
      '--report',
      report,
    ]);
    expect(result.code).toBe(1);
    const record = read(out);
    expect(record.drifted).toBe(true);
    expect(drifted(record)).toEqual(['f0', 'f4']);
    for (const name of ['f0', 'f4']) {
      expect(record.features[name]?.p_adjusted).toBeLessThan(0.05);
      expect(record.features[name]?.psi).toBeGreaterThanOrEqual(0.1);
    }
    const markdown = readFileSync(report, 'utf8');
    expect(markdown.split('\n')[0]).toBe('## ⚠️ Drift detected: 2 of 10 features drifted');
    expect(markdown.length).toBeLessThan(60_000);
    // The drifted features worst first (by PSI), each charted with its numbers beside it.
    const section = markdown.split('### Drifted features, worst first')[1]?.split('###')[0] ?? '';
    const order = [...section.matchAll(/^\| `(f\d)` /gm)].map((m) => m[1]);
    const psi = (n: string) => record.features[n]?.psi ?? 0;
    expect(order).toEqual(['f0', 'f4'].sort((a, b) => psi(b) - psi(a)));
    expect(markdown.match(/```mermaid\n/g)).toHaveLength(2);
    expect(markdown).toMatch(/<summary>f0: the shares plotted<\/summary>/);
    expect(result.stdout).toMatch(/^Drift detected: 2 of 10 features drifted$/m);
  });

  it('lets .modelgate.yml raise a feature’s min_effect, so its drift is no alarm', async () => {
    const { reference, current } = tables('limits', 0.5);
    const config = join(work, 'limits.yml');
    writeFileSync(config, 'monitor:\n  alpha: 0.01\n  per_feature:\n    f0: { min_effect: 5 }\n');
    const out = join(work, 'limits.json');
    const result = await cli([
      'monitor',
      '--reference',
      reference,
      '--current',
      current,
      '--config',
      config,
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    const record = read(out);
    expect(record.alpha).toBe(0.01);
    expect(drifted(record)).toEqual(['f4']);
  });

  it('reads a folder of the server’s request logs as the current data', async () => {
    const out = join(work, 'logs.json');
    const result = await cli(['monitor', '--reference', LOGS_REFERENCE, '--current', LOGS, '--out', out]);
    expect(result.code, result.stderr).toBeLessThan(2);
    const record = read(out);
    expect(record.current).toMatchObject({ source: LOGS, rows: 80 });
    expect(record.features.x1?.kind).toBe('numeric');
    expect(record.features.region?.kind).toBe('categorical');
    // The logs' digest covers every file, in name order: a second read gives the same one.
    const again = join(work, 'logs-again.json');
    await cli(['monitor', '--reference', LOGS_REFERENCE, '--current', LOGS, '--out', again]);
    expect(read(again).current.sha256).toBe(record.current.sha256);
  });
});

describe('modelgate monitor: prediction and performance drift with a model', () => {
  // The breast-cancer fixture without its text slice column: rows 1–100 and 101–200.
  const lines = readFileSync(join(CANCER, 'data.csv'), 'utf8').trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  const keep = header.map((_, i) => i).filter((i) => header[i] !== 'size');
  const pick = (line: string) =>
    line
      .split(',')
      .filter((_, i) => keep.includes(i))
      .join(',');
  const part = (name: string, rows: string[], edit = (cells: string[]) => cells) => {
    const path = join(work, name);
    const body = rows.map((l) => edit(pick(l).split(',')).join(','));
    writeFileSync(path, `${pick(lines[0] as string)}\n${body.join('\n')}\n`);
    return path;
  };
  const reference = part('cancer-ref.csv', lines.slice(1, 101));
  const label = header.indexOf('target') - 1;
  const flipped = part('cancer-flipped.csv', lines.slice(101), (cells) =>
    cells.map((c, i) =>
      i === header.filter((h) => h !== 'size').indexOf('target') ? String(1 - Number(c)) : c,
    ),
  );
  const gates = join(work, 'gates.yml');
  writeFileSync(gates, 'model: cancer\ngates:\n  accuracy: { min: 0.8, max_drop: 0.05 }\n');

  it('tests the model’s scores and classes on both sides, and gates its metrics on the labelled current data', async () => {
    expect(label).toBeGreaterThan(0);
    const out = join(work, 'perf.json');
    const result = await cli([
      'monitor',
      '--reference',
      reference,
      '--current',
      flipped,
      '--model',
      join(CANCER, 'model.onnx'),
      '--label',
      'target',
      '--config',
      gates,
      '--bootstrap',
      '200',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(1);
    const record = read(out);
    expect(record.model).toBe('cancer');
    expect(Object.keys(record.features)).not.toContain('target');
    expect(record.prediction?.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(record.prediction?.outputs ?? {}).length).toBeGreaterThan(0);
    // Flipped labels: the accuracy falls far below the reference's, and the gates say so.
    expect(record.performance?.passed).toBe(false);
    expect(record.performance?.evidence).toBe('unpaired');
    const rule = record.performance?.rules.find((r) => r.metric === 'accuracy' && r.rule === 'max_drop');
    expect(rule?.status).toBe('fail');
    expect(record.performance?.metrics.accuracy?.ci).toHaveLength(2);
    expect(record.drifted).toBe(true);
  });
});

describe('modelgate monitor: a registered version as the reference', () => {
  it('uses the data the version was evaluated on, found by its digest, and says when it is not at hand', async () => {
    const dir = join(work, 'registry-case');
    mkdirSync(dir, { recursive: true });
    const data = join(dir, 'eval.csv');
    copyFileSync(join(CANCER, 'data.csv'), data);
    const evaluation = join(dir, 'eval.json');
    const model = join(CANCER, 'model.onnx');
    const registry = `fs:${join(dir, 'registry')}`;
    expect(
      (
        await cli([
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
          '0',
          '--out',
          evaluation,
        ])
      ).code,
    ).toBe(0);
    const registered = await cli([
      'register',
      '--name',
      'cancer',
      '--model',
      model,
      '--evaluation',
      evaluation,
      '--require-passed',
      'false',
      '--alias',
      'production',
      '--registry',
      registry,
    ]);
    expect(registered.code, registered.stderr).toBe(0);

    const out = join(dir, 'drift.json');
    const args = [
      'monitor',
      '--reference',
      'registry:cancer@production',
      '--current',
      data,
      '--registry',
      registry,
      '--label',
      'target',
    ];
    const found = await cli([...args, '--out', out]);
    expect(found.code, found.stderr).toBe(0);
    expect(read(out).reference).toMatchObject({
      source: 'registry:cancer@production',
      path: data,
      rows: 200,
    });
    expect(read(out).model).toBe('cancer');

    // The data changes after the evaluation: its digest no longer matches, and nothing is written.
    const copy = join(dir, 'kept.csv');
    copyFileSync(data, copy);
    writeFileSync(
      data,
      `${readFileSync(data, 'utf8')}`.replace(/\n$/, '\n').replace(/^(.*?\n)(.*?\n)/, '$1'),
    );
    const missing = join(dir, 'missing.json');
    const gone = await cli([...args, '--out', missing]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(
      /^modelgate: error: the data cancer v1 \(registry:cancer@production\) was evaluated on \(.*eval\.csv, sha256 [0-9a-f]{12}\) is not at hand/,
    );
    expect(gone.stderr).toMatch(/hint: give --reference-data PATH/);
    expect(existsSync(missing)).toBe(false);
    // A copy with that digest stands in for it.
    const again = await cli([...args, '--reference-data', copy, '--out', missing]);
    expect(again.code, again.stderr).toBe(0);
    expect(read(missing).reference.path).toBe(copy);

    // With the model and the labels: its metrics on the current rows against the registered evaluation.
    const gates = join(dir, 'gates.yml');
    writeFileSync(gates, 'gates:\n  accuracy: { min: 0.8, max_drop: 0.05 }\n');
    const perf = join(dir, 'perf.json');
    const scored = await cli([
      ...args,
      '--reference-data',
      copy,
      '--model',
      model,
      '--config',
      gates,
      '--bootstrap',
      '100',
      '--out',
      perf,
    ]);
    expect(scored.code, scored.stderr).toBe(0);
    expect(read(perf).performance).toMatchObject({
      baseline: { source: "cancer v1's registered evaluation" },
      passed: true,
      evidence: 'unpaired',
    });
    expect(read(perf).performance?.rules.map((r) => [r.metric, r.rule, r.status])).toEqual([
      ['accuracy', 'min', 'pass'],
      ['accuracy', 'max_drop', 'pass'],
    ]);
  });
});

describe('modelgate monitor: bad input is exit 2, one line, and no file', () => {
  const csv = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  const ab = csv('ab.csv', 'a,b\n1,x\n2,y\n3,x\n');
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'a column of REF missing from CUR',
      () => ['--reference', ab, '--current', csv('a.csv', 'a\n1\n2\n')],
      /column 'b' of .*ab\.csv \(--reference\) is missing from .*a\.csv \(--current\)/,
    ],
    [
      'a column of CUR missing from REF',
      () => ['--reference', ab, '--current', csv('abc.csv', 'a,b,c\n1,x,1\n2,y,2\n')],
      /column 'c' of .*abc\.csv \(--current\) is missing from .*ab\.csv \(--reference\)/,
    ],
    [
      'one row on a side',
      () => ['--reference', ab, '--current', csv('one.csv', 'a,b\n1,x\n')],
      /one\.csv \(--current\) has 1 row; drift needs at least 2 rows on each side/,
    ],
    [
      'a column whose type differs',
      () => ['--reference', ab, '--current', csv('typed.csv', 'a,b\n1,2\n2,3\n')],
      /column 'b' is text in .*ab\.csv \(--reference\) but numeric in .*typed\.csv \(--current\)/,
    ],
    [
      'an empty log folder',
      () => {
        const dir = join(work, 'empty-logs');
        mkdirSync(dir, { recursive: true });
        return ['--reference', ab, '--current', dir];
      },
      /the request log folder .*empty-logs holds no \*\.jsonl files/,
    ],
    [
      'a NaN feature value',
      () => ['--reference', ab, '--current', csv('nan.csv', 'a,b\nNaN,x\n2,y\n')],
      /column 'a' of .*nan\.csv \(--current\) holds NaN in row 1/,
    ],
    [
      'a feature that is not a column',
      () => ['--reference', ab, '--current', ab, '--features', 'a,z'],
      /feature 'z' is not a column of .*ab\.csv \(--reference\)/,
    ],
    ['no --current', () => ['--reference', ab], /--current is required/],
    [
      'a registry reference with no version',
      () => ['--reference', 'registry:production', '--current', ab],
      /--reference 'registry:production' names no version/,
    ],
    [
      'a misspelt key in monitor:',
      () => ['--reference', ab, '--current', ab, '--config', csv('typo.yml', 'monitor:\n  alhpa: 0.01\n')],
      /config file .*typo\.yml: unknown key 'monitor\.alhpa'/,
    ],
    [
      'an alpha out of range',
      () => ['--reference', ab, '--current', ab, '--config', csv('alpha.yml', 'monitor:\n  alpha: 5\n')],
      /'monitor\.alpha' in .*alpha\.yml is 5; expected a number between 0 and 1/,
    ],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const out = join(work, 'bad.json');
    const report = join(work, 'bad.md');
    const result = await cli(['monitor', ...args(), '--out', out, '--report', report]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^modelgate: error: /);
    expect(result.stderr.split('\n')[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(work).filter((f) => f.startsWith('bad.'))).toEqual([]);
  });
});
