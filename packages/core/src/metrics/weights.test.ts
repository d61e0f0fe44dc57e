import { describe, expect, it } from 'vitest';
import { argsortFloat64 } from './weights.ts';

function sortedBy(values: number[]): number[] {
  const order = argsortFloat64(Float64Array.from(values));
  return Array.from(order, (row) => values[row] as number);
}

describe('argsortFloat64', () => {
  it('orders negatives, zeros, tiny and huge magnitudes as numbers compare', () => {
    const values = [3.5, -2, 1e-300, -1e300, 0, 7e300, -5e-324, 2, -2.5, 1];
    expect(sortedBy(values)).toEqual([...values].sort((a, b) => a - b));
  });

  it('keeps tied values in row order (stable)', () => {
    const order = argsortFloat64(Float64Array.from([0.5, 0.25, 0.5, 0.25, 0.5]));
    expect(Array.from(order)).toEqual([1, 3, 0, 2, 4]);
  });

  it('puts -0 directly before 0', () => {
    expect(Array.from(argsortFloat64(Float64Array.from([0, -1, -0, 1])))).toEqual([1, 2, 0, 3]);
  });

  it('sorts many float32-derived values, whose low bits are all zero, like Float64Array#sort', () => {
    let state = 12345;
    const values = Float64Array.from({ length: 5000 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return Math.fround((state / 2 ** 32 - 0.5) * 8);
    });
    const order = argsortFloat64(values);
    expect(Float64Array.from(order, (row) => values[row] as number)).toEqual(
      Float64Array.from(values).sort(),
    );
  });

  it('handles no rows and one row', () => {
    expect(Array.from(argsortFloat64(new Float64Array(0)))).toEqual([]);
    expect(Array.from(argsortFloat64(Float64Array.from([4])))).toEqual([0]);
  });
});
