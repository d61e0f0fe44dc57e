// A streamed Parquet file (data/parquet-stream.ts) must give the record the whole read gives, row
// group by row group, and hand every file or value it does not take to the whole read.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { openParquetStream } from '../data/parquet-stream.ts';
import { recordingLogger, scratch } from '../kernel/testing.ts';
import { evaluate, finishEvaluation, scoreRows } from './evaluate.ts';
import { mergeParts, partRecord } from './part.ts';
import type { EvaluateSettings } from './settings.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'models');
const quiet = { info: () => undefined, warning: () => undefined };
const MEASURED = /^(rows_per_second|latency_)/;
const dir = scratch('modelgate-parquet-stream-');

function comparable(record: Awaited<ReturnType<typeof evaluate>>['record']): unknown {
  const copy = structuredClone(record) as unknown as Record<string, unknown> & {
    metrics: Record<string, unknown>;
  };
  delete copy.created_at;
  for (const name of Object.keys(copy.metrics)) if (MEASURED.test(name)) delete copy.metrics[name];
  return copy;
}

type Columns = Parameters<typeof parquetWriteBuffer>[0]['columnData'];

/**
 * A fixture's CSV as Parquet in row groups of `groupRows`: numeric columns as DOUBLE (or FLOAT),
 * text columns as STRING, with the changes `edit` makes to the cells first.
 */
function parquetOf(
  fixture: string,
  options: {
    groupRows?: number;
    float?: boolean;
    edit?: (rows: string[][], names: string[]) => void;
    /** Columns written after the fixture's own. */
    extra?: Columns;
  } = {},
): string {
  const [head = '', ...lines] = readFileSync(join(FIXTURES, fixture, 'data.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = head.split(',');
  const rows = lines.map((line) => line.split(','));
  options.edit?.(rows, names);
  const columnData: Columns = names.map((name, c) => {
    const cells = rows.map((cells) => cells[c] as string);
    const numeric = cells.every((cell) => cell !== '' && !Number.isNaN(Number(cell)));
    return numeric
      ? { name, data: cells.map(Number), type: options.float ? 'FLOAT' : 'DOUBLE' }
      : { name, data: cells.map((cell) => (cell === '' ? null : cell)), type: 'STRING' };
  });
  columnData.push(...(options.extra ?? []));
  const path = join(
    dir,
    `${fixture}-${options.groupRows ?? 'one'}-${options.float ? 'f' : 'd'}-${Math.random().toString(36).slice(2)}.parquet`,
  );
  writeFileSync(
    path,
    new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: options.groupRows ?? 100_000 })),
  );
  return path;
}

const base = (fixture: string, data: string, extra: Partial<EvaluateSettings>): EvaluateSettings => ({
  model: join(FIXTURES, fixture, 'model.onnx'),
  data,
  label: 'target',
  sliceBy: [],
  bootstrap: 200,
  confidence: 0.95,
  seed: 5,
  provider: 'cpu',
  batchSize: 64,
  ...extra,
});

