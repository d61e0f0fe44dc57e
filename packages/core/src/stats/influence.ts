/**
 * Empirical influence values: how much each row moves a metric, for the acceleration of BCa
 * intervals (see interval.ts).
 *
 * The influence of row k is the derivative of the weighted metric with respect to row k's
 * weight, at all weights 1 (the infinitesimal jackknife, Efron 1982). Every metric here is a
 * ratio that does not change when all weights are scaled, so the influences sum to 0. They
 * are computed in closed form, in O(rows), from the data the kernels already sorted:
 * - weighted means (log loss, Brier, MSE, MAE, MAPE): tₖ − mean; RMSE: that over 2·RMSE;
 * - ROC AUC: (placement of k among the other class − AUC · size of the other class) / (P·N);
 * - average precision: the derivative of Σ_g pos_g·TP_g/(TP_g+FP_g) / P through every
 *   later threshold, with suffix sums;
 * - R² and explained variance: derivatives of their ratios of (co)variances;
 * - median absolute error: the median's influence, sign(eₖ − median) up to a constant.
 * Label metrics get the exact jackknife over confusion cells instead (cells.ts), which is
 * as cheap there.
 */
import { KERNEL_WIDTH, type RowModel } from './hot.ts';

/**
 * Per kernel output (in the kernel's output order), each row's influence, in row order.
 * An output whose metric is undefined on the data gets an array of NaN.
 */
export function rowInfluences(model: RowModel): Float64Array[] {
  if (model.kind === 'binary') return inRowOrder(binaryInfluences(model), model.order);
  if (model.kind === 'regression') return inRowOrder(regressionInfluences(model), model.order);
  return multiclassInfluences(model);
}

function inRowOrder(byRank: Float64Array[], order: Uint32Array): Float64Array[] {
  return byRank.map((values) => {
    const byRow = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) byRow[order[k]!] = values[k]!;
    return byRow;
  });
}

/**
 * Influences of a weighted mean of per-row terms: term k is `data[offset + stride·k]`. (Plain
 * loops over the array, not a callback per row: the set-up of a 200k-row bootstrap spent
 * a tenth of its time in the callbacks.)
 */
function meanInfluence(data: Float64Array, offset: number, stride: number, rows: number): Float64Array {
  let sum = 0;
  for (let k = 0, d = offset; k < rows; k++, d += stride) sum += data[d]!;
  const mean = sum / rows;
  const influence = new Float64Array(rows);
  for (let k = 0, d = offset; k < rows; k++, d += stride) influence[k] = (data[d]! - mean) / rows;
  return influence;
}

/**
 * Where a kernel's rank data lies: rank k is positive when `data[start + stride·k]` is 1 and
 * closes a tie group when `data[start + stride·k + closes]` is not 0.
 */
interface RankLayout {
  data: Float64Array;
  start: number;
  stride: number;
  closes: number;
}

/** Per rank, 1 where it is positive. */
function positives(rows: number, layout: RankLayout): Uint8Array {
  const flags = new Uint8Array(rows);
  for (let k = 0, d = layout.start; k < rows; k++, d += layout.stride)
    flags[k] = layout.data[d] === 1 ? 1 : 0;
  return flags;
}

/** Per rank, 1 where it closes a tie group. */
function groupEnds(rows: number, layout: RankLayout): Uint8Array {
  const flags = new Uint8Array(rows);
  for (let k = 0, d = layout.start + layout.closes; k < rows; k++, d += layout.stride)
    flags[k] = layout.data[d] === 0 ? 0 : 1;
  return flags;
}

/**
 * ROC AUC influences for ranks in descending score order: a row's placement counts the
 * other class's rows ranked on the wrong side of it, ties as half.
 */
