import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { FIXTURES, tempFiles } from './__fixtures__/temp-files.ts';
import { readTable, type Table } from './index.ts';

const files = tempFiles();

/** Fixtures written by real numpy (__fixtures__/make-numpy-fixtures.py). */
function fixture(name: string): Promise<Table> {
  return readTable(join(FIXTURES, name));
}

async function errorOf(read: Promise<Table>): Promise<InputError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

type Dtype = `${'<' | '>' | '|'}${'f' | 'i' | 'u'}${1 | 2 | 4 | 8}`;

/** An NPY file built by hand, for the dtype and byte-order combinations numpy fixtures do not cover. */
function npyBytes(
  descr: string,
  shape: readonly number[],
  data: Uint8Array,
  options: { version?: number } = {},
): Buffer {
  const version = options.version ?? 1;
  const prefix = version === 1 ? 10 : 12;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const padded = `${dict.padEnd(Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix - 1)}\n`;
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(padded.length, 8);
  else head.writeUInt32LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), data]);
}

function encode(dtype: Dtype, values: readonly (number | bigint)[]): Uint8Array {
  const little = dtype[0] !== '>';
  const kind = dtype[1];
  const size = Number(dtype.slice(2));
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((value, i) => {
    const at = i * size;
    const key = `${kind}${size}`;
    if (key === 'f4') view.setFloat32(at, Number(value), little);
    else if (key === 'f8') view.setFloat64(at, Number(value), little);
    else if (key === 'i1') view.setInt8(at, Number(value));
    else if (key === 'u1') view.setUint8(at, Number(value));
    else if (key === 'i2') view.setInt16(at, Number(value), little);
    else if (key === 'u2') view.setUint16(at, Number(value), little);
    else if (key === 'i4') view.setInt32(at, Number(value), little);
    else if (key === 'u4') view.setUint32(at, Number(value), little);
    else if (key === 'i8') view.setBigInt64(at, BigInt(value), little);
    else if (key === 'u8') view.setBigUint64(at, BigInt(value), little);
    else throw new Error(`no encoder for ${dtype}`);
  });
  return new Uint8Array(view.buffer);
}

