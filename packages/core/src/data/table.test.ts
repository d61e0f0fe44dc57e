import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
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
  it('copies a run of float32 columns bit for bit, a NaN beside any value', async () => {
    const rows = 9;
    const stride = 7;
    const bits = new Uint32Array(rows * stride);
    for (let k = 0; k < bits.length; k++)
      bits[k] = new Uint32Array(Float32Array.of(k * 0.37 - 3).buffer)[0] as number;
    // [row, column, bits]: NaNs in the high half of a pair for either run (columns 1 and 2), so
    // that 8 bytes read as a NaN double, beside an ordinary value.
    const specials = [
      [3, 1, 0xffffffff],
      [4, 2, 0x7ff00001],
      [5, 1, 0x7fc00000],
      [5, 2, 0x7fffffff],
      [6, 0, 0x80000000],
      [2, 5, 0x7f800000],
      [7, 6, 0xff800000],
      [8, 3, 0x00000001],
    ] as const;
    for (const [row, column, value] of specials) bits[row * stride + column] = value;
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${stride}), }`;
    const padded = `${header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11)}\n`;
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(padded.length, 8);
    const path = files.write(
      'run.npy',
      Buffer.concat([head, Buffer.from(padded, 'latin1'), new Uint8Array(bits.buffer)]),
    );
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
            const nan = (want & 0x7f800000) === 0x7f800000 && (want & 0x7fffff) !== 0;
            const where = `row ${i} column ${first + j}, shift ${shift}`;
            if (nan) expect(Number.isNaN(into[at]), where).toBe(true);
            else expect(got[at], where).toBe(want);
          }
        }
      }
    }
  });

  it('names the first cell that is not a number before any row is handed out', async () => {
    const table = await readTable(files.write('text.jsonl', '{"x": "1.5"}\n{"x": "oops"}\n'));
    expect(() => table.features(['x'])).toThrow(InputError);
    expect(() => table.features(['x'])).toThrow(/column 'x' line 2 is 'oops', expected a number/);
  });
});