function aucInfluence(rows: number, layout: RankLayout): Float64Array {
  const positive = positives(rows, layout);
  const closesGroup = groupEnds(rows, layout);
  // Per rank: positives and negatives strictly above its group, and in its group.
  const [positivesAbove, negativesAbove, groupPositives, groupNegatives] = Array.from(
    { length: 4 },
    () => new Float64Array(rows),
  ) as [Float64Array, Float64Array, Float64Array, Float64Array];
  let truePositive = 0;
  let falsePositive = 0;
  let start = 0;
  let p = 0;
  for (let k = 0; k < rows; k++) {
    p += positive[k]!;
    if (closesGroup[k] === 0) continue;
    const q = k - start + 1 - p;
    for (let j = start; j <= k; j++) {
      positivesAbove[j] = truePositive;
      negativesAbove[j] = falsePositive;
      groupPositives[j] = p;
      groupNegatives[j] = q;
    }
    truePositive += p;
    falsePositive += q;
    start = k + 1;
    p = 0;
  }
  const P = truePositive;
  const N = falsePositive;
  const influence = new Float64Array(rows);
  if (P === 0 || N === 0) return influence.fill(Number.NaN);
  let area = 0;
  for (let k = 0; k < rows; k++) {
    if (positive[k] === 1) area += N - negativesAbove[k]! - groupNegatives[k]! + 0.5 * groupNegatives[k]!;
  }
  const auc = area / (P * N);
  for (let k = 0; k < rows; k++) {
    influence[k] =
      positive[k] === 1
        ? (N - negativesAbove[k]! - 0.5 * groupNegatives[k]! - auc * N) / (P * N)
        : (positivesAbove[k]! + 0.5 * groupPositives[k]! - auc * P) / (P * N);
  }
  return influence;
}

/** Average precision influences, ranks in descending score order (see the file comment). */
function averagePrecisionInfluence(rows: number, layout: RankLayout): Float64Array {
  const positive = positives(rows, layout);
  const closesGroup = groupEnds(rows, layout);
  // Groups of tied scores: per group its positives, cumulative TP and TP + FP.
  const groupOf = new Int32Array(rows);
  const [groupPositive, cumulativeTp, cumulativeAll] = Array.from(
    { length: 3 },
    () => new Float64Array(rows),
  ) as [Float64Array, Float64Array, Float64Array];
  let groups = 0;
  let tp = 0;
  let all = 0;
  let p = 0;
  for (let k = 0; k < rows; k++) {
    groupOf[k] = groups;
    const y = positive[k]!;
    p += y;
    tp += y;
    all += 1;
    if (closesGroup[k] !== 0) {
      groupPositive[groups] = p;
      cumulativeTp[groups] = tp;
      cumulativeAll[groups] = all;
      groups++;
      p = 0;
    }
  }
  const influence = new Float64Array(rows);
  const P = tp;
  if (P === 0 || rows === 0) return influence.fill(Number.NaN);
  let sum = 0;
  for (let g = 0; g < groups; g++) sum += (groupPositive[g]! * cumulativeTp[g]!) / cumulativeAll[g]!;
  const ap = sum / P;
  // Suffix sums over g >= h of pos_g / D_g and pos_g · prec_g / D_g.
  const suffixA = new Float64Array(groups + 1);
  const suffixB = new Float64Array(groups + 1);
  for (let g = groups - 1; g >= 0; g--) {
    const d = cumulativeAll[g]!;
    const precision = cumulativeTp[g]! / d;
    suffixA[g] = suffixA[g + 1]! + groupPositive[g]! / d;
    suffixB[g] = suffixB[g + 1]! + (groupPositive[g]! * precision) / d;
  }
  for (let k = 0; k < rows; k++) {
    const h = groupOf[k]!;
    const y = positive[k]!;
    const precision = cumulativeTp[h]! / cumulativeAll[h]!;
    influence[k] = (y * precision + y * suffixA[h]! - suffixB[h]! - ap * y) / P;
  }
  return influence;
}

function binaryInfluences(model: Extract<RowModel, { kind: 'binary' }>): Float64Array[] {
  const { data, finite, probabilities } = model;
  const rows = model.order.length;
  const nan = () => new Float64Array(rows).fill(Number.NaN);
  if (!finite || rows === 0) return Array.from({ length: KERNEL_WIDTH.binary }, nan);
  const layout: RankLayout = { data, start: 0, stride: 4, closes: 3 };
  return [
    aucInfluence(rows, layout),
    averagePrecisionInfluence(rows, layout),
    meanInfluence(data, 1, 4, rows),
    probabilities ? meanInfluence(data, 2, 4, rows) : nan(),
  ];
}

