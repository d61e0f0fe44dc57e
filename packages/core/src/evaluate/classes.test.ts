import { describe, expect, it } from 'vitest';
import type { Column } from '../data/index.ts';
import { InputError } from '../errors.ts';
import { classIndices, classOrder } from './classes.ts';

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
