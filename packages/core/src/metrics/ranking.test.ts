import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  averagePrecisionFromGroups,
  binaryRank,
  groupByScore,
  rankScores,
  rocAuc,
  rocAucFromGroups,
  rocAucOvr,
  rowsSumToOne,
  sumByGroup,
} from './ranking.ts';

const bits = (values: number[]) => Uint8Array.from(values);
const floats = (values: number[]) => Float64Array.from(values);

/** A deterministic generator, so the property checks below see the same data every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** ROC AUC by definition: the weighted share of (positive, negative) pairs ranked correctly, ties half. */
function pairwiseAuc(isPositive: Uint8Array, score: Float64Array, weights: Float64Array): number {
  let concordant = 0;
  let pairs = 0;
  for (let i = 0; i < score.length; i++) {
    if (isPositive[i] !== 1) continue;
    for (let j = 0; j < score.length; j++) {
      if (isPositive[j] === 1) continue;
      const pairWeight = (weights[i] as number) * (weights[j] as number);
      const si = score[i] as number;
      const sj = score[j] as number;
      concordant += pairWeight * (si > sj ? 1 : si === sj ? 0.5 : 0);
      pairs += pairWeight;
    }
  }
  return concordant / pairs;
}

describe('roc_auc', () => {
  it('counts a tie between a positive and a negative as half', () => {
    expect(rocAuc(bits([1, 0]), floats([0.5, 0.5]))).toBe(0.5);
    // Pairs (positive score vs negative score): 0.9>0.5, 0.9>0.1, 0.5=0.5 (half), 0.5>0.1.
    expect(rocAuc(bits([1, 0, 1, 0]), floats([0.9, 0.5, 0.5, 0.1]))).toBe(3.5 / 4);
  });

  it('is 1 for perfectly separated scores and 0 for perfectly reversed ones', () => {
    expect(rocAuc(bits([0, 0, 1, 1]), floats([0.1, 0.2, 0.8, 0.9]))).toBe(1);
    expect(rocAuc(bits([1, 1, 0, 0]), floats([0.1, 0.2, 0.8, 0.9]))).toBe(0);
  });

  it('equals the weighted share of correctly ordered positive–negative pairs', () => {
    const random = lcg(7);
    const rows = 300;
    const isPositive = new Uint8Array(rows);
    const score = new Float64Array(rows);
    const weights = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      isPositive[i] = random() < 0.4 ? 1 : 0;
      score[i] = Math.round((random() + 0.3 * (isPositive[i] as number)) * 20) / 20; // many ties
      weights[i] = Math.floor(random() * 4);
    }
    expect(rocAuc(isPositive, score, weights)).toBeCloseTo(pairwiseAuc(isPositive, score, weights), 12);
  });

  it('treats an integer weight like that many copies of the row', () => {
    const weighted = rocAuc(bits([1, 0, 1, 0]), floats([0.7, 0.6, 0.4, 0.3]), floats([2, 1, 3, 1]));
    const repeated = rocAuc(bits([1, 1, 0, 1, 1, 1, 0]), floats([0.7, 0.7, 0.6, 0.4, 0.4, 0.4, 0.3]));
    expect(weighted).toBe(repeated);
  });

  it('ignores rows of weight 0, as sklearn drops them', () => {
    const withZero = rocAuc(
      bits([1, 0, 1, 0, 1]),
      floats([0.9, 0.8, 0.3, 0.2, 0.85]),
      floats([1, 1, 1, 1, 0]),
    );
    const without = rocAuc(bits([1, 0, 1, 0]), floats([0.9, 0.8, 0.3, 0.2]));
    expect(withZero).toBe(without);
  });

  it('is NaN when one class has no weight, where sklearn raises', () => {
    expect(rocAuc(bits([0, 0, 0]), floats([0.1, 0.5, 0.9]))).toBeNaN();
    expect(rocAuc(bits([1, 0, 0]), floats([0.1, 0.5, 0.9]), floats([0, 1, 1]))).toBeNaN();
  });

  it('is NaN for non-finite scores, where sklearn raises', () => {
    expect(rocAuc(bits([1, 0]), floats([Number.NaN, 0.5]))).toBeNaN();
    expect(rocAuc(bits([1, 0]), floats([Number.POSITIVE_INFINITY, 0.5]))).toBeNaN();
  });
});