function multiclassInfluences(model: Extract<RowModel, { kind: 'multiclass' }>): Float64Array[] {
  const rows = model.logLossTerm.length;
  const logLoss = model.finite
    ? meanInfluence(model.logLossTerm, 0, 1, rows)
    : new Float64Array(rows).fill(Number.NaN);
  const auc = new Float64Array(rows);
  if (!model.rowsSumToOne || rows === 0) return [logLoss, auc.fill(Number.NaN)];
  for (let c = 0; c < model.numClasses; c++) {
    const offset = c * rows;
    const byRank = aucInfluence(rows, { data: model.data, start: 2 * offset, stride: 2, closes: 1 });
    for (let k = 0; k < rows; k++) auc[model.orders[offset + k]!]! += byRank[k]! / model.numClasses;
  }
  return [logLoss, auc];
}

function regressionInfluences(model: Extract<RowModel, { kind: 'regression' }>): Float64Array[] {
  const { data, finite } = model;
  const rows = model.order.length;
  if (!finite || rows === 0)
    return Array.from({ length: KERNEL_WIDTH.regression }, () => new Float64Array(rows).fill(Number.NaN));
  const absolute = (k: number) => data[5 * k]!;
  const squared = (k: number) => data[5 * k + 1]!;
  const mse = meanInfluence(data, 1, 5, rows);
  let sse = 0;
  let sst = 0;
  let targetMean = 0;
  let errorMean = 0;
  for (let k = 0; k < rows; k++) {
    sse += squared(k);
    targetMean += data[5 * k + 3]! / rows;
    errorMean += data[5 * k + 4]! / rows;
  }
  let errorVariance = 0;
  for (let k = 0; k < rows; k++) {
    sst += (data[5 * k + 3]! - targetMean) ** 2;
    errorVariance += (data[5 * k + 4]! - errorMean) ** 2 / rows;
  }
  const targetVariance = sst / rows;
  const rmse = Math.sqrt(sse / rows);
  // The median's influence is sign(e − median) over twice the density there; the constant
  // does not matter for the acceleration, which is scale-free.
  const median = absolute(Math.min(rows - 1, Math.floor((rows - 1) / 2)));
  return [
    mse,
    mse.map((u) => (rmse > 0 ? u / (2 * rmse) : 0)),
    meanInfluence(data, 0, 5, rows),
    Float64Array.from({ length: rows }, (_, k) =>
      sst > 0 ? -(squared(k) * sst - sse * (data[5 * k + 3]! - targetMean) ** 2) / (sst * sst) : 0,
    ),
    meanInfluence(data, 2, 5, rows),
    Float64Array.from({ length: rows }, (_, k) => Math.sign(absolute(k) - median)),
    Float64Array.from({ length: rows }, (_, k) => {
      if (!(targetVariance > 0)) return 0;
      const dError = ((data[5 * k + 4]! - errorMean) ** 2 - errorVariance) / rows;
      const dTarget = ((data[5 * k + 3]! - targetMean) ** 2 - targetVariance) / rows;
      return -(dError * targetVariance - errorVariance * dTarget) / (targetVariance * targetVariance);
    }),
  ];
}

/**
 * BCa's acceleration from influence values (Efron 1987): Σu³ / (6·(Σu²)^(3/2)), each value
 * counted `multiplicity[k]` times if given. 0 when the influences are all 0 (nothing to
 * correct); NaN propagates (the metric is undefined).
 */
export function acceleration(influence: ArrayLike<number>, multiplicity?: ArrayLike<number>): number {
  let squares = 0;
  let cubes = 0;
  for (let k = 0; k < influence.length; k++) {
    const u = influence[k]!;
    const m = multiplicity === undefined ? 1 : multiplicity[k]!;
    squares += m * u * u;
    cubes += m * u * u * u;
  }
  if (Number.isNaN(squares)) return Number.NaN;
  return squares > 0 ? cubes / (6 * squares ** 1.5) : 0;
}
