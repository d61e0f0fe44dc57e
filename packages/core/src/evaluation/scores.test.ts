import { describe, expect, it } from 'vitest';
import { argmaxRows, softmaxRows, toClassScores } from './scores.ts';

const floats = (values: number[]) => Float64Array.from(values);

describe('toClassScores', () => {
  it('keeps probabilities as they are and takes the argmax, the first column on a tie', () => {
    for (const columns of [2, 3]) {
      const rows = [
        [0.25, 0.75, 0],
        [0.5, 0.5, 0],
        [1, 0, 0],
        [-0, 1, 0],
      ].map((row) => (columns === 2 ? row.slice(0, 2) : [row[0] as number, 0, row[1] as number]));
      const values = floats(rows.flat());
      const scores = toClassScores(values, rows.length, columns, columns);
      expect(scores.transform).toBe('none');
      expect(scores.proba).toBe(values);
      expect(Array.from(scores.predicted)).toEqual(columns === 2 ? [1, 0, 0, 1] : [2, 0, 0, 2]);
    }
  });

  it.each([
    ['a value above 1', [0.2, 0.8, 1.5, -0.5]],
    ['a negative value', [0.2, 0.8, -0.1, 1.1]],
    ['a NaN', [0.2, 0.8, Number.NaN, 0.5]],
    ['a row that does not sum to 1', [0.2, 0.8, 0.3, 0.3]],
  ])('treats two columns as logits at %s, as it does C columns', (_, values) => {
    const scores = toClassScores(floats(values), 2, 2, 2);
    expect(scores.transform).toBe('softmax');
    const proba = softmaxRows(floats(values), 2, 2);
    expect(Array.from(scores.proba)).toEqual(Array.from(proba));
    expect(Array.from(scores.predicted)).toEqual(Array.from(argmaxRows(proba, 2, 2)));
  });

  it('accepts rows that sum to 1 within float32 rounding', () => {
    const scores = toClassScores(floats([Math.fround(0.1), Math.fround(0.9) + 1e-7]), 1, 2, 2);
    expect(scores.transform).toBe('none');
  });
});