describe('average_precision', () => {
  it('is the step sum Σ (Rₙ − Rₙ₋₁)·Pₙ with no interpolation', () => {
    // sklearn's docstring example: recall steps to 0.5 at precision 1, then to 1 at precision 2/3.
    expect(averagePrecision(bits([0, 0, 1, 1]), floats([0.1, 0.4, 0.35, 0.8]))).toBeCloseTo(
      0.5 * 1 + 0.5 * (2 / 3),
      15,
    );
  });

  it('puts tied scores on one threshold', () => {
    // One threshold holding both rows: recall 1 at precision 1/2.
    expect(averagePrecision(bits([1, 0]), floats([0.5, 0.5]))).toBe(0.5);
  });

  it('is 1 for perfectly separated scores', () => {
    expect(averagePrecision(bits([0, 1, 0, 1]), floats([0.1, 0.9, 0.2, 0.8]))).toBe(1);
  });

  it('is 0 without positives, as sklearn returns, and NaN without any weight', () => {
    expect(averagePrecision(bits([0, 0]), floats([0.3, 0.6]))).toBe(0);
    expect(averagePrecision(bits([1, 0]), floats([0.3, 0.6]), floats([0, 0]))).toBeNaN();
  });
});

describe('score groups', () => {
  it('rank the highest score first and count -0 and 0 as one score', () => {
    const ranking = rankScores(floats([0.2, 0.9, -0, 0, 0.9]));
    expect(ranking.groups).toBe(3);
    expect(Array.from(ranking.groupOf)).toEqual([1, 0, 2, 2, 0]);
  });

  it('sum the positive and negative weight per score, ready for resampling without a new sort', () => {
    const isPositive = bits([1, 0, 1, 0, 1]);
    const ranking = rankScores(floats([0.5, 0.5, 0.9, 0.1, 0.1]));
    const groups = sumByGroup(ranking, isPositive, floats([2, 1, 1, 3, 1]));
    expect(Array.from(groups.positive)).toEqual([1, 2, 1]);
    expect(Array.from(groups.negative)).toEqual([0, 1, 3]);
    expect(rocAucFromGroups(groups)).toBe(
      rocAuc(isPositive, floats([0.5, 0.5, 0.9, 0.1, 0.1]), floats([2, 1, 1, 3, 1])),
    );
    expect(groupByScore(isPositive, floats([0.5, 0.5, 0.9, 0.1, 0.1]), floats([2, 1, 1, 3, 1]))).toEqual(
      groups,
    );
  });

  // Without weights the groups are counted by sorting keys, not by an argsort: float32 keys when
  // every score is a non-negative float32, else doubles. Both must match the weighted walk.
  it.each([
    ['float32 probabilities', (v: number) => Math.fround(v)],
    // Distinct doubles that round to one float32 must stay distinct scores.
    ['doubles', (v: number, i: number) => v + (i % 3) * 1e-12],
    ['negative scores (logits)', (v: number) => Math.fround(v - 0.5)],
    ['signed zeros among ties', (v: number) => (v < 0.3 ? -0 : v > 0.7 ? 0 : Math.fround(v))],
  ])(
    'count the same groups without weights as with weights of 1: %s',
    (_, shape: (v: number, i: number) => number) => {
      const random = lcg(7);
      const rows = 4000;
      const isPositive = new Uint8Array(rows);
      const score = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        isPositive[i] = random() < 0.4 ? 1 : 0;
        score[i] = shape(Math.round(random() * 60) / 60, i);
      }
      const counted = groupByScore(isPositive, score);
      const weighted = groupByScore(isPositive, score, new Float64Array(rows).fill(1));
      expect(counted.positive.length).toBeGreaterThan(10);
      expect(Array.from(counted.positive)).toEqual(Array.from(weighted.positive));
      expect(Array.from(counted.negative)).toEqual(Array.from(weighted.negative));
    },
  );
});

