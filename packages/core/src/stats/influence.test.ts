/**
 * The closed-form influence values behind BCa's acceleration are the derivatives they claim
 * to be: each matches a central difference of the metrics module's weighted metric.
 */
import { describe, expect, it } from 'vitest';
import { binaryMetrics, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import { BINARY_SCORE_METRICS } from './binary-scores.ts';
import { acceleration, rowInfluences } from './influence.ts';
import { MULTICLASS_SCORE_METRICS } from './multiclass-scores.ts';
import type { Predictions } from './predictions.ts';
import { REGRESSION_METRICS } from './regression-kernel.ts';
import { rowModel } from './resampler.ts';
import { binormalSample, multiclassSample, regressionSample, Sampler } from './testing-utils.ts';

function weighted(p: Predictions, weights: Float64Array): Record<string, number> {
  if (p.task === 'regression')
    return regressionMetrics({ target: p.target, predicted: p.predicted, weights });
  const input = {
    labels: p.labels,
    numClasses: p.numClasses,
    predicted: p.predicted,
    proba: p.proba,
    weights,
  };
  return p.task === 'binary' ? binaryMetrics(input) : multiclassMetrics(input);
}

const sampler = new Sampler(99);
const binary = binormalSample({ prevalence: 0.4, separation: 1, threshold: 0.5 }, 60, sampler);
if (binary.task === 'binary' && binary.proba !== undefined) {
  // A few tied scores, across classes too.
  binary.proba.set([0.4, 0.6], 2);
  binary.proba.set([0.4, 0.6], 4);
  binary.proba.set([0.4, 0.6], 6);
}
const cases: Array<[string, Predictions, readonly string[]]> = [
  ['binary', binary, BINARY_SCORE_METRICS],
  ['multiclass', multiclassSample(50, 3, 1, 6, sampler), MULTICLASS_SCORE_METRICS],
  // The median's influence is a sign, not a derivative (the median is not differentiable).
  ['regression', regressionSample(45, sampler), REGRESSION_METRICS.filter((m) => m !== 'median_ae')],
];

describe('row influences', () => {
  it.each(cases)('are the derivatives of the weighted metric in each row weight (%s)', (_, p, names) => {
    const influences = rowInfluences(rowModel(p));
    const outputs: readonly string[] = [
      ...(p.task === 'binary'
        ? BINARY_SCORE_METRICS
        : p.task === 'multiclass'
          ? MULTICLASS_SCORE_METRICS
          : REGRESSION_METRICS),
    ];
    const rows = p.task === 'regression' ? p.target.length : p.labels.length;
    const step = 1e-5;
    for (let k = 0; k < rows; k++) {
      const up = new Float64Array(rows).fill(1);
      const down = new Float64Array(rows).fill(1);
      up[k] = 1 + step;
      down[k] = 1 - step;
      const high = weighted(p, up);
      const low = weighted(p, down);
      for (const name of names) {
        const numeric = (high[name]! - low[name]!) / (2 * step);
        const analytic = influences[outputs.indexOf(name)]![k]!;
        // Relative above 1: a zero target makes MAPE's terms huge (sklearn's epsilon guard).
        expect(Math.abs(analytic - numeric), `${name}, row ${k}: ${analytic} vs ${numeric}`).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(numeric)),
        );
      }
    }
  });

  it.each(cases)('sum to zero, as for any metric that ignores the scale of the weights (%s)', (_, p) => {
    for (const u of rowInfluences(rowModel(p))) {
      const sum = u.reduce((a, b) => a + b, 0);
      const size = u.reduce((a, b) => a + Math.abs(b), 0);
      expect(Math.abs(sum)).toBeLessThan(1e-9 * Math.max(1, size));
    }
  });
});

describe('acceleration', () => {
  it('is 0 for symmetric influences and follows their skew', () => {
    expect(acceleration([-1, 0, 1])).toBe(0);
    expect(acceleration([0, 0, 0])).toBe(0);
    // One large positive influence against many small negative ones: right skew, a > 0.
    expect(acceleration([9, -1, -1, -1, -1, -1, -1, -1, -1, -1])).toBeGreaterThan(0);
    expect(acceleration([-9, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toBeLessThan(0);
  });

  it('counts each value as often as its multiplicity says', () => {
    expect(acceleration([2, -1], [1, 2])).toBeCloseTo(acceleration([2, -1, -1]), 15);
  });
});