describe('reading NPY', () => {
  it('makes columns "0", "1", … of a 2-D float64 array, bit for bit', async () => {
    const table = await fixture('matrix-f8.npy');
    expect(table.format).toBe('npy');
    expect(table.columns).toEqual(['0', '1', '2']);
    expect(table.rows).toBe(2);
    expect(table.column('0')).toEqual({ kind: 'number', values: Float64Array.from([1.5, 3.25]) });
    expect(table.column('2')).toEqual({ kind: 'number', values: Float64Array.from([0.1, 5e-324]) });
    expect([...table.matrix(['0', '1', '2'])]).toEqual([1.5, -2, 0.1, 3.25, 1e-30, 5e-324].map(Math.fround));
  });

  it("copies any subset of a packed matrix's columns, in the order asked, without splitting them first", async () => {
    const table = await fixture('matrix-f8.npy');
    expect([...table.matrix(['2', '0'])]).toEqual([0.1, 1.5, 5e-324, 3.25].map(Math.fround));
    expect([...table.matrix(['1'])]).toEqual([-2, 1e-30].map(Math.fround));
  });

  it('makes one column "0" of a 1-D array, keeping float32 values exact', async () => {
    const table = await fixture('vector-f4.npy');
    expect(table.columns).toEqual(['0']);
    expect([...table.matrix(['0'])]).toEqual([0.1, 0.2, 1 / 3].map(Math.fround));
  });

  it('reads Fortran order, big-endian data, float16, and header versions 2 and 3', async () => {
    const fortran = await fixture('fortran-i4.npy');
    expect([...fortran.matrix(['0', '1'])]).toEqual([0, 1, 2, 3, 4, 5]);
    const big = await fixture('big-endian-f8.npy');
    expect([...big.matrix(['0', '1'])]).toEqual([1.5, 2.5, 3.5, 4.5]);
    const half = await fixture('half.npy');
    expect([...half.column('0').values]).toEqual([0.5, -2, 65504, 2 ** -24]);
    const v2 = await fixture('v2.npy');
    expect([...v2.matrix(['0', '1'])]).toEqual([1, 2, 3, 4]);
    const v3 = await fixture('v3.npy');
    expect(v3.columns).toEqual(['größe']);
    expect([...v3.matrix(['größe'])]).toEqual([1, 2]);
  });

  it('reads unicode arrays as text and booleans as true / false', async () => {
    expect((await fixture('labels-u.npy')).column('0')).toEqual({
      kind: 'string',
      values: ['cat', 'dög', '🐍'],
    });
    expect((await fixture('bools.npy')).column('0')).toEqual({
      kind: 'string',
      values: ['true', 'false', 'true'],
    });
  });

  it('makes a column per field of a structured array, aligned ones too', async () => {
    const table = await fixture('records.npy');
    expect(table.columns).toEqual(['x', 'n', 'name']);
    expect(table.column('x')).toEqual({ kind: 'number', values: Float64Array.from([1.5, 2.5]) });
    expect(table.column('n')).toEqual({ kind: 'number', values: Float64Array.from([3, -4]) });
    expect(table.column('name')).toEqual({ kind: 'string', values: ['a', 'bb'] });
    const aligned = await fixture('aligned-records.npy');
    expect(aligned.columns).toEqual(['a', 'b']);
  });

  it.each(['<i1', '<i2', '>i2', '<u2', '<i4', '>u4', '<i8', '>i8', '<u8', '<f4', '>f4', '>f8'] as const)(
    'reads dtype %s',
    async (dtype) => {
      const values = dtype[1] === 'u' ? [0, 1, 100, 127] : [-128, -1, 0, 127];
      const path = files.write(
        `dtype-${dtype.replace(/[<>|]/, (c) => (c === '<' ? 'le' : 'be'))}.npy`,
        npyBytes(dtype, [2, 2], encode(dtype, values)),
      );
      const table = await readTable(path);
      expect([...table.matrix(['0', '1'])]).toEqual(values);
    },
  );

  it('reads unsigned bytes with the "|" byte order', async () => {
    const path = files.write('u1.npy', npyBytes('|u1', [3], Uint8Array.from([0, 128, 255])));
    expect([...(await readTable(path)).column('0').values]).toEqual([0, 128, 255]);
  });
});

