import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { FIXTURES, tempFiles } from './__fixtures__/temp-files.ts';
import { readTable, type Table } from './index.ts';

const files = tempFiles();

type Columns = Parameters<typeof parquetWriteBuffer>[0]['columnData'];

function writeParquet(name: string, columnData: Columns, options: { rowGroupSize?: number } = {}): string {
  return files.write(name, new Uint8Array(parquetWriteBuffer({ columnData, ...options })));
}

async function errorOf(read: Promise<Table>): Promise<InputError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('reading Parquet', () => {
  it('round-trips numeric, text and boolean columns, in schema order', async () => {
    const path = writeParquet('mixed.parquet', [
      { name: 'x_double', data: [0.1, -2.5, 1e-300], type: 'DOUBLE' },
      { name: 'x_float', data: Float32Array.from([0.1, 2, -3]), type: 'FLOAT' },
      { name: 'n_int32', data: [1, -2, 3], type: 'INT32' },
      { name: 'n_int64', data: [10n, -(2n ** 53n - 1n), 30n], type: 'INT64' },
      { name: 'region', data: ['north', 'south', 'ünïcode'], type: 'STRING' },
      { name: 'flag', data: [true, false, true], type: 'BOOLEAN' },
    ]);
    const table = await readTable(path);
    expect(table.format).toBe('parquet');
    expect(table.columns).toEqual(['x_double', 'x_float', 'n_int32', 'n_int64', 'region', 'flag']);
    expect(table.rows).toBe(3);
    expect(table.column('x_double')).toEqual({
      kind: 'number',
      values: Float64Array.from([0.1, -2.5, 1e-300]),
    });
    expect(table.column('x_float')).toEqual({
      kind: 'number',
      values: Float64Array.from([0.1, 2, -3].map(Math.fround)),
    });
    expect(table.column('n_int64')).toEqual({
      kind: 'number',
      values: Float64Array.from([10, -(2 ** 53 - 1), 30]),
    });
    expect(table.column('region')).toEqual({ kind: 'string', values: ['north', 'south', 'ünïcode'] });
    expect(table.column('flag')).toEqual({ kind: 'string', values: ['true', 'false', 'true'] });
    expect(table.strings('n_int32')).toEqual(['1', '-2', '3']);
    expect([...table.matrix(['n_int32', 'x_double'])]).toEqual([1, Math.fround(0.1), -2, -2.5, 3, 0]);
  });

  it('assembles columns across several row groups', async () => {
    const values = Array.from({ length: 2500 }, (_, i) => i * 0.5);
    const path = writeParquet('groups.parquet', [{ name: 'x', data: values, type: 'DOUBLE' }], {
      rowGroupSize: 1000,
    });
    const table = await readTable(path);
    expect(table.rows).toBe(2500);
    expect([...table.column('x').values]).toEqual(values);
  });

  it('makes a column with nulls text, with empty cells where the nulls were', async () => {
    const path = writeParquet('nulls.parquet', [{ name: 'x', data: [1.5, null, 3], type: 'DOUBLE' }]);
    const table = await readTable(path);
    expect(table.column('x')).toEqual({ kind: 'string', values: ['1.5', '', '3'] });
    expect(() => table.matrix(['x'])).toThrow(`${path}: column 'x' row 2 is empty, expected a number`);
  });
});

describe('bad Parquet input', () => {
  it('refuses 64-bit integers beyond 2^53, which a double would round', async () => {
    const path = writeParquet('big.parquet', [{ name: 'id', data: [1n, 2n ** 53n + 1n], type: 'INT64' }]);
    const error = await errorOf(readTable(path));
    expect(error.message).toBe(
      `${path}: column 'id' row 2 is 9007199254740993, beyond 2^53, where doubles stop being exact`,
    );
  });

  it('refuses a file that is not Parquet, keeping the parser error as the cause', async () => {
    const error = await errorOf(readTable(files.write('text.parquet', 'a,b\n1,2\n')));
    expect(error.message).toMatch(/text\.parquet is not a valid Parquet file: /);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a truncated file', async () => {
    const path = writeParquet('whole.parquet', [{ name: 'x', data: [1, 2, 3], type: 'DOUBLE' }]);
    const bytes = readFileSync(path);
    const cut = files.write('cut.parquet', bytes.subarray(0, bytes.length - 20));
    expect((await errorOf(readTable(cut))).message).toMatch(/cut\.parquet is not a valid Parquet file: /);
  });

  it('refuses a codec it cannot decompress (LZO), saying how to rewrite the file', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [{ name: 'x', data: [1, 2, 3], type: 'DOUBLE' }],
      codec: 'LZO',
      // The data is stored as is, but the file says LZO: reading it needs an LZO decoder.
      compressors: { LZO: (input: Uint8Array) => input },
    });
    const path = files.write('lzo.parquet', new Uint8Array(bytes));
    const error = await errorOf(readTable(path));
    expect(error.message).toMatch(/lzo\.parquet: cannot read the Parquet data: .*LZO/);
    expect(error.hint).toMatch(/compression="zstd"/);
  });

  it('says which file is corrupt when compressed pages do not decode', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [{ name: 'x', data: [1, 2, 3], type: 'DOUBLE' }],
      codec: 'ZSTD',
      // Raw bytes labelled ZSTD: the zstd decoder meets no zstd frame.
      compressors: { ZSTD: (input: Uint8Array) => input },
    });
    const path = files.write('fake-zstd.parquet', new Uint8Array(bytes));
    expect((await errorOf(readTable(path))).message).toMatch(
      /fake-zstd\.parquet: cannot read the Parquet data: /,
    );
  });
});

// Files written by pyarrow, once per codec (__fixtures__/make-parquet-codecs.py): the table below,
// rebuilt here, must come back cell for cell from each.
describe('reading Parquet from pyarrow, with every codec', () => {
  const ROWS = 2000;
  const expected = {
    x: Array.from({ length: ROWS }, (_, i) => i * 0.5 - 300.25),
    f: Array.from({ length: ROWS }, (_, i) => Math.fround((i % 97) / 8)),
    n: Array.from({ length: ROWS }, (_, i) => i * 1_000_003),
    region: Array.from({ length: ROWS }, (_, i) => ['north', 'south', 'east'][i % 3]),
    label: Array.from({ length: ROWS }, (_, i) => i % 2),
  };

  it.each(['none', 'snappy', 'gzip', 'brotli', 'zstd', 'lz4'])('%s', async (codec) => {
    const table = await readTable(join(FIXTURES, `codec-${codec}.parquet`));
    expect(table.rows).toBe(ROWS);
    expect(table.columns).toEqual(['x', 'f', 'n', 'region', 'label']);
    for (const name of ['x', 'f', 'n', 'label'] as const) {
      expect(table.column(name).kind, name).toBe('number');
      expect(Array.from(table.column(name).values as Float64Array), name).toEqual(expected[name]);
    }
    expect(table.column('region')).toEqual({ kind: 'string', values: expected.region });
  });
});