describe('binaryRank', () => {
  // One walk down the sorted keys for float32 probabilities; the group walks for everything
  // else. Either way the values must be the group walks' to the last bit.
  it.each([
    ['float32 probabilities with ties', (v: number) => Math.fround(Math.round(v * 60) / 60), 0.4],
    ['distinct float32 probabilities', (v: number) => Math.fround(v), 0.3],
    ['signed zeros among ties', (v: number) => (v < 0.3 ? -0 : v > 0.7 ? 0 : Math.fround(v)), 0.5],
    ['doubles (no float32 keys)', (v: number, i: number) => v + (i % 3) * 1e-12, 0.4],
    ['logits (no float32 keys)', (v: number) => Math.fround(v - 0.5), 0.4],
    ['no positive row', (v: number) => Math.fround(v), 0],
    ['no negative row', (v: number) => Math.fround(v), 1],
  ])(
    "gives the group walks' values exactly: %s",
    (_, shape: (v: number, i: number) => number, positiveRate: number) => {
      const random = lcg(11);
      const rows = 5000;
      const isPositive = new Uint8Array(rows);
      const score = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        isPositive[i] = random() < positiveRate ? 1 : 0;
        score[i] = shape(random(), i);
      }
      const groups = groupByScore(isPositive, score, new Float64Array(rows).fill(1));
      const rank = binaryRank(isPositive, score);
      expect(Object.is(rank.rocAuc, rocAucFromGroups(groups))).toBe(true);
      expect(Object.is(rank.averagePrecision, averagePrecisionFromGroups(groups))).toBe(true);
      expect(binaryRank(isPositive, score, new Float64Array(rows).fill(2))).toEqual(rank);
    },
  );

  it('is NaN on no rows, and defined on one', () => {
    expect(binaryRank(new Uint8Array(0), new Float64Array(0))).toEqual({
      rocAuc: Number.NaN,
      averagePrecision: Number.NaN,
    });
    expect(binaryRank(bits([1]), floats([0.5]))).toEqual({ rocAuc: Number.NaN, averagePrecision: 1 });
    expect(binaryRank(bits([1, 0]), floats([0.75, 0.25]))).toEqual({ rocAuc: 1, averagePrecision: 1 });
  });
});

describe('multiclass roc_auc (one-vs-rest, macro)', () => {
  it('is the mean of the per-class one-vs-rest AUCs', () => {
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const proba = floats([
      0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7, 0.3, 0.4, 0.3, 0.5, 0.1, 0.4, 0.2, 0.2, 0.6,
    ]);
    const perClass = [0, 1, 2].map((c) => {
      const isPositive = Uint8Array.from(labels, (label) => (label === c ? 1 : 0));
      const column = Float64Array.from({ length: 6 }, (_, i) => proba[i * 3 + c] as number);
      return rocAuc(isPositive, column);
    });
    expect(rocAucOvr(labels, proba, 3)).toBe(
      ((perClass[0] as number) + (perClass[1] as number) + (perClass[2] as number)) / 3,
    );
  });

  it('is NaN when a class has no rows in the labels, where sklearn raises', () => {
    const labels = Int32Array.from([0, 1, 0, 1]);
    const proba = floats([0.7, 0.2, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.3, 0.6, 0.1]);
    expect(rocAucOvr(labels, proba, 3)).toBeNaN();
  });

  it('is NaN when rows of probabilities do not sum to 1, where sklearn raises', () => {
    expect(rowsSumToOne(floats([0.5, 0.5, 0.3, 0.7 + 1e-9]), 2)).toBe(true);
    expect(rowsSumToOne(floats([0.5, 0.5, 0.3, 0.6]), 2)).toBe(false);
    const labels = Int32Array.from([0, 1, 2]);
    expect(rocAucOvr(labels, floats([0.5, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7]), 3)).toBeNaN();
  });
});
