import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { FIXTURES, tempFiles } from './__fixtures__/temp-files.ts';
import { readTable } from './index.ts';

const files = tempFiles();

/** 700 rows: more than two 256-row transpose blocks, so batches cross block edges. */
function csv(): string {
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 700; i++) lines.push(`${i * 0.5},${-i},${(i * 37) % 11}e-1,${i % 2}`);
  return `${lines.join('\n')}\n`;
}

describe('the model input, batch by batch', () => {
  it('copies any run of rows as the same values the whole matrix has, from columns', async () => {
    const table = await readTable(files.write('rows.csv', csv()));
    const columns = ['c', 'a', 'b'];
    const whole = table.matrix(columns);
    expect(Array.from(whole.subarray(0, 6))).toEqual([0, 0, 0, Math.fround(0.4), 0.5, -1]);
    const input = table.features(columns);
    expect(input).toMatchObject({ rows: 700, width: 3 });
    for (const [start, end] of [
      [0, 700],
      [0, 1],
      [250, 520],
      [699, 700],
      [255, 257],
    ] as const) {
      const into = new Float32Array((end - start) * 3 + 5).fill(7);
      input.copy(start, end, into);
      expect(Array.from(into.subarray(0, (end - start) * 3)), `${start}..${end}`).toEqual(
        Array.from(whole.subarray(start * 3, end * 3)),
      );
      // Nothing past the batch is touched.
      expect(Array.from(into.subarray((end - start) * 3))).toEqual([7, 7, 7, 7, 7]);
    }
  });

  it('copies rows straight from a packed 2-D array, in any column order', async () => {
    // matrix-f8.npy: [[1.5, -2.0, 0.1], [3.25, 1e-30, 5e-324]] (make-numpy-fixtures.py)
    const table = await readTable(`${FIXTURES}/matrix-f8.npy`);
    const input = table.features(['2', '0']);
    const into = new Float32Array(2);
    input.copy(1, 2, into);
    expect(Array.from(into)).toEqual([Math.fround(5e-324), 3.25]);
    expect(Array.from(table.matrix(['2', '0']))).toEqual([Math.fround(0.1), 1.5, Math.fround(5e-324), 3.25]);
  });

  // A run of float32 columns moves 8 bytes at a time (table.ts float32Run). Every value must
  // keep its exact bits (-0, infinities, subnormals), in rows that start on and off 8-byte
  // boundaries (7 columns: every other row starts 4 bytes off), into a batch buffer aligned or
  // not. A NaN stays a NaN (a float copy may quiet a signalling one, as the plain loop does),
  // and above all the value beside it, with which it shares 8 bytes, keeps its bits.
  it('copies a run of float32 columns bit for bit: -0, subnormals and the largest floats', async () => {
    // [row, column, bits]: in the low and the high half of a pair, for either run.
    const specials = [
      [6, 0, 0x80000000],
      [8, 3, 0x00000001],
      [3, 1, 0x7f7fffff],
      [4, 2, 0xff7fffff],
      [5, 1, 0x80000001],
      [7, 6, 0x00800000],
    ] as const;
    const { bits, rows, stride, path } = float32Run('run.npy', specials);
    const table = await readTable(path);
    for (const first of [0, 1]) {
      const columns = Array.from({ length: 6 }, (_, j) => String(first + j));
      const input = table.features(columns);
      for (const shift of [0, 1]) {
        // shift 1: a batch buffer 4 bytes off an 8-byte boundary.
        const backing = new Float32Array(rows * 6 + 1);
        const into = backing.subarray(shift, shift + (rows - 2) * 6);
        input.copy(2, rows, into);
        const got = new Uint32Array(into.buffer, into.byteOffset, into.length);
        let at = 0;
        for (let i = 2; i < rows; i++) {
          for (let j = 0; j < 6; j++, at++) {
            const want = bits[i * stride + first + j] as number;
            expect(got[at], `row ${i} column ${first + j}, shift ${shift}`).toBe(want);
          }
        }
      }
    }
  });

  // A NaN in the high half of a pair makes its 8 bytes read as a NaN double: the value by value
  // path then keeps it a NaN, and the check after the copy names it.
  it('names a NaN or ±∞ in a run of float32 columns by its row and column, in either half of a pair', async () => {
    for (const [row, column, value, shown] of [
      [3, 1, 0xffffffff, "'NaN' \\(not a number\\)"],
      [4, 2, 0x7ff00001, "'NaN' \\(not a number\\)"],
      [5, 1, 0x7fc00000, "'NaN' \\(not a number\\)"],
      [2, 5, 0x7f800000, "'Infinity' \\(infinite\\)"],
      [7, 6, 0xff800000, "'-Infinity' \\(infinite\\)"],
    ] as const) {
      const { path } = float32Run(`bad-${row}.npy`, [[row, column, value]]);
      const table = await readTable(path);
      for (const first of [0, 1]) {
        const input = table.features(Array.from({ length: 6 }, (_, j) => String(first + j)));
        const into = new Float32Array(9 * 6);
        if (column < first || column >= first + 6) {
          input.copy(0, 9, into);
          continue;
        }
        expect(() => input.copy(0, 9, into)).toThrow(
          new RegExp(`bad-${row}\\.npy: column '${column}' row ${row + 1} is ${shown}`),
        );
        // Rows before it copy as ever.
        input.copy(0, row, into);
      }
    }
  });

  it('names the first cell that is not a number before any row is handed out', async () => {
    const table = await readTable(files.write('text.jsonl', '{"x": "1.5"}\n{"x": "oops"}\n'));
    expect(() => table.features(['x'])).toThrow(InputError);
    expect(() => table.features(['x'])).toThrow(/column 'x' line 2 is 'oops', expected a number/);
  });
});

