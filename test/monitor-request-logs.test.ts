/**
 * The loop closed end to end: a real `startServer` with the request log on answers real infer
 * requests, and `modelgate monitor --current LOGDIR` reads what it wrote, against the data the
 * model was evaluated on: the same rows are no drift (exit 0), rows with one feature shifted are
 * drift in that feature and no other (exit 1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, type Registry, silentLogger } from '@modelgate/core';
import { startServer } from '@modelgate/server';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fixtures from '../packages/server/src/testing.ts';
import { cli, tempDir } from './helpers.ts';

const TOKEN = 'test-admin-token';
const dir = tempDir('modelgate-monitor-logs-');
const NAMES = (readFileSync(fixtures.DATA, 'utf8').split('\n')[0] as string)
  .split(',')
  .slice(0, fixtures.FEATURES);
const CHECKED = NAMES.slice(0, 6);
const ROWS = fixtures.featureRows(200);
let registry: Registry;

beforeAll(async () => {
  ({ registry } = fixtures.freshRegistry(dir, 'registry'));
  const { record } = await evaluate(
    {
      model: fixtures.MODEL_V2,
      data: fixtures.DATA,
      label: 'target',
      features: NAMES,
      sliceBy: [],
      bootstrap: 0,
      confidence: 0.95,
      seed: 1,
      provider: 'cpu',
      batchSize: 1024,
    },
    silentLogger,
  );
  await registry.register({
    name: 'cancer',
    modelPath: fixtures.MODEL_V2,
    evaluation: record,
    verdict: null,
    lineage: {},
    requirePassed: false,
  });
}, 60_000);

/** Sends the rows through a server that logs every request into `logDir`, 20 rows a request. */
async function serveAndLog(logDir: string, rows: number[][]): Promise<void> {
  const logging = await startServer({
    registry,
    port: 0,
    adminToken: TOKEN,
    preload: ['cancer@1'],
    logRequests: { dir: logDir, sample: 1 },
  });
  const api = fixtures.client(logging.url, TOKEN);
  for (let start = 0; start < rows.length; start += 20) {
    const answer = await api.infer('cancer', fixtures.inferBody(rows.slice(start, start + 20)));
    expect(answer.status).toBe(200);
  }
  await logging.requestLog?.flush();
  await logging.close();
}

describe('monitor over the server request log', () => {
  it('finds no drift when production sent the rows the model was evaluated on', async () => {
    const logDir = join(dir, 'same');
    await serveAndLog(logDir, ROWS);
    const out = join(dir, 'same.json');
    const run = await cli(
      [
        'monitor',
        '--reference',
        fixtures.DATA,
        '--current',
        logDir,
        '--features',
        CHECKED.join(','),
        '--out',
        out,
      ],
      dir,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const record = JSON.parse(readFileSync(out, 'utf8'));
    expect(record.schema).toBe('modelgate/drift@1');
    expect(record.current.rows).toBe(ROWS.length);
    expect(record.drifted).toBe(false);
    expect(Object.keys(record.features)).toEqual(CHECKED);
  });

  it('finds the one feature production shifted, and nothing else', async () => {
    const logDir = join(dir, 'shifted');
    const column = ROWS.map((row) => row[0] as number);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    await serveAndLog(
      logDir,
      ROWS.map(([first, ...rest]) => [(first as number) + sd, ...rest]),
    );
    const out = join(dir, 'shifted.json');
    const run = await cli(
      [
        'monitor',
        '--reference',
        fixtures.DATA,
        '--current',
        logDir,
        '--features',
        CHECKED.join(','),
        '--out',
        out,
      ],
      dir,
    );
    expect(run.code).toBe(1);
    const record = JSON.parse(readFileSync(out, 'utf8'));
    expect(record.drifted).toBe(true);
    const drifted = Object.entries(record.features as Record<string, { drifted: boolean }>)
      .filter(([, feature]) => feature.drifted)
      .map(([name]) => name);
    expect(drifted).toEqual([NAMES[0]]);
  });
});
