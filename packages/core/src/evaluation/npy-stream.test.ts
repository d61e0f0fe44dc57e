// A streamed NPY file (data/npy-stream.ts) must give the record the whole read gives, and hand
// every array or value it does not take to the whole read, which words the error as always.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNpyStream } from '../data/npy-stream.ts';
import { recordingLogger, scratch } from '../kernel/testing.ts';
import { evaluate, finishEvaluation, scoreRows } from './evaluate.ts';
import { mergeParts, partRecord } from './part.ts';
import type { EvaluateSettings } from './settings.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'models');
const quiet = { info: () => undefined, warning: () => undefined };
const MEASURED = /^(rows_per_second|latency_)/;
const dir = scratch('modelgate-npy-stream-');

function comparable(record: Awaited<ReturnType<typeof evaluate>>['record']): unknown {
  const copy = structuredClone(record) as unknown as Record<string, unknown> & {
    metrics: Record<string, unknown>;
  };
  delete copy.created_at;
  for (const name of Object.keys(copy.metrics)) if (MEASURED.test(name)) delete copy.metrics[name];
  return copy;
}

/**
 * A fixture's numeric columns as an NPY matrix: its features, then the label, then a slice
 * column (the row number mod 3). Column names are the indexes, as in any 2-D NPY file.
 */
function npyOf(
  fixture: string,
  label: string,
  options: { dtype?: '<f4' | '<f8'; fortran?: boolean; poison?: number } = {},
): { path: string; label: string; slice: string } {
  const [head = '', ...lines] = readFileSync(join(FIXTURES, fixture, 'data.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = head.split(',');
  const rows = lines.map((line) => line.split(','));
  const numeric = names
    .map((_, c) => c)
    .filter((c) => names[c] !== label && rows.every((cells) => !Number.isNaN(Number(cells[c]))));
  const columns = [...numeric, names.indexOf(label)];
  const width = columns.length + 1;
  const dtype = options.dtype ?? '<f4';
  const Typed = dtype === '<f4' ? Float32Array : Float64Array;
  const data = new Typed(rows.length * width);
  rows.forEach((cells, r) => {
    columns.forEach((c, j) => {
      const at = options.fortran ? j * rows.length + r : r * width + j;
      data[at] = Number(cells[c]);
    });
    data[options.fortran ? columns.length * rows.length + r : r * width + columns.length] = r % 3;
  });
  if (options.poison !== undefined) data[options.poison * width + 2] = Number.NaN;
  const dict = `{'descr': '${dtype}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': (${rows.length}, ${width}), }`;
  const padded = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11)}\n`;
  const head10 = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head10);
  head10.writeUInt16LE(padded.length, 8);
  const path = join(
    dir,
    `${fixture}-${dtype.slice(1)}${options.fortran ? '-fortran' : ''}${options.poison ?? ''}.npy`,
  );
  writeFileSync(path, Buffer.concat([head10, Buffer.from(padded, 'latin1'), new Uint8Array(data.buffer)]));
  return { path, label: String(columns.length - 1), slice: String(columns.length) };
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

describe('a streamed NPY file gives the record the whole read gives', () => {
  it.each([
    ['binary-sigmoid', 'target', '<f4' as const],
    ['binary-logits', 'target', '<f8' as const],
    ['regression', 'target', '<f8' as const],
    ['multiclass-mlp', 'digit', '<f4' as const],
  ])('%s (%s label, %s)', async (fixture, label, dtype) => {
    const npy = npyOf(fixture, label, { dtype });
    const task = fixture === 'regression' ? { task: 'regression' as const } : {};
    const settings = base(fixture, npy.path, { label: npy.label, sliceBy: [npy.slice], ...task });
    const logger = recordingLogger();
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).toMatch(/^info: streaming \d+ rows × \d+ features from .*\.npy$/m);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(streamed.record.slices).toHaveLength(3);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('streams a shard: its part holds what the whole read’s part holds, and the parts merge to the whole', async () => {
    const npy = npyOf('binary-sigmoid', 'target');
    const settings = base('binary-sigmoid', npy.path, { label: npy.label, sliceBy: [npy.slice] });
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

  it('reads whole what it does not take: Fortran order, float16, a 1-D array', async () => {
    const fortran = npyOf('binary-sigmoid', 'target', { fortran: true });
    const logger = recordingLogger();
    const settings = base('binary-sigmoid', fortran.path, { label: fortran.label, sliceBy: [fortran.slice] });
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).not.toMatch(/streaming/);
    expect(comparable(streamed.record)).toEqual(
      comparable((await evaluate({ ...settings, streaming: 'never' }, quiet)).record),
    );
    const half = join(dir, 'half.npy');
    const oneD = join(dir, 'one-d.npy');
    const header = (descr: string, shape: string) => {
      const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
      const padded = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11)}\n`;
      const head = Buffer.alloc(10);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
      head.writeUInt16LE(padded.length, 8);
      return Buffer.concat([head, Buffer.from(padded, 'latin1')]);
    };
    writeFileSync(half, Buffer.concat([header('<f2', '(4, 2)'), Buffer.alloc(16)]));
    writeFileSync(oneD, Buffer.concat([header('<f4', '(4,)'), Buffer.alloc(16)]));
    expect(openNpyStream(half, ['1'])).toBeUndefined();
    expect(openNpyStream(oneD, ['0'])).toBeUndefined();
    // A short file, and a label that is not a column.
    const short = join(dir, 'short.npy');
    writeFileSync(short, Buffer.concat([header('<f4', '(4, 2)'), Buffer.alloc(16)]));
    expect(openNpyStream(short, ['1'])).toBeUndefined();
    const whole = join(dir, 'whole.npy');
    writeFileSync(whole, Buffer.concat([header('<f4', '(4, 2)'), Buffer.alloc(32)]));
    expect(openNpyStream(whole, ['2'])).toBeUndefined();
    expect(openNpyStream(whole, ['1'])?.rows).toBe(4);
  });

  it('hands a NaN feature to the whole read, which names its row and column', async () => {
    const npy = npyOf('binary-sigmoid', 'target', { poison: 150 });
    const settings = base('binary-sigmoid', npy.path, { label: npy.label, sliceBy: [npy.slice] });
    const logger = recordingLogger();
    const streamed = evaluate({ ...settings, streaming: 'always' }, logger);
    const whole = evaluate({ ...settings, streaming: 'never' }, quiet);
    const [a, b] = await Promise.allSettled([streamed, whole]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const message = (r: PromiseSettledResult<unknown>) =>
      String((r as PromiseRejectedResult).reason?.message);
    expect(message(a)).toBe(message(b));
    expect(message(a)).toMatch(/row 151/);
    expect(logger.text()).toMatch(/reading .* whole: row 151/);
  });
});
