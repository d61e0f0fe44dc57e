// The WebAssembly row copier (assembly/rows.ts) must copy the bits of the file, find every NaN
// and ±∞ among the features (and only there), and widen the kept columns exactly.
import { describe, expect, it } from 'vitest';
import { rowsKernel } from './rows-kernel.ts';

/** A reproducible float32 matrix of `rows` × `stride`, with values of every magnitude and sign. */
function matrix(rows: number, stride: number): Float32Array {
  const values = new Float32Array(rows * stride);
  let state = 42;
  for (let k = 0; k < values.length; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[k] = (state / 2 ** 32 - 0.5) * 10 ** ((k % 11) - 5);
  }
  values[3] = -0;
  values[5] = 3.4028234663852886e38;
  values[7] = 1.401298464324817e-45;
  return values;
}

describe('the rows kernel', () => {
  it.each([
    [33, 0, 32],
    [33, 1, 32],
    [10, 2, 7],
    [5, 0, 1],
  ])(
    'copies a run of columns bit for bit (stride %i, from %i, width %i) and widens the kept ones',
    (stride, first, width) => {
      const rows = 300;
      const source = matrix(rows, stride);
      const keptCols = [stride - 1, 0];
      const kernel = rowsKernel(stride, first, width, keptCols, rows);
      if (kernel === undefined) throw new Error('no kernel');
      new Float32Array(kernel.buffer.buffer, kernel.buffer.byteOffset, rows * stride).set(source);
      const into = new Float32Array(rows * width);
      const kept = [new Float64Array(rows + 5), new Float64Array(rows + 5)];
      expect(kernel.copy(rows, into, kept, 5)).toBe(-1);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < width; j++) {
          expect(Object.is(into[i * width + j], source[i * stride + first + j])).toBe(true);
        }
        expect(kept[0]?.[5 + i]).toBe(source[i * stride + stride - 1]);
        expect(Object.is(kept[1]?.[5 + i], source[i * stride])).toBe(true);
      }
    },
  );

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'gives the first row with a feature that is %s, in the vector part or the tail',
    (bad) => {
      for (const column of [0, 5, 6]) {
        const source = matrix(20, 8);
        source[13 * 8 + column] = bad;
        // A value that is not finite outside the features is none of the copy's business.
        source[2 * 8 + 7] = Number.NaN;
        const kernel = rowsKernel(8, 0, 7, [7], 20);
        if (kernel === undefined) throw new Error('no kernel');
        new Float32Array(kernel.buffer.buffer, kernel.buffer.byteOffset, 160).set(source);
        expect(kernel.copy(20, new Float32Array(140), [new Float64Array(20)], 0)).toBe(13);
      }
    },
  );
});
