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

  it('names the first cell that is not a number before any row is handed out', async () => {
    const table = await readTable(files.write('text.jsonl', '{"x": "1.5"}\n{"x": "oops"}\n'));
    expect(() => table.features(['x'])).toThrow(InputError);
    expect(() => table.features(['x'])).toThrow(/column 'x' line 2 is 'oops', expected a number/);
  });
});
