import { describe, expect, it } from 'vitest';
import { brier, LOG_LOSS_EPS, logLoss } from './probability.ts';

const ints = (values: number[]) => Int32Array.from(values);
const floats = (values: number[]) => Float64Array.from(values);

describe('log_loss', () => {
  it('is the mean of −log p(true class)', () => {
    expect(logLoss(ints([1, 0]), floats([0.2, 0.8, 0.6, 0.4]), 2)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      15,
    );
  });

  it('clips a probability of 0 for the true class to 1e-15 instead of giving Infinity', () => {
    expect(LOG_LOSS_EPS).toBe(1e-15);
    expect(logLoss(ints([1]), floats([1, 0]), 2)).toBeCloseTo(-Math.log(1e-15), 12);
  });

  it('divides each row by its sum, as sklearn 1.2.1 renormalises', () => {
    expect(logLoss(ints([0]), floats([0.2, 0.2]), 2)).toBe(-Math.log(0.5));
  });

  it('still exists when the labels hold a single class (labels=range(C))', () => {
    expect(logLoss(ints([2, 2]), floats([0.1, 0.1, 0.8, 0.2, 0.2, 0.6]), 3)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      15,
    );
  });

  it('weights each row’s loss by its sample weight', () => {
    expect(logLoss(ints([1, 0]), floats([0.2, 0.8, 0.6, 0.4]), 2, floats([3, 1]))).toBeCloseTo(
      -(3 * Math.log(0.8) + Math.log(0.6)) / 4,
      15,
    );
  });

  it('is NaN for non-finite probabilities or no weight, where sklearn raises', () => {
    expect(logLoss(ints([0]), floats([Number.NaN, 0.5]), 2)).toBeNaN();
    expect(logLoss(ints([0]), floats([0.5, 0.5]), 2, floats([0]))).toBeNaN();
  });
});

describe('brier', () => {
  it('is the mean squared difference between the outcome and the positive probability', () => {
    expect(brier(Uint8Array.from([1, 0]), floats([0.8, 0.3]))).toBeCloseTo((0.04 + 0.09) / 2, 15);
  });

  it('is NaN for a probability outside [0, 1], where sklearn raises', () => {
    expect(brier(Uint8Array.from([1, 0]), floats([1.2, 0.3]))).toBeNaN();
    expect(brier(Uint8Array.from([1, 0]), floats([0.8, -0.1]))).toBeNaN();
  });
});
