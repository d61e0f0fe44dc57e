import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from '../kernel/testing.ts';
import { PSI_EPSILON, psiFromCounts } from '../stats/drift/index.ts';
import { analyzeDrift, type ColumnPair } from './analyze.ts';
import { readRequestLogs } from './logs.ts';
import { DRIFT_SCHEMA, type DriftRecord } from './record.ts';
import { renderDriftReport } from './report.ts';
import { driftStudy } from './testing.ts';

const LOGS = new URL('../../../../test/fixtures/request-logs/', import.meta.url).pathname;
const thresholds = { alpha: 0.05, minEffect: 0.1 };

describe('the server’s request logs', () => {
  it('read as one table: every *.jsonl file in name order, one row per line, features typed', async () => {
    const table = readRequestLogs(LOGS);
    expect(table.rows).toBe(80);
    expect(table.columns).toEqual(['x1', 'x2', 'region']);
    expect(table.column('x1').kind).toBe('number');
    expect(table.column('region').kind).toBe('string');
    expect(table.column('x1').values[0]).toBe(-0.775);
    expect(await table.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('name the file and line of a line without a feature the others have', () => {
    const dir = join(scratch('logs-'), 'logs');
    mkdirSync(dir);
    const line = (features: object) =>
      `${JSON.stringify({ time: 't', model: 'm', version: '1', features, outputs: {} })}\n`;
    writeFileSync(join(dir, 'requests-20261201T000000Z-1-0.jsonl'), line({ a: 1, b: 'x' }) + line({ a: 2 }));
    expect(() => readRequestLogs(dir)).toThrow(
      /requests-20261201T000000Z-1-0\.jsonl line 2 has no feature 'b'/,
    );
    writeFileSync(join(dir, 'requests-20261201T000000Z-1-0.jsonl'), '{"time": "t"}\n');
    expect(() => readRequestLogs(dir)).toThrow(
      /line 1 is not a request log line: it has no "features" object/,
    );
  });

  it('leave out an unfinished last line (a file still being written), but not a broken line before it', () => {
    const dir = join(scratch('logs-'), 'open');
    mkdirSync(dir);
    const line = `${JSON.stringify({ time: 't', model: 'm', version: '1', features: { a: 1 }, outputs: {} })}\n`;
    writeFileSync(join(dir, 'requests-20261201T000000Z-1-0.jsonl'), `${line}${line}{"time": "t", "feat`);
    expect(readRequestLogs(dir).rows).toBe(2);
    writeFileSync(join(dir, 'requests-20261201T000000Z-1-0.jsonl'), `${line}{"time": "t", "feat\n${line}`);
    expect(() => readRequestLogs(dir)).toThrow(
      /requests-20261201T000000Z-1-0\.jsonl line 2 is not valid JSON/,
    );
  });

  it('refuse an empty folder, naming it', () => {
    const dir = join(scratch('logs-'), 'empty');
    mkdirSync(dir);
    expect(() => readRequestLogs(dir)).toThrow(/the request log folder .*empty holds no \*\.jsonl files/);
  });
});

describe('PSI', () => {
  it(`takes an empty bin's share as ${PSI_EPSILON}, so a category new on one side counts and stays finite`, () => {
    const psi = psiFromCounts([50, 50, 0], [45, 45, 10]);
    const expected =
      (0.45 - 0.5) * Math.log(0.45 / 0.5) * 2 + (0.1 - PSI_EPSILON) * Math.log(0.1 / PSI_EPSILON);
    expect(psi).toBeCloseTo(expected, 12);
  });
});

describe('false alarms across 20 features (a small, seeded version of npm run monitor-study)', () => {
  it('BH keeps the runs with any alarm near alpha, where testing each feature at alpha alarms in most runs', () => {
    const same = driftStudy({ runs: 40, features: 20, rows: 500, seed: 5, thresholds });
    expect(same.bhAlarms).toBeLessThanOrEqual(4);
    expect(same.driftAlarms).toBe(0);
    expect(same.uncorrectedAlarms).toBeGreaterThanOrEqual(20);
  });

  it('finds a 0.5-sd shift and a reweighted category in every run, and nothing else', () => {
    const shifted = driftStudy({ runs: 40, features: 20, rows: 500, seed: 5, thresholds, shift: 0.5 });
    expect(shifted.found).toBe(40);
    expect(shifted.otherDrifted).toBe(0);
  });
});

describe('the drift report', () => {
  it('stays under 60,000 characters with 3,000 features, and says what it left out', () => {
    const pairs: ColumnPair[] = Array.from({ length: 3000 }, (_, i) => ({
      name: `feature_with_a_long_name_${i}`,
      reference: { kind: 'number', values: Float64Array.from({ length: 40 }, (_, r) => r) },
      current: { kind: 'number', values: Float64Array.from({ length: 40 }, (_, r) => r + 40 * (i % 2)) },
    }));
    const analysis = analyzeDrift(pairs, () => thresholds);
    const source = { source: 'a.csv', rows: 40, sha256: '0'.repeat(64) };
    const record: DriftRecord = {
      schema: DRIFT_SCHEMA,
      id: 'x',
      created_at: '2026-12-06T00:00:00.000Z',
      reference: source,
      current: source,
      alpha: 0.05,
      min_effect: 0.1,
      drifted: analysis.drifted,
      features: analysis.features,
      tool: { name: 'modelgate', version: 'test' },
    };
    const report = renderDriftReport(record, analysis.distributions);
    expect(report.length).toBeLessThan(60_000);
    expect(report.split('\n')[0]).toMatch(/^## ⚠️ Drift detected: 1500 of 3000 features drifted$/);
    expect(report).toMatch(
      /The \d+ features with the smallest effects are left out here; the drift record holds them all\./,
    );
  });
});