describe('feature values the model cannot take', () => {
  /** The error of copying every row of `columns` out of the file, which must be an InputError. */
  async function copyError(path: string, columns: readonly string[]): Promise<string> {
    const input = (await readTable(path)).features(columns);
    try {
      input.copy(0, input.rows, new Float32Array(input.rows * input.width));
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return `${(error as InputError).message}\nhint: ${(error as InputError).hint}`;
    }
    throw new Error(`no error from ${path}`);
  }

  /** 50 rows of a, b, label, with `cell` as b of data row `row` (1-based). */
  function csvWith(row: number, cell: string, extra = ''): string {
    const lines = [`a,b,label${extra === '' ? '' : ',note'}`];
    for (let i = 1; i <= 50; i++) {
      lines.push(`${i / 10},${i === row ? cell : i % 7},${i % 2}${extra === '' ? '' : `,${extra}`}`);
    }
    return `${lines.join('\n')}\n`;
  }

  it('names a NaN cell of a CSV file by its data row, with the fix', async () => {
    const path = files.write('nan.csv', csvWith(17, 'NaN'));
    expect(await copyError(path, ['a', 'b'])).toBe(
      `${path}: column 'b' row 17 is 'NaN' (not a number); features must be finite numbers\n` +
        'hint: fill or drop missing values before evaluating (pandas: df.fillna(…) or df.dropna())',
    );
  });

  it('names inf, -Infinity, a float64 beyond float32 and a 5,000,000-digit number', async () => {
    const long = `1${'0'.repeat(5_000_000)}`;
    for (const [cell, said] of [
      ['inf', "'inf' (infinite); features must be finite numbers"],
      ['-Infinity', "'-Infinity' (infinite); features must be finite numbers"],
      ['1e39', "'1e39', beyond float32's range (±3.4e38), the type the model takes"],
      ['-3.5e38', "'-3.5e38', beyond float32's range (±3.4e38), the type the model takes"],
      [long, `'${long.slice(0, 40)}…', beyond float32's range (±3.4e38), the type the model takes`],
    ] as const) {
      const path = files.write('inf.csv', csvWith(50, cell));
      expect((await copyError(path, ['b', 'a'])).split('\n')[0]).toBe(
        `${path}: column 'b' row 50 ${said.startsWith("'") ? 'is ' : ''}${said}`,
      );
    }
  });

  it('lets the largest float32 through, and every finite value below it', async () => {
    const path = files.write('max.csv', csvWith(3, '3.4028234663852886e38'));
    const input = (await readTable(path)).features(['b']);
    const into = new Float32Array(50);
    input.copy(0, 50, into);
    expect(into[2]).toBe(3.4028234663852886e38);
  });

  it('names the row in a CSV file that csv-parse reads (a stray quote), and in a quoted cell', async () => {
    const stray = files.write('stray.csv', csvWith(9, 'nan', '5" screen'));
    expect((await copyError(stray, ['a', 'b'])).split('\n')[0]).toBe(
      `${stray}: column 'b' row 9 is 'nan' (not a number); features must be finite numbers`,
    );
    const quoted = files.write('quoted.csv', csvWith(12, '"inf"'));
    expect((await copyError(quoted, ['a', 'b'])).split('\n')[0]).toBe(
      `${quoted}: column 'b' row 12 is 'inf' (infinite); features must be finite numbers`,
    );
  });

  it('names the row of a float64 NPY array and of a Parquet column', async () => {
    // Two rows of one float64 column: 1.5, then 1e39, which is ∞ as float32.
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const padded = `${header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11)}\n`;
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(padded.length, 8);
    const values = new Uint8Array(Float64Array.of(1.5, 1e39).buffer);
    const npy = files.write('wide.npy', Buffer.concat([head, Buffer.from(padded, 'latin1'), values]));
    expect((await copyError(npy, ['0'])).split('\n')[0]).toBe(
      `${npy}: column '0' row 2 is '1e+39', beyond float32's range (±3.4e38), the type the model takes`,
    );
    const parquet = files.write(
      'nan.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'x', data: [0.5, 1, Number.NaN], type: 'DOUBLE' },
            { name: 'y', data: [0, 1, 0], type: 'INT32' },
          ],
        }),
      ),
    );
    expect((await copyError(parquet, ['y', 'x'])).split('\n')[0]).toBe(
      `${parquet}: column 'x' row 3 is 'NaN' (not a number); features must be finite numbers`,
    );
  });

  it('names the line of a JSON Lines file: 1e999 and "NaN"', async () => {
    const path = files.write('big.jsonl', '{"x": 1, "y": 0}\n\n{"x": 1e999, "y": 1}\n');
    expect((await copyError(path, ['x'])).split('\n')[0]).toBe(
      // JSON.parse keeps no text: 1e999 is shown as the Infinity it parsed to.
      `${path}: column 'x' line 3 is 'Infinity' (infinite); features must be finite numbers`,
    );
    const text = files.write('nan.jsonl', '{"x": "1.5"}\n{"x": "NaN"}\n');
    expect((await copyError(text, ['x'])).split('\n')[0]).toBe(
      `${text}: column 'x' line 2 is 'NaN' (not a number); features must be finite numbers`,
    );
  });
});

/**
 * A 9 × 7 float32 NPY array of ordinary values, with `specials` ([row, column, bits]) put in:
 * 7 columns, so that every other row starts 4 bytes off an 8-byte boundary.
 */
function float32Run(
  name: string,
  specials: ReadonlyArray<readonly [number, number, number]>,
): { bits: Uint32Array; rows: number; stride: number; path: string } {
  const rows = 9;
  const stride = 7;
  const bits = new Uint32Array(rows * stride);
  for (let k = 0; k < bits.length; k++)
    bits[k] = new Uint32Array(Float32Array.of(k * 0.37 - 3).buffer)[0] as number;
  for (const [row, column, value] of specials) bits[row * stride + column] = value;
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${stride}), }`;
  const padded = `${header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11)}\n`;
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(padded.length, 8);
  const path = files.write(
    name,
    Buffer.concat([head, Buffer.from(padded, 'latin1'), new Uint8Array(bits.buffer)]),
  );
  return { bits, rows, stride, path };
}
