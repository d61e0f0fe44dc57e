import { describe, expect, it } from 'vitest';
import type { Column } from '../data/index.ts';
import { InputError } from '../kernel/errors.ts';
import { classIndices, classOrder, numericTarget } from './classes.ts';
import { labelSlots, NAN_SLOT } from './labels-kernel.ts';

const numbers = (values: number[]): Column => ({ kind: 'number', values: Float64Array.from(values) });
const where = { file: 'data.csv', column: 'label', classesFlag: false };

describe('classOrder', () => {
  it('sorts a few numeric labels numerically, counting -0 and 0 as one and leaving NaN out', () => {
    expect(classOrder(numbers([2, 10, Number.NaN, 1, -0, 0, 10, 2]))).toEqual(['0', '1', '2', '10']);
  });

  it('finds every value past the first sixteen distinct ones', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i * 7) % 40);
    expect(classOrder(numbers(values))).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
  });

  it('switches to code-point order when an extra name is not a number', () => {
    expect(classOrder(numbers([1, 0]), ['0', 'cat'])).toEqual(['0', '1', 'cat']);
  });
});

describe('classIndices', () => {
  it('maps numeric labels to their class positions, with few classes and with many', () => {
    expect(Array.from(classIndices(numbers([1, 0, 0, 1, -0]), ['0', '1'], where))).toEqual([1, 0, 0, 1, 0]);
    const many = Array.from({ length: 40 }, (_, i) => String(i));
    expect(Array.from(classIndices(numbers([39, 17, 17, 0]), many, where))).toEqual([39, 17, 17, 0]);
  });

  it('names the row of the first label that is not a class, and of an empty one', () => {
    const notAClass = () => classIndices(numbers([0, 1, 1, 2, 0]), ['0', '1'], where);
    expect(notAClass).toThrow(InputError);
    expect(notAClass).toThrow(
      "data.csv: column 'label' row 4 has '2', which is not one of the classes (0, 1)",
    );
    expect(() => classIndices(numbers([0, Number.NaN]), ['0', '1'], where)).toThrow(
      "data.csv: column 'label' row 2 is empty; every row needs a label",
    );
  });
});

// From 4096 rows a numeric column goes through the WebAssembly kernel (labels-kernel.ts): one
// pass finds the distinct values and each row's slot. Everything must come out as from the loops.
describe('a long numeric label column (the labels kernel)', () => {
  const long = (length: number, value: (i: number) => number) =>
    numbers(Array.from({ length }, (_, i) => value(i)));

  it('gives the class order and indices that the loops give', () => {
    const values = (i: number) => [3, 0.5, 3, -2, 10, 0.5][(i * 7 + (i >> 3)) % 6] as number;
    const column = long(10_000, values);
    const order = classOrder(column);
    expect(order).toEqual(['-2', '0.5', '3', '10']);
    expect(classOrder(long(50, values))).toEqual(order);
    const indices = classIndices(column, order, where);
    expect(Array.from(indices)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => order.indexOf(String(values(i)))),
    );
  });

  it('counts -0 and 0 as one class', () => {
    const column = long(5000, (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : 1));
    expect(classOrder(column)).toEqual(['0', '1']);
    expect(Array.from(classIndices(column, ['0', '1'], where).subarray(0, 6))).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it('finds every value past sixteen distinct ones', () => {
    const column = long(8000, (i) => (i * 7) % 40);
    expect(classOrder(column)).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    const many = Array.from({ length: 40 }, (_, i) => String(i));
    expect(classIndices(column, many, where)[4001]).toBe((4001 * 7) % 40);
  });

  it('names the row of the first label that is not a class, and of an empty one', () => {
    const column = long(6000, (i) => (i === 4321 ? 2 : i % 2));
    expect(classOrder(column)).toEqual(['0', '1', '2']);
    expect(() => classIndices(column, ['0', '1'], where)).toThrow(
      "data.csv: column 'label' row 4322 has '2', which is not one of the classes (0, 1)",
    );
    const empty = long(6000, (i) => (i === 5000 ? Number.NaN : i % 2));
    expect(classOrder(empty)).toEqual(['0', '1']);
    expect(() => classIndices(empty, ['0', '1'], where)).toThrow(
      "data.csv: column 'label' row 5001 is empty; every row needs a label",
    );
  });
});

describe('labelSlots', () => {
  it('lists the distinct values in the order they first occur, and each row slot', () => {
    const slots = labelSlots(Float64Array.from([2, 2, -0, Number.NaN, 7, 0, 2, 7]));
    expect(slots && Array.from(slots.distinct)).toEqual([2, -0, 7]);
    expect(slots && Array.from(slots.slots)).toEqual([0, 0, 1, NAN_SLOT, 2, 1, 0, 2]);
  });

  it('gives up past sixteen distinct values', () => {
    expect(labelSlots(Float64Array.from({ length: 17 }, (_, i) => i))).toBeUndefined();
    expect(labelSlots(Float64Array.from({ length: 16 }, (_, i) => i))?.distinct.length).toBe(16);
  });
});

describe('numericTarget', () => {
  const at = { file: 'data.csv', column: 'target' };

  it('takes finite numbers, from a number column or from text', () => {
    expect(Array.from(numericTarget(numbers([1.5, -2]), at))).toEqual([1.5, -2]);
    expect(Array.from(numericTarget({ kind: 'string', values: ['1.5', ' 3 '] }, at))).toEqual([1.5, 3]);
  });

  it('names an infinite or NaN target, which would make every regression metric NaN', () => {
    expect(() => numericTarget(numbers([1, Number.POSITIVE_INFINITY]), at)).toThrow(
      "data.csv: column 'target' row 2 is Infinity, expected a finite number",
    );
    expect(() => numericTarget(numbers([Number.NaN]), at)).toThrow(
      "data.csv: column 'target' row 1 is empty or NaN; a regression label must be a number",
    );
    expect(() => numericTarget({ kind: 'string', values: ['1', '-inf'] }, at)).toThrow(
      "data.csv: column 'target' row 2 is '-inf', expected a finite number",
    );
    expect(() => numericTarget({ kind: 'string', values: ['1', ''] }, at)).toThrow(InputError);
  });
});
