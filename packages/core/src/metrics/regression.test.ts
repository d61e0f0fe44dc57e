import { describe, expect, it } from 'vitest';
import {
  explainedVariance,
  MAPE_EPSILON,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError,
  weightedLowerMedian,
} from './regression.ts';

const floats = (values: number[]) => Float64Array.from(values);

describe('mse, rmse and mae', () => {
  it('are weighted means of the squared and absolute errors', () => {
    const target = floats([1, 2, 3]);
    const predicted = floats([2, 2, 5]);
    expect(meanSquaredError(target, predicted)).toBe(5 / 3);
    expect(rootMeanSquaredError(target, predicted)).toBe(Math.sqrt(5 / 3));
    expect(meanAbsoluteError(target, predicted, floats([1, 0, 3]))).toBe(7 / 4);
  });

  it('are NaN for non-finite targets or predictions, where sklearn raises', () => {
    expect(meanSquaredError(floats([1, Number.NaN]), floats([1, 2]))).toBeNaN();
    expect(meanAbsoluteError(floats([1, 2]), floats([1, Number.POSITIVE_INFINITY]))).toBeNaN();
  });
});

describe('mape', () => {
  it('divides by float64 machine epsilon where the target is 0, as sklearn does', () => {
    expect(MAPE_EPSILON).toBe(2 ** -52);
    expect(meanAbsolutePercentageError(floats([0]), floats([1]))).toBe(2 ** 52);
    expect(meanAbsolutePercentageError(floats([0, 2]), floats([0, 3]))).toBe(0.25);
  });
});

describe('median_ae', () => {
  it('is the midpoint of the two middle errors for an even row count, without weights', () => {
    expect(medianAbsoluteError(floats([0, 0, 0, 0]), floats([1, 2, 3, 4]))).toBe(2.5);
  });

  it('is the lower weighted median with weights, so all-ones weights differ from none (as in sklearn)', () => {
    expect(medianAbsoluteError(floats([0, 0, 0, 0]), floats([1, 2, 3, 4]), floats([1, 1, 1, 1]))).toBe(2);
    expect(medianAbsoluteError(floats([0, 0, 0]), floats([1, 2, 3]), floats([1, 1, 1]))).toBe(2);
  });

  it('takes the first error whose cumulative weight reaches half the total', () => {
    // Cumulative weights 1, 2, 6 over errors 1, 2, 3; half of 6 is 3, first reached at error 3.
    expect(weightedLowerMedian(floats([3, 1, 2]), floats([4, 1, 1]))).toBe(3);
    expect(weightedLowerMedian(floats([3, 1, 2]), floats([0, 3, 3]))).toBe(1);
  });

  it('gives the largest value when every weight is 0, as sklearn’s percentile search does', () => {
    expect(weightedLowerMedian(floats([3, 1, 2]), floats([0, 0, 0]))).toBe(3);
  });
});

describe('r2 and explained variance', () => {
  it('agree when the errors have mean zero, and explained variance ignores a constant bias', () => {
    const target = floats([1, 2, 3, 4]);
    expect(r2(target, floats([1.5, 1.5, 3.5, 3.5]))).toBe(1 - 1 / 5);
    expect(explainedVariance(target, floats([1.5, 1.5, 3.5, 3.5]))).toBe(1 - 0.25 / 1.25);
    expect(explainedVariance(target, floats([6, 7, 8, 9]))).toBe(1);
    expect(r2(target, floats([6, 7, 8, 9]))).toBe(1 - 100 / 5);
  });

  it('score a constant target 0 when predictions miss and 1 when they are exact (force_finite)', () => {
    const target = floats([3, 3, 3]);
    expect(r2(target, floats([3, 4, 3]))).toBe(0);
    expect(explainedVariance(target, floats([3, 4, 3]))).toBe(0);
    expect(r2(target, floats([3, 3, 3]))).toBe(1);
    expect(explainedVariance(target, floats([3, 3, 3]))).toBe(1);
  });

  it('leave r2 undefined for a single row, where sklearn returns NaN', () => {
    expect(r2(floats([2]), floats([2.5]))).toBeNaN();
    expect(explainedVariance(floats([2]), floats([2.5]))).toBe(1);
  });
});
