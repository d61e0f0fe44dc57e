/**
 * Exactness: the fast resampling kernels give, for every resample, the value the metrics
 * module (the oracle, itself checked against scikit-learn) gives for that resample's
 * weights; all-ones weights give the unweighted metrics; and integer weights give
 * scikit-learn's `sample_weight` values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryMetrics, METRICS, multiclassMetrics, regressionMetrics } from '../metrics/index.ts';
import { BINARY_SCORE_METRICS } from './binary-scores.ts';
import { CellTable, isLabelMetric, labelMetric } from './cells.ts';
import { hot, KERNEL_WIDTH, type RowModel } from './hot.ts';
import { MULTICLASS_SCORE_METRICS } from './multiclass-scores.ts';
import type { Predictions } from './predictions.ts';
import { REGRESSION_METRICS } from './regression-kernel.ts';
import { Resampler, rowModel } from './resampler.ts';
import { fillPoisson1, StreamPurpose, Xoshiro128 } from './rng.ts';
import { binormalSample, multiclassSample, regressionSample, Sampler } from './testing-utils.ts';

/** The oracle: the metrics module on `p` with per-row weights (undefined: unweighted). */
function oracle(p: Predictions, weights?: Float64Array): Record<string, number> {
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

/**
 * The oracle on a resample: the rows it drew, with their weights. Rows drawn 0 times are not
 * in the resample at all, so they are dropped rather than passed with weight 0 (which sklearn
 * would still count when choosing the classes a macro average runs over).
 */
function oracleOnResample(p: Predictions, weights: Float64Array): Record<string, number> {
  const kept = Int32Array.from(weights.keys()).filter((i) => weights[i]! > 0);
  const w = Float64Array.from(kept, (i) => weights[i]!);
  if (p.task === 'regression') {
    return oracle(
      { task: 'regression', target: pick(p.target, kept, 1), predicted: pick(p.predicted, kept, 1) },
      w,
    );
  }
  const proba = p.proba === undefined ? undefined : pick(p.proba, kept, p.numClasses);
  return oracle(
    {
      task: p.task,
      numClasses: p.numClasses,
      labels: pick(p.labels, kept, 1),
      predicted: pick(p.predicted, kept, 1),
      proba,
    },
    w,
  );
}

function pick<T extends Float64Array | Int32Array>(values: T, rows: Int32Array, width: number): T {
  const out = new (values.constructor as new (n: number) => T)(rows.length * width);
  rows.forEach((row, i) => {
    for (let c = 0; c < width; c++) out[i * width + c] = values[row * width + c]!;
  });
  return out;
}

const KERNEL_OUTPUTS: Record<RowModel['kind'], readonly string[]> = {
  binary: BINARY_SCORE_METRICS,
  multiclass: MULTICLASS_SCORE_METRICS,
  regression: REGRESSION_METRICS,
};

/** The row kernel's values for row-order weights, by metric name. */
function kernelValues(model: RowModel, rowWeights: Uint8Array): Record<string, number> {
  const out = new Float64Array(KERNEL_WIDTH[model.kind]);
  // Through its own order, the kernel reads weights given by row.
  const via = model.kind === 'multiclass' ? null : model.order;
  hot.evaluateModel(model, rowWeights, via, new Uint8Array(rowWeights.length), out, 0);
  return Object.fromEntries(KERNEL_OUTPUTS[model.kind].map((name, j) => [name, out[j]!]));
}

/** |actual − expected| within `tolerance`, relative to |expected| above 1; NaN only where NaN is expected. */
function expectClose(
  actual: number | undefined,
  expected: number | null | undefined,
  label: string,
  tolerance = 1e-9,
) {
  if (expected === null || expected === undefined || Number.isNaN(expected)) {
    expect(actual, `${label} should be undefined (NaN)`).toBeNaN();
    return;
  }
  expect(actual, `${label} is missing`).toBeTypeOf('number');
  const error = Math.abs((actual as number) - expected);
  expect(error, `${label}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

const sampler = new Sampler(20240611);
// Probabilities rounded to 2 decimals: many tied scores, which the kernels must group as sklearn does.
const binary: Predictions = (() => {
  const p = binormalSample({ prevalence: 0.35, separation: 1.2, threshold: 0.6 }, 700, sampler);
  if (p.task === 'regression' || p.proba === undefined) throw new Error('unreachable');
  for (let i = 0; i < p.labels.length; i++) {
    const p1 = Math.round(p.proba[2 * i + 1]! * 100) / 100;
    p.proba[2 * i + 1] = p1;
    p.proba[2 * i] = 1 - p1;
  }
  return p;
})();
const multiclass = multiclassSample(600, 4, 1.3, 2, sampler);
// An odd row count, so that the unweighted median (np.median) and sklearn's weighted lower
// median agree at all-ones weights; with an even count sklearn itself makes them differ.
const regression = regressionSample(801, sampler);
const cases: Array<[string, Predictions]> = [
  ['binary', binary],
  ['multiclass', multiclass],
  ['regression', regression],
];

describe('row kernels (probability and regression metrics)', () => {
  it.each(cases)('give the oracle value for every drawn resample (%s)', (_, p) => {
    const model = rowModel(p);
    const rows = p.task === 'regression' ? p.target.length : p.labels.length;
    const weights = new Uint8Array(rows);
    for (let b = 0; b < 25; b++) {
      fillPoisson1(Xoshiro128.stream(7, StreamPurpose.Rows, b), weights);
      const expected = oracle(p, Float64Array.from(weights));
      const actual = kernelValues(model, weights);
      for (const name of KERNEL_OUTPUTS[model.kind])
        expectClose(actual[name], expected[name], `${name}, resample ${b}`);
    }
  });

  it.each(cases)('give the unweighted metrics for all-ones weights (%s)', (_, p) => {
    const model = rowModel(p);
    const rows = p.task === 'regression' ? p.target.length : p.labels.length;
    const actual = kernelValues(model, new Uint8Array(rows).fill(1));
    const expected = oracle(p);
    for (const name of KERNEL_OUTPUTS[model.kind]) {
      // ROC AUC accumulates the same integer sums in the same order as the metrics module:
      // bitwise equal. The others sum the same terms in a different order (by rank, not by
      // row), which moves the last bits only.
      if (name === 'roc_auc' && p.task === 'binary') expect(actual[name]).toBe(expected[name]);
      else expectClose(actual[name], expected[name], name, 1e-12);
    }
  });
});

describe('label metrics resampled over confusion cells', () => {
  it.each([
    ['binary', binary],
    ['multiclass', multiclass],
  ] as const)('give the oracle value on the rows each resample drew (%s)', (_, p) => {
    const table = new CellTable(p.labels, [p.predicted], p.numClasses);
    const names = METRICS[p.task].filter((name) => isLabelMetric(p.task, name));
    const drawn = new Float64Array(table.counts.length);
    for (let b = 0; b < 25; b++) {
      table.draw(Xoshiro128.stream(11, StreamPurpose.Cells, b), drawn);
      // Rows of one cell are interchangeable: put the cell's whole draw on its first row.
      const weights = new Float64Array(p.labels.length);
      const seen = new Set<number>();
      for (let i = 0; i < p.labels.length; i++) {
        const cell = table.truth.findIndex(
          (t, j) => t === p.labels[i] && table.predicted[0]![j] === p.predicted[i],
        );
        if (!seen.has(cell)) {
          seen.add(cell);
          weights[i] = drawn[cell]!;
        }
      }
      expect(drawn.reduce((a, c) => a + c, 0)).toBe(p.labels.length);
      const expected = oracleOnResample(p, weights);
      const counts = table.classCounts(0, drawn);
      for (const name of names)
        expect(labelMetric(p.task, name, counts), `${name}, resample ${b}`).toBe(expected[name]);
    }
  });

  it('give exactly the unweighted metrics for the observed cells', () => {
    for (const p of [binary, multiclass]) {
      const table = new CellTable(p.labels, [p.predicted], p.numClasses);
      const expected = oracle(p);
      for (const name of METRICS[p.task].filter((n) => isLabelMetric(p.task, n))) {
        expect(labelMetric(p.task, name, table.classCounts(0, table.counts)), name).toBe(expected[name]);
      }
    }
  });
});

describe('a bootstrap resample', () => {
  it.each(cases)('is the oracle on the weights its streams drew (%s)', (_, p) => {
    const names = [...METRICS[p.task]];
    const resampler = new Resampler([p], names);
    const model = rowModel(p);
    for (const b of [0, 1, 17, 999]) {
      const values = resampler.runRange(42, b, b + 1);
      // Single-model resamples draw row weights in the kernel's rank order.
      const ranked = new Uint8Array(
        model.kind === 'multiclass' ? model.logLossTerm.length : model.order.length,
      );
      fillPoisson1(Xoshiro128.stream(42, StreamPurpose.Rows, b), ranked);
      const rowWeights = new Float64Array(ranked.length);
      if (model.kind === 'multiclass') rowWeights.set(ranked);
      else
        model.order.forEach((row, k) => {
          rowWeights[row] = ranked[k]!;
        });
      const expected = oracleOnResample(p, rowWeights);
      names.forEach((name, j) => {
        if (p.task !== 'regression' && isLabelMetric(p.task, name)) return; // drawn over cells, tested above
        expectClose(values[j], expected[name], `${name}, resample ${b}`);
      });
    }
  });
});

describe('a paired resample', () => {
  const pairs: Array<[string, Predictions, Predictions]> = [
    [
      'binary',
      binary,
      {
        ...binary,
        proba: binary.task === 'binary' ? shuffledScores(binary.proba!) : undefined,
      } as Predictions,
    ],
    [
      'multiclass',
      multiclass,
      { ...multiclass, predicted: multiclass.predicted.map((c, i) => (i % 5 === 0 ? (c + 1) % 4 : c)) },
    ],
    [
      'regression',
      regression,
      { ...regression, predicted: regression.predicted.map((v, i) => v + ((i % 7) - 3) / 4) },
    ],
  ];

  it.each(pairs)(
    'gives both models the oracle value on the same drawn rows (%s)',
    (_, candidate, baseline) => {
      const names = [...METRICS[candidate.task]];
      const resampler = new Resampler([candidate, baseline], names);
      const first = rowModel(candidate);
      const rows = first.kind === 'multiclass' ? first.logLossTerm.length : first.order.length;
      for (const b of [0, 5, 123]) {
        const values = resampler.runRange(9, b, b + 1);
        // Row weights are drawn in the first model's order; cells are drawn over the joint table.
        const drawn = new Uint8Array(rows);
        fillPoisson1(Xoshiro128.stream(9, StreamPurpose.Rows, b), drawn);
        const rowWeights = new Float64Array(rows);
        if (first.kind === 'multiclass') rowWeights.set(drawn);
        else
          first.order.forEach((row, k) => {
            rowWeights[row] = drawn[k]!;
          });
        const cellWeights = new Float64Array(rows);
        if (candidate.task !== 'regression' && baseline.task !== 'regression') {
          const table = new CellTable(
            candidate.labels,
            [candidate.predicted, baseline.predicted],
            candidate.numClasses,
          );
          const counts = new Float64Array(table.counts.length);
          table.draw(Xoshiro128.stream(9, StreamPurpose.Cells, b), counts);
          const seen = new Set<number>();
          for (let i = 0; i < rows; i++) {
            const cell = table.truth.findIndex(
              (t, j) =>
                t === candidate.labels[i] &&
                table.predicted[0]![j] === candidate.predicted[i] &&
                table.predicted[1]![j] === baseline.predicted[i],
            );
            if (!seen.has(cell)) cellWeights[i] = counts[cell]!;
            seen.add(cell);
          }
        }
        names.forEach((name, j) => {
          const label = candidate.task !== 'regression' && isLabelMetric(candidate.task, name);
          const weights = label ? cellWeights : rowWeights;
          expectClose(
            values[j],
            oracleOnResample(candidate, weights)[name],
            `candidate ${name}, resample ${b}`,
          );
          expectClose(
            values[names.length + j],
            oracleOnResample(baseline, weights)[name],
            `baseline ${name}, resample ${b}`,
          );
        });
      }
    },
  );
});

/** Positive-class probabilities moved around a little, so the two models rank rows differently. */
function shuffledScores(proba: Float64Array): Float64Array {
  const out = Float64Array.from(proba);
  for (let i = 0; i + 3 < out.length; i += 6) {
    [out[i + 1], out[i + 3]] = [out[i + 3]!, out[i + 1]!];
    [out[i], out[i + 2]] = [out[i + 2]!, out[i]!];
  }
  return out;
}

interface ReferenceCase {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  numClasses?: number;
  labels?: number[];
  predicted: number[];
  target?: number[];
  proba?: number[] | null;
  weights: number[];
  expected: { weighted: Record<string, number | null> };
}

const reference = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/metrics/reference.json', import.meta.url), 'utf8'),
) as { cases: ReferenceCase[] };

/** True when some class occurs (as true or predicted class) only in rows of weight 0. */
function classOnlyInZeroWeightRows(c: ReferenceCase): boolean {
  const weighted = new Set<number>();
  const all = new Set<number>();
  c.labels!.forEach((label, i) => {
    for (const k of [label, c.predicted[i]!]) {
      all.add(k);
      if (c.weights[i]! > 0) weighted.add(k);
    }
  });
  return all.size !== weighted.size;
}

describe('integer weights (scikit-learn sample_weight, test/fixtures/metrics)', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('match sklearn: %s', (_, c) => {
    const weights = Uint8Array.from(c.weights);
    const p: Predictions =
      c.task === 'regression'
        ? {
            task: 'regression',
            target: Float64Array.from(c.target!),
            predicted: Float64Array.from(c.predicted),
          }
        : {
            task: c.task,
            numClasses: c.numClasses!,
            labels: Int32Array.from(c.labels!),
            predicted: Int32Array.from(c.predicted),
            proba: c.proba ? Float64Array.from(c.proba) : undefined,
          };
    const expected = c.expected.weighted;
    if (p.task === 'regression' || p.proba !== undefined) {
      const actual = kernelValues(rowModel(p), weights);
      for (const name of Object.keys(actual)) expectClose(actual[name], expected[name], name);
    }
    if (p.task !== 'regression') {
      // A cell's weight is the sum of its rows' weights.
      const table = new CellTable(p.labels, [p.predicted], p.numClasses);
      const cellWeights = new Float64Array(table.counts.length);
      p.labels.forEach((label, i) => {
        const cell = table.truth.findIndex(
          (t, j) => t === label && table.predicted[0]![j] === p.predicted[i],
        );
        cellWeights[cell]! += weights[i]!;
      });
      const counts = table.classCounts(0, cellWeights);
      for (const name of METRICS[p.task].filter((n) => isLabelMetric(p.task, n))) {
        // A resample has no zero-weight rows: a class that only such rows hold is absent from
        // it, so it takes no part in the resample's macro averages, where sklearn given
        // weight-0 rows would still average it in (as 0). That differs by design.
        if (name.endsWith('_macro') && classOnlyInZeroWeightRows(c)) continue;
        expectClose(labelMetric(p.task, name, counts), expected[name], name);
      }
    }
  });
});