describe('a streamed Parquet file gives the record the whole read gives', () => {
  it.each([
    ['binary-sigmoid', { sliceBy: ['size'] }, 37, false],
    ['binary-sigmoid', { sliceBy: ['size'] }, undefined, true],
    ['regression', { task: 'regression' as const, sliceBy: ['bmi_band', 'age_band'] }, 50, false],
    ['string-labels', { label: 'species' }, 64, false],
    ['multiclass-mlp', { label: 'digit' }, 100, true],
  ])('%s %o in row groups of %s rows (float32 columns: %s)', async (fixture, extra, groupRows, float) => {
    const path = parquetOf(fixture, { groupRows, float });
    const settings = base(fixture, path, extra);
    const logger = recordingLogger();
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).toMatch(/^info: streaming \d+ rows × \d+ features from .*\.parquet$/m);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('streams a shard, decoding its own row groups: the parts equal the whole read’s and merge to the whole', async () => {
    const path = parquetOf('binary-sigmoid', { groupRows: 30 });
    const settings = base('binary-sigmoid', path, { sliceBy: ['size'] });
    const files = [];
    for (const index of [1, 2, 3]) {
      const shard = { index, count: 3 };
      const logger = recordingLogger();
      const streamed = await partRecord(
        await scoreRows({ ...settings, streaming: 'always' }, shard, logger),
        settings,
        shard,
      );
      expect(logger.text()).toMatch(/^info: streaming 200 rows .*\(shard \d of 3\)$/m);
      const whole = await partRecord(
        await scoreRows({ ...settings, streaming: 'never' }, shard, quiet),
        settings,
        shard,
      );
      for (const part of [streamed, whole]) {
        delete (part as { created_at?: string }).created_at;
        delete (part as { measured?: unknown }).measured;
      }
      expect(streamed).toEqual(whole);
      files.push({ source: `part-${index}.json`, part: JSON.parse(JSON.stringify(streamed)) });
    }
    const { scored, settings: merged } = mergeParts(files);
    const fromParts = await finishEvaluation(scored, merged, quiet);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(fromParts.record)).toEqual(comparable(whole.record));
  });

  it('hands a null feature to the whole read, which words the error as always', async () => {
    const path = parquetOf('binary-sigmoid', {
      groupRows: 40,
      edit: (rows) => {
        (rows[150] as string[])[2] = '';
      },
    });
    const settings = base('binary-sigmoid', path, { sliceBy: ['size'] });
    const logger = recordingLogger();
    const [streamed, whole] = await Promise.allSettled([
      evaluate({ ...settings, streaming: 'always' }, logger),
      evaluate({ ...settings, streaming: 'never' }, quiet),
    ]);
    const message = (r: PromiseSettledResult<unknown>) =>
      String((r as PromiseRejectedResult).reason?.message);
    expect(streamed.status).toBe('rejected');
    expect(message(streamed)).toBe(message(whole));
    expect(logger.text()).toMatch(/reading .* whole: row 1: column 'mean_perimeter' is not a finite float32/);
  });

  it("names the file's row, not the shard's, when a kept column cannot be typed", async () => {
    // An INT64 slice key beyond 2^53 at file row 151: shard 3 of 3 holds rows 134-200.
    const ids = Array.from({ length: 200 }, (_, row) => (row === 150 ? 2n ** 53n + 1n : BigInt(row)));
    const path = parquetOf('binary-sigmoid', {
      groupRows: 40,
      extra: [{ name: 'id', data: ids, type: 'INT64' }],
    });
    const settings = base('binary-sigmoid', path, { sliceBy: ['size', 'id'] });
    const message = `${path}: column 'id' row 151 is 9007199254740993, beyond 2^53, where doubles stop being exact`;
    const logger = recordingLogger();
    await expect(
      scoreRows({ ...settings, streaming: 'always' }, { index: 3, count: 3 }, logger),
    ).rejects.toThrow(message);
    expect(logger.text()).not.toMatch(/ whole: /);
    await expect(evaluate({ ...settings, streaming: 'never' }, quiet)).rejects.toThrow(message);
  });

  it('hands a page it cannot decode to the whole read, which words the error as always', async () => {
    const path = parquetOf('binary-sigmoid', { groupRows: 50 });
    const bytes = readFileSync(path);
    // Garble the data pages of the first row groups, leaving the footer whole.
    for (let at = 200; at < 4000; at += 7) bytes[at] = 0xff;
    writeFileSync(path, bytes);
    const settings = base('binary-sigmoid', path, { sliceBy: ['size'] });
    const logger = recordingLogger();
    const [streamed, whole] = await Promise.allSettled([
      evaluate({ ...settings, streaming: 'always' }, logger),
      evaluate({ ...settings, streaming: 'never' }, quiet),
    ]);
    expect(whole.status).toBe('rejected');
    expect(streamed.status).toBe('rejected');
    const message = (r: PromiseSettledResult<unknown>) =>
      String((r as PromiseRejectedResult).reason?.message);
    expect(message(streamed)).toBe(message(whole));
    expect(message(streamed)).toMatch(/cannot read the Parquet data/);
  });

  it('streams a Parquet file of any size by default: its bytes say little of its rows', async () => {
    const path = parquetOf('binary-sigmoid', { groupRows: 64 });
    const logger = recordingLogger();
    const settings = base('binary-sigmoid', path, { sliceBy: ['size'] });
    const streamed = await evaluate(settings, logger);
    expect(logger.text()).toMatch(/^info: streaming 200 rows × 30 features from /m);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('leaves a missing file, a folder and a file that is not Parquet to the whole read’s errors', async () => {
    const folder = join(dir, 'folder.parquet');
    mkdirSync(folder, { recursive: true });
    const garbage = join(dir, 'garbage.parquet');
    writeFileSync(garbage, 'PAR1 but not really a Parquet file at all');
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.parquet'), /data file not found: .*missing\.parquet/],
      [folder, /data file is a directory, expected a file: .*folder\.parquet/],
      [garbage, /garbage\.parquet is not a valid Parquet file/],
    ];
    for (const [data, message] of cases) {
      await expect(evaluate(base('binary-sigmoid', data, {}), quiet)).rejects.toThrow(message);
    }
  });

  it('does not take a file that is not Parquet, or a kept column the file lacks', async () => {
    const text = join(dir, 'text.parquet');
    writeFileSync(text, 'not parquet at all, just some text');
    expect(await openParquetStream(text, [])).toBeUndefined();
    const path = parquetOf('binary-sigmoid', { groupRows: 50 });
    expect(await openParquetStream(path, ['no_such_column'])).toBeUndefined();
    const stream = await openParquetStream(path, ['target']);
    expect(stream?.rows).toBe(200);
    stream?.close();
  });
});
