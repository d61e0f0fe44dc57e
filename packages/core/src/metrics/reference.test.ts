/**
 * Every metric against scikit-learn 1.2.1's value for the same input, unweighted and with
 * integer sample weights. The inputs and sklearn's values come from
 * test/fixtures/metrics/generate.py (re-run it with /usr/bin/python3 to regenerate).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  binaryMetrics,
  confusionMatrix,
  METRICS,
  multiclassMetrics,
  PROBABILITY_METRICS,
  regressionMetrics,
} from './index.ts';

/** sklearn's values; null where sklearn raises or returns NaN. */
type Expected = Record<string, number | null>;

interface ClassificationCase {
  readonly name: string;
  readonly task: 'binary' | 'multiclass';
  readonly numClasses: number;
  readonly labels: number[];
  readonly predicted: number[];
  readonly proba: number[] | null;
  readonly weights: number[];
  readonly expected: { unweighted: Expected; weighted: Expected };
  readonly confusionMatrix: { unweighted: number[][]; weighted: number[][] };
}

interface RegressionCase {
  readonly name: string;
  readonly task: 'regression';
  readonly target: number[];
  readonly predicted: number[];
  readonly weights: number[];
  readonly expected: { unweighted: Expected; weighted: Expected };
}

type Case = ClassificationCase | RegressionCase;

const reference = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/metrics/reference.json', import.meta.url), 'utf8'),
) as { sklearn: string; cases: Case[] };

// Tolerance: relative to the value, absolute near zero. Summation order differs from numpy's
// pairwise sums, which moves results by a few ulps, never near 1e-9.
const TOLERANCE = 1e-9;

function expectClose(actual: number | undefined, expected: number | null, label: string): void {
  if (expected === null) {
    expect(actual, `${label} should be NaN (sklearn raises or gives NaN)`).toBeNaN();
    return;
  }
  expect(actual, `${label} is missing`).toBeTypeOf('number');
  const error = Math.abs((actual as number) - expected);
  expect(error, `${label}: got ${actual}, sklearn ${expected}`).toBeLessThanOrEqual(
    TOLERANCE * Math.max(1, Math.abs(expected)),
  );
}

function compute(testCase: Case, weights: Float64Array | undefined): Record<string, number> {
  if (testCase.task === 'regression') {
    return regressionMetrics({
      target: Float64Array.from(testCase.target),
      predicted: Float64Array.from(testCase.predicted),
      weights,
    });
  }
  const input = {
    labels: Int32Array.from(testCase.labels),
    predicted: Int32Array.from(testCase.predicted),
    numClasses: testCase.numClasses,
    proba: testCase.proba === null ? undefined : Float64Array.from(testCase.proba),
    weights,
  };
  return testCase.task === 'binary' ? binaryMetrics(input) : multiclassMetrics(input);
}

function rowsOf(testCase: Case): number {
  return testCase.task === 'regression' ? testCase.target.length : testCase.labels.length;
}

describe(`metrics equal scikit-learn ${reference.sklearn}`, () => {
  it('covers every metric of every task', () => {
    const covered = new Set(reference.cases.flatMap((c) => Object.keys(c.expected.weighted)));
    for (const names of Object.values(METRICS)) for (const name of names) expect(covered).toContain(name);
    expect(reference.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const testCase of reference.cases) {
    describe(testCase.name, () => {
      for (const variant of ['unweighted', 'weighted'] as const) {
        it(`gives sklearn's values, ${variant}`, () => {
          const weights = variant === 'weighted' ? Float64Array.from(testCase.weights) : undefined;
          const actual = compute(testCase, weights);
          const expected = testCase.expected[variant];
          // Exactly the metrics sklearn was asked for: probability metrics are absent, not NaN,
          // without probabilities.
          expect(Object.keys(actual)).toEqual(Object.keys(expected));
          for (const [name, value] of Object.entries(expected)) expectClose(actual[name], value, name);
        });
      }

      if (testCase.task !== 'regression') {
        it('gives sklearn’s confusion matrix, unweighted and weighted', () => {
          const labels = Int32Array.from(testCase.labels);
          const predicted = Int32Array.from(testCase.predicted);
          expect(confusionMatrix(labels, predicted, testCase.numClasses)).toEqual(
            testCase.confusionMatrix.unweighted,
          );
          expect(
            confusionMatrix(labels, predicted, testCase.numClasses, Float64Array.from(testCase.weights)),
          ).toEqual(testCase.confusionMatrix.weighted);
        });

        if (testCase.proba === null) {
          it('leaves the probability metrics out', () => {
            const names = Object.keys(compute(testCase, undefined));
            expect(names.filter((name) => PROBABILITY_METRICS.has(name))).toEqual([]);
          });
        }
      }

      it('gives bitwise the same result for all-ones weights as for no weights', () => {
        const unweighted = compute(testCase, undefined);
        const ones = compute(testCase, new Float64Array(rowsOf(testCase)).fill(1));
        // median_ae is the one exception, and it is sklearn's: with weights it takes the lower
        // weighted median, which differs from np.median's midpoint when the row count is even.
        const rows = rowsOf(testCase);
        const { median_ae: medianOnes, ...restOnes } = ones;
        const { median_ae: medianUnweighted, ...restUnweighted } = unweighted;
        expect(restOnes).toStrictEqual(restUnweighted);
        if (testCase.task === 'regression' && rows % 2 === 1) expect(medianOnes).toBe(medianUnweighted);
      });
    });
  }
});