describe('reading NPZ', () => {
  it('makes K[0]…K[d-1] of a 2-D member, K of a 1-D one or of one column wide', async () => {
    for (const name of ['dataset.npz', 'compressed.npz']) {
      const table = await fixture(name);
      expect(table.format).toBe('npz');
      expect(table.rows).toBe(3);
      expect(table.columns.slice(0, 4)).toEqual(['X[0]', 'X[1]', 'X[2]', 'y']);
      expect([...table.matrix(['X[0]', 'X[1]', 'X[2]'])]).toEqual(
        [0.1, 0.2, 0.3, 1, 2, 3, -1.5, 0, 7].map(Math.fround),
      );
      expect(table.column('y')).toEqual({ kind: 'string', values: ['a', 'b', 'a'] });
    }
    expect((await fixture('dataset.npz')).column('w')).toEqual({
      kind: 'number',
      values: Float64Array.from([1, 2, 3]),
    });
  });

  it('reads stored and deflated members of a zip made without numpy', async () => {
    const x = npyBytes('<f8', [2], encode('<f8', [0.25, -8]));
    const label = npyBytes('<i4', [2], encode('<i4', [1, 0]));
    const path = files.write(
      'hand.npz',
      zipSync({ 'x.npy': [x, { level: 0 }], 'label.npy': [label, { level: 9 }] }),
    );
    const table = await readTable(path);
    expect(table.columns).toEqual(['x', 'label']);
    expect([...table.matrix(['x', 'label'])]).toEqual([0.25, 1, -8, 0]);
  });

  it('names the fields of a structured member K.field', async () => {
    const records = readFileSync(join(FIXTURES, 'records.npy'));
    const table = await readTable(files.write('records.npz', zipSync({ 'r.npy': records })));
    expect(table.columns).toEqual(['r.x', 'r.n', 'r.name']);
  });

  it('refuses two members that give the same column name', async () => {
    const wide = npyBytes('<f8', [1, 2], encode('<f8', [1, 2]));
    const narrow = npyBytes('<f8', [1], encode('<f8', [3]));
    const path = files.write('clash.npz', zipSync({ 'a.npy': wide, 'a[0].npy': narrow }));
    expect((await errorOf(readTable(path))).message).toBe(`${path} has two columns named 'a[0]'`);
  });

  it('refuses members of different lengths, naming the member', async () => {
    const error = await errorOf(fixture('ragged.npz'));
    expect(error.message).toMatch(/ragged\.npz: member 'y\.npy' has 2 rows, expected 3 \(as in 'X\.npy'\)$/);
  });

  it('refuses a member that is not an .npy array', async () => {
    const error = await errorOf(fixture('not-arrays.npz'));
    expect(error.message).toMatch(/not-arrays\.npz: member 'README\.txt' is not an \.npy array$/);
  });

  it('refuses a file that is not a zip, keeping the zip error as the cause', async () => {
    const error = await errorOf(
      readTable(files.write('corrupt.npz', 'PK\u0003\u0004 this is not a zip at all')),
    );
    expect(error.message).toMatch(/corrupt\.npz is not a valid NPZ file \(a zip of \.npy arrays\): /);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('bad NPY input', () => {
  it('refuses a file without the NPY magic', async () => {
    const error = await errorOf(readTable(files.write('text.npy', 'just text, not numpy')));
    expect(error.message).toMatch(/text\.npy is not an NPY file/);
  });

  it('refuses a truncated file', async () => {
    const whole = npyBytes('<f8', [4], encode('<f8', [1, 2, 3, 4]));
    const error = await errorOf(readTable(files.write('cut.npy', whole.subarray(0, whole.length - 5))));
    expect(error.message).toMatch(
      /cut\.npy is truncated: its header promises 32 bytes of data, the file has 27$/,
    );
  });

  it('refuses a file cut inside its preamble or header', async () => {
    const whole = npyBytes('<f8', [4], encode('<f8', [1, 2, 3, 4]), { version: 2 });
    for (const length of [11, 40]) {
      const error = await errorOf(readTable(files.write(`cut-${length}.npy`, whole.subarray(0, length))));
      expect(error.message).toMatch(new RegExp(`cut-${length}\\.npy is truncated inside its NPY header$`));
    }
  });

  it('refuses a corrupt header, keeping the parse error as the cause', async () => {
    const bytes = npyBytes('<f8', [1], encode('<f8', [1]));
    bytes.write("{'descr': '<f8', 'fortran_order': Flase", 10, 'latin1');
    const error = await errorOf(readTable(files.write('header.npy', bytes)));
    expect(error.message).toMatch(/header\.npy has a corrupt NPY header: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses 3-D arrays and scalars, saying what shape is expected', async () => {
    expect((await errorOf(fixture('cube.npy'))).message).toMatch(
      /cube\.npy is a 3-D array \(shape \(2, 2, 2\)\); expected a 1-D or 2-D array$/,
    );
    expect((await errorOf(fixture('scalar.npy'))).message).toMatch(/scalar\.npy is a 0-D array/);
  });

  it('refuses pickled object arrays', async () => {
    expect((await errorOf(fixture('object.npy'))).message).toMatch(
      /object\.npy is an object array \(pickled/,
    );
  });

  it('refuses 64-bit integers beyond 2^53, which a double would round', async () => {
    expect((await errorOf(fixture('int64-big.npy'))).message).toMatch(
      /int64-big\.npy column 0 row 2 is 9007199254740993, beyond 2\^53/,
    );
  });

  it('refuses dtypes it does not read, such as complex numbers', async () => {
    const path = files.write('complex.npy', npyBytes('<c16', [1], new Uint8Array(16)));
    expect((await errorOf(readTable(path))).message).toMatch(
      /complex\.npy has dtype '<c16', which this reader does not support$/,
    );
  });
});
