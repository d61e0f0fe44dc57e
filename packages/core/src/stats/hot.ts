/**
 * The bootstrap's inner loops: the random streams, Poisson(1) row weights, and the one-pass
 * metric kernels over rows sorted once.
 *
 * Everything lives inside {@link createHotLoops}, which must not refer to anything outside
 * its own body (no imports, no module constants): worker threads run the very same code,
 * built from the function's source text (see pool.ts), so a resample gives the same values
 * on any thread. hot.test.ts checks that the text runs on its own.
 *
 * Speed notes, measured on the 2-core development machine with V8 12 (Node 20):
 * - The generator is xoshiro128**, inlined into the weight loop with its state in locals.
 *   pure-rand's in-place `xoroshiro128plus().next()` measured 5.2 ns per 32-bit output in
 *   that loop against 1.5 ns for the inlined generator; 200k weights × 1,000 resamples took
 *   860 ms with it and 330 ms without.
 * - Per-row inputs of a kernel are interleaved in one Float64Array: every typed array a loop
 *   touches costs a map check, a bounds check and a reload per access in V8's code, and one
 *   array instead of four made the binary kernel about 25% faster (1.1–1.35 s down to
 *   0.8–0.98 s per 1,000 resamples of 200k rows, on a machine shared with other work).
 * - Everything stays in doubles: mixing small-integer arithmetic in (V8 speculates int32 and
 *   checks for overflow) made the same kernel twice as slow.
 */

/**
 * A one-model or paired job of row-weighted resampling; plain data, so it can be sent to a
 * worker. A resample's weights are drawn in the first model's order (its rank order, or row
 * order for multiclass, which has no single rank order). Every model sees the same weight
 * on the same row; `via[m]` says where model m finds them.
 */
export type RowJob = {
  rows: number;
  models: RowModel[];
  /**
   * Per model: null when the weights are already in the order its kernel reads (the first
   * model, and multiclass models, which read row order), else `via[m][k]` is the position in
   * the weights of the row that model m ranks k-th.
   */
  via: Array<Uint32Array | null>;
  /**
   * The compiled WebAssembly bootstrap kernel (stats/bootstrap-kernel.ts), when the job can use
   * it: one binary model. It gives the JavaScript loops' values to the last bit, faster; it
   * travels to the workers with the job (a compiled module can be posted to a worker).
   */
  kernel?: object;
};

/** One model's data, prepared (sorted, interleaved) once; see the kernels for the layouts. */
export type RowModel =
  | {
      kind: 'binary';
      /** Row by rank, highest positive-class score first. */
      order: Uint32Array;
      /** Per rank: positive (1/0), log-loss term, Brier term, closes a tie group (1/0). */
      data: Float64Array;
      finite: boolean;
      probabilities: boolean;
    }
  | {
      kind: 'regression';
      /** Row by rank, smallest absolute error first. */
      order: Uint32Array;
      /** Per rank: |error|, error², |error| / max(|y|, ε), and y and the error less a central value of each. */
      data: Float64Array;
      finite: boolean;
    }
  | {
      kind: 'multiclass';
      numClasses: number;
      /** Per row: the log-loss term. */
      logLossTerm: Float64Array;
      /** Class c's ranks are entries c·rows … (c+1)·rows − 1: the row, by descending probability of c. */
      orders: Uint32Array;
      /** Per class and rank: positive (1/0), closes a tie group (1/0). */
      data: Float64Array;
      finite: boolean;
      rowsSumToOne: boolean;
    };

/** Output values per model of each kind (the kernels' output order is in the kernel files). */
export const KERNEL_WIDTH = { binary: 4, regression: 7, multiclass: 2 } as const;

/** Stream purposes: separate purposes of one seed never share random numbers. */
export const STREAM_CELLS = 1;
export const STREAM_ROWS = 2;

export type HotLoops = ReturnType<typeof createHotLoops>;

export function createHotLoops() {
  // Never called: a bundler that keeps function names wraps this in its helper, which tells
  // pool.ts what that helper is called in the worker's copy of this text.
  function keepNamesProbe(): void {}
  const BUCKET_BITS = 10;
  const BUCKETS = 1 << BUCKET_BITS;
  const BUCKET_MASK = BUCKETS - 1;
  const STRADDLES = -1;
  const ROWS_PURPOSE = 2;
  const WIDTH = { binary: 4, regression: 7, multiclass: 2 };

  /** Murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
  function mix32(x: number): number {
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    return x | 0;
  }

  /**
   * Sets `state` (4 int32 words of xoshiro128**) to the stream of (seed, purpose, index):
   * a chain of bijective mixes, so distinct triples give unrelated streams. The seed's
   * integer part is used, all 53 bits of it.
   */
  function seedStream(seed: number, purpose: number, index: number, state: Int32Array): void {
    const integer = Math.trunc(seed);
    const lo = integer >>> 0;
    const hi = Math.floor(integer / 4294967296) >>> 0;
    let h = mix32(lo ^ 0x9e3779b9);
    h = mix32(h ^ hi ^ 0x7f4a7c15);
    h = mix32(h ^ purpose);
    h = mix32(h ^ (index >>> 0));
    state[0] = mix32(h + 0x243f6a88);
    state[1] = mix32(h + 0x85a308d3);
    state[2] = mix32(h + 0x13198a2e);
    state[3] = mix32(h + 0x03707344);
    // xoshiro's only bad state is all-zero; the mixes make it practically impossible, but be sure.
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[3] = 1;
  }

  /** The next 32 random bits (xoshiro128**, Blackman & Vigna), as a signed int32. */
  function nextInt32(state: Int32Array): number {
    const s0 = state[0]!;
    const s1 = state[1]!;
    const t5 = Math.imul(s1, 5);
    const result = Math.imul((t5 << 7) | (t5 >>> 25), 9);
    const t = s1 << 9;
    const s2 = state[2]! ^ s0;
    const s3 = state[3]! ^ s1;
    state[1] = s1 ^ s2;
    state[0] = s0 ^ s3;
    state[2] = s2 ^ t;
    state[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** A uniform double in the open interval (0, 1), with 53 random bits. */
  function nextOpenDouble(state: Int32Array): number {
    const hi = nextInt32(state) >>> 5; // 27 bits
    const lo = nextInt32(state) >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  // Poisson(1) by table look-up. Ten random bits index 1,024 buckets of the unit interval: a
  // bucket wholly inside one value's share of the CDF gives that value; the 6 buckets that
  // straddle a step of the CDF are refined with a fresh 53-bit uniform, so the weights follow
  // Poisson(1) to double precision, not a 10-bit rounding of it.
  const cdf = new Float64Array(24); // P(X <= k); beyond k = 18 it is 1 in double precision
  {
    let pmf = Math.exp(-1);
    let sum = 0;
    for (let k = 0; k < cdf.length; k++) {
      sum += pmf;
      cdf[k] = sum;
      pmf /= k + 1;
    }
    cdf[cdf.length - 1] = Number.POSITIVE_INFINITY; // every u < 1 stops here at the latest
  }
  function poisson1FromUniform(u: number): number {
    let k = 0;
    while (u >= cdf[k]!) k++;
    return k;
  }
  const table = new Int8Array(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) {
    const low = poisson1FromUniform(i / BUCKETS);
    const high = poisson1FromUniform((i + 1) / BUCKETS - Number.EPSILON);
    table[i] = low === high ? low : STRADDLES;
  }
  // Outputs with a straddling bucket, refined after the main loop; reused between calls.
  let pendingAt = new Int32Array(1024);
  let pendingBits = new Int32Array(1024);

  /**
   * Fills `out` with independent Poisson(1) draws from the stream in `state`: the weights of
   * the "Poisson bootstrap", whose per-row counts approach the classic multinomial
   * resample's as the row count grows.
   */
  function fillPoisson1(state: Int32Array, out: Uint8Array): void {
    const n = out.length;
    const whole = n - (n % 3);
    if (pendingAt.length < whole / 3) {
      pendingAt = new Int32Array(whole / 3);
      pendingBits = new Int32Array(whole / 3);
    }
    const at = pendingAt;
    const bits = pendingBits;
    const lookup = table;
    let pending = 0;
    let s0 = state[0]!;
    let s1 = state[1]!;
    let s2 = state[2]!;
    let s3 = state[3]!;
    for (let i = 0; i < whole; i += 3) {
      const t5 = Math.imul(s1, 5);
      const r = Math.imul((t5 << 7) | (t5 >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      // Three 10-bit fields from the top 30 bits (the top bits are the strongest).
      const a = lookup[r >>> 22]!; // (literal masks: a closure constant here measured 15% slower)
      const b = lookup[(r >>> 12) & 1023]!;
      const c = lookup[(r >>> 2) & 1023]!;
      out[i] = a;
      out[i + 1] = b;
      out[i + 2] = c;
      // 1.8% of outputs hold a straddling bucket. They are refined after the loop: inlined
      // here, the refinement code made the loop 40% slower.
      if ((a | b | c) < 0) {
        at[pending] = i;
        bits[pending++] = r;
      }
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
    for (let p = 0; p < pending; p++) {
      const i = at[p]!;
      const r = bits[p]!;
      for (let j = 0; j < 3; j++) {
        const bucket = (r >>> (22 - 10 * j)) & BUCKET_MASK;
        if (lookup[bucket] === STRADDLES)
          out[i + j] = poisson1FromUniform((bucket + nextOpenDouble(state)) / BUCKETS);
      }
    }
    for (let i = whole; i < n; i++) {
      const bucket = nextInt32(state) >>> 22;
      const w = lookup[bucket]!;
      out[i] = w === STRADDLES ? poisson1FromUniform((bucket + nextOpenDouble(state)) / BUCKETS) : w;
    }
  }

  /**
   * Binary probability metrics for weights in rank order, into out[at…at+3]: ROC AUC,
   * average precision, log loss, Brier. One pass: a tie group's positive and negative
   * weight close one step of both curves, as sklearn's `_binary_clf_curve` groups
   * thresholds; the trapezoids are summed in weight units and normalised once, as the
   * metrics module does; the precision-recall step sum is sklearn's, without interpolation.
   */
  function binaryKernel(
    data: Float64Array,
    finite: boolean,
    probabilities: boolean,
    weights: Uint8Array,
    out: Float64Array,
    at: number,
  ): void {
    const rows = weights.length;
    let groupPositive = 0;
    let groupNegative = 0;
    let truePositive = 0;
    let falsePositive = 0;
    let doubledArea = 0;
    let precisionSum = 0;
    let logLossSum = 0;
    let brierSum = 0;
    for (let k = 0, d = 0; k < rows; k++, d += 4) {
      const w = weights[k]!;
      const wPositive = w * data[d]!;
      groupPositive += wPositive;
      groupNegative += w - wPositive;
      logLossSum += w * data[d + 1]!;
      brierSum += w * data[d + 2]!;
      if (data[d + 3] !== 0) {
        const before = truePositive;
        truePositive += groupPositive;
        falsePositive += groupNegative;
        doubledArea += groupNegative * (before + truePositive);
        // The 1e-300 only matters when no weight has been seen yet, where it turns 0/0 into 0
        // (the numerator is 0 then too); it is far below the last bit of any other weight sum.
        precisionSum += (groupPositive * truePositive) / (truePositive + falsePositive + 1e-300);
        groupPositive = 0;
        groupNegative = 0;
      }
    }
    const total = truePositive + falsePositive;
    const defined = finite && total > 0;
    out[at] =
      defined && truePositive > 0 && falsePositive > 0
        ? doubledArea / (2 * truePositive * falsePositive)
        : Number.NaN;
    // sklearn: with no positive weight, recall is 1 at every threshold and the step sum is 0.
    out[at + 1] = defined ? (truePositive > 0 ? precisionSum / truePositive : 0) : Number.NaN;
    out[at + 2] = defined ? logLossSum / total : Number.NaN;
    out[at + 3] = defined && probabilities ? brierSum / total : Number.NaN;
  }

  /** sklearn's `force_finite=True`: perfect predictions score 1, a constant target 0. */
  function forceFinite(numerator: number, denominator: number): number {
    if (numerator === 0) return 1;
    if (denominator === 0) return 0;
    return 1 - numerator / denominator;
  }

  /**
   * Regression metrics for weights in rank order (by absolute error), into out[at…at+6]:
   * MSE, RMSE, MAE, R², MAPE, median absolute error, explained variance. Weighted spreads
   * come from one pass as Σw·d² − (Σw·d)²/Σw with d taken about a value near the full data's
   * mean, so near every resample's too, and the subtraction loses nothing worth mentioning.
   */
  function regressionKernel(
    data: Float64Array,
    finite: boolean,
    weights: Uint8Array,
    out: Float64Array,
    at: number,
  ): void {
    const rows = weights.length;
    let total = 0;
    let squared = 0;
    let absolute = 0;
    let percentage = 0;
    let targetShift = 0;
    let targetSquares = 0;
    let errorShift = 0;
    let errorSquares = 0;
    for (let k = 0, d = 0; k < rows; k++, d += 5) {
      const w = weights[k]!;
      total += w;
      absolute += w * data[d]!;
      squared += w * data[d + 1]!;
      percentage += w * data[d + 2]!;
      const dy = data[d + 3]!;
      targetShift += w * dy;
      targetSquares += w * dy * dy;
      const de = data[d + 4]!;
      errorShift += w * de;
      errorSquares += w * de * de;
    }
    if (!finite || total === 0) {
      out.fill(Number.NaN, at, at + 7);
      // sklearn's weighted median with all-zero weights clips to the largest error.
      if (finite && rows > 0) out[at + 5] = data[5 * (rows - 1)]!;
      return;
    }
    const mse = squared / total;
    const targetSpread = Math.max(0, targetSquares - (targetShift * targetShift) / total);
    const errorSpread = Math.max(0, errorSquares - (errorShift * errorShift) / total);
    out[at] = mse;
    out[at + 1] = Math.sqrt(mse);
    out[at + 2] = absolute / total;
    out[at + 3] = rows < 2 ? Number.NaN : forceFinite(squared, targetSpread);
    out[at + 4] = percentage / total;
    // sklearn's `_weighted_percentile(errors, w, 50)`: the first error whose cumulative
    // weight reaches half the total (the lower weighted median).
    const half = 0.5 * total;
    let cumulative = 0;
    let median = data[5 * (rows - 1)]!;
    for (let k = 0; k < rows; k++) {
      cumulative += weights[k]!;
      if (cumulative >= half) {
        median = data[5 * k]!;
        break;
      }
    }
    out[at + 5] = median;
    out[at + 6] = forceFinite(errorSpread / total, targetSpread / total);
  }

  /**
   * Multiclass probability metrics for weights in row order, into out[at…at+1]: log loss
   * and one-vs-rest macro ROC AUC. Each class gathers the weights into its own rank order.
   */
  function multiclassKernel(
    model: Extract<RowModel, { kind: 'multiclass' }>,
    weights: Uint8Array,
    ranked: Uint8Array,
    out: Float64Array,
    at: number,
  ): void {
    const rows = weights.length;
    const logLossTerm = model.logLossTerm;
    let total = 0;
    let logLossSum = 0;
    for (let i = 0; i < rows; i++) {
      const w = weights[i]!;
      total += w;
      logLossSum += w * logLossTerm[i]!;
    }
    out[at] = model.finite && total > 0 ? logLossSum / total : Number.NaN;
    if (!model.rowsSumToOne) {
      out[at + 1] = Number.NaN;
      return;
    }
    let sum = 0;
    for (let c = 0; c < model.numClasses; c++) {
      const auc = classAuc(model.orders, model.data, c * rows, weights, ranked);
      if (Number.isNaN(auc)) {
        sum = Number.NaN;
        break;
      }
      sum += auc;
    }
    out[at + 1] = sum / model.numClasses;
  }

  /** One class's one-vs-rest AUC; its ranks start at `offset` in `orders` (and 2·offset in `data`). */
  function classAuc(
    orders: Uint32Array,
    data: Float64Array,
    offset: number,
    weights: Uint8Array,
    ranked: Uint8Array,
  ): number {
    const rows = weights.length;
    for (let k = 0; k < rows; k++) ranked[k] = weights[orders[offset + k]!]!;
    let groupPositive = 0;
    let groupNegative = 0;
    let truePositive = 0;
    let falsePositive = 0;
    let doubledArea = 0;
    for (let k = 0, d = 2 * offset; k < rows; k++, d += 2) {
      const w = ranked[k]!;
      const wPositive = w * data[d]!;
      groupPositive += wPositive;
      groupNegative += w - wPositive;
      if (data[d + 1] !== 0) {
        const before = truePositive;
        truePositive += groupPositive;
        falsePositive += groupNegative;
        doubledArea += groupNegative * (before + truePositive);
        groupPositive = 0;
        groupNegative = 0;
      }
    }
    return truePositive > 0 && falsePositive > 0
      ? doubledArea / (2 * truePositive * falsePositive)
      : Number.NaN;
  }

  /**
   * One model's values, for weights in the order its kernel reads (`via` null: rank order,
   * or row order for multiclass) or found through `via` (`weights[via[k]]` is the weight of
   * the row it ranks k-th; a model's `order` as `via` takes weights in row order).
   */
  function evaluateModel(
    model: RowModel,
    weights: Uint8Array,
    via: Uint32Array | null,
    scratch: Uint8Array,
    out: Float64Array,
    at: number,
  ): void {
    if (model.kind === 'multiclass') {
      multiclassKernel(model, weights, scratch, out, at);
      return;
    }
    let ranked = weights;
    if (via !== null) {
      for (let k = 0; k < scratch.length; k++) scratch[k] = weights[via[k]!]!;
      ranked = scratch;
    }
    if (model.kind === 'binary') binaryKernel(model.data, model.finite, model.probabilities, ranked, out, at);
    else regressionKernel(model.data, model.finite, ranked, out, at);
  }

  let buffers: { weights: Uint8Array; scratch: Uint8Array } | undefined;

  // The WebAssembly kernel's instance for the last job it ran (a worker runs many chunks of one
  // job): its memory holds the job's rows, laid out once.
  let wasmJob: RowJob | undefined;
  let wasmRun: ((states: Int32Array, allOnes?: boolean) => Float64Array) | undefined;

  /**
   * The kernel's run for a one-model binary job: set resample j's stream (4 int32) at
   * states[4j…4j+3] for j < 4, and it returns, for the four resamples, six sums each (see
   * assembly/bootstrap.ts). Undefined when the kernel cannot take the job (no WebAssembly, a
   * memory that cannot be that large): the JavaScript loops do it then.
   */
  function wasmBinary(job: RowJob): ((states: Int32Array, allOnes?: boolean) => Float64Array) | undefined {
    if (wasmJob === job) return wasmRun;
    wasmJob = job;
    wasmRun = undefined;
    const model = job.models[0]!;
    // The part of the WebAssembly API used here (TypeScript's ES libraries leave it to lib.dom).
    const api = (
      globalThis as {
        WebAssembly?: {
          Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
          Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
        };
      }
    ).WebAssembly;
    if (api === undefined || model.kind !== 'binary') return undefined;
    const rows = job.rows;
    const page = 65536;
    // Fixed parts from the second page on (a kernel's own static data sits below), then the
    // rows: pending refinements (4 lanes × 2 int32 per 3 rows), rank data (4 f64), weights (4 u8).
    const cdfAt = page;
    const tableAt = cdfAt + 256;
    const statesAt = tableAt + 1024;
    const sumsAt = statesAt + 256;
    const pendingAt = sumsAt + 256;
    const dataAt = pendingAt + 32 * (Math.floor(rows / 3) + 1);
    const weightsAt = dataAt + 32 * rows;
    const bytes = weightsAt + 4 * rows;
    if (bytes >= 2 ** 31) return undefined;
    let exports: Record<string, unknown>;
    let memory: { buffer: ArrayBuffer };
    if (job.kernel === undefined) return undefined;
    try {
      memory = new api.Memory({ initial: Math.ceil(bytes / page) });
      exports = new api.Instance(job.kernel, { env: { memory } }).exports;
    } catch {
      return undefined;
    }
    const buffer = memory.buffer;
    new Float64Array(buffer, cdfAt, cdf.length).set(cdf);
    new Int8Array(buffer, tableAt, BUCKETS).set(table);
    const data = new Float64Array(buffer, dataAt, 4 * rows);
    data.set(model.data);
    // How each rank ends its tie group: 0 it does not; it closes a group of several rows with
    // a positive row (1) or of negative rows only (2: the group's positive weight is +0 in
    // every resample); it is a positive (3) or a negative (4) row alone in its group.
    let positive = false;
    let alone = true;
    for (let k = 0, d = 0; k < rows; k++, d += 4) {
      if (data[d] !== 0) positive = true;
      if (data[d + 3] === 0) {
        alone = false;
        continue;
      }
      data[d + 3] = alone ? (positive ? 3 : 4) : positive ? 1 : 2;
      positive = false;
      alone = true;
    }
    const states = new Int32Array(buffer, statesAt, 16);
    const sums = new Float64Array(buffer, sumsAt, 24);
    const run = exports.binaryResamples as (...args: number[]) => void;
    const tableView = new Int8Array(buffer, tableAt, BUCKETS);
    wasmRun = (streams, allOnes = false) => {
      states.set(streams);
      // A table of ones gives every row the weight 1 (no bucket straddles): the observed values.
      if (allOnes) tableView.fill(1);
      run(rows, dataAt, statesAt, weightsAt, tableAt, cdfAt, pendingAt, sumsAt);
      if (allOnes) tableView.set(table);
      return sums;
    };
    return wasmRun;
  }

  /**
   * binaryKernel's values for up to four resamples from the kernel's sums (resample j: vector
   * j >> 1, lane j & 1), each computed as binaryKernel computes it.
   */
  function finishBinary(
    model: Extract<RowModel, { kind: 'binary' }>,
    sums: Float64Array,
    count: number,
    out: Float64Array,
    at: number,
  ): void {
    for (let j = 0; j < count; j++) {
      const s = (j >> 1) * 12 + (j & 1);
      const truePositive = sums[s]!;
      const falsePositive = sums[s + 2]!;
      const total = truePositive + falsePositive;
      const defined = model.finite && total > 0;
      const o = at + 4 * j;
      out[o] =
        defined && truePositive > 0 && falsePositive > 0
          ? sums[s + 4]! / (2 * truePositive * falsePositive)
          : Number.NaN;
      out[o + 1] = defined ? (truePositive > 0 ? sums[s + 6]! / truePositive : 0) : Number.NaN;
      out[o + 2] = defined ? sums[s + 8]! / total : Number.NaN;
      out[o + 3] = defined && model.probabilities ? sums[s + 10]! / total : Number.NaN;
    }
  }

  /**
   * The values of a one-model binary job with every row weighing 1 (the observed values), into
   * out[0…3], by the WebAssembly kernel that runs its resamples (evaluateModel's values to the
   * last bit, without a cold JavaScript pass over the rows); false where the kernel does not
   * take the job.
   */
  function observedByKernel(job: RowJob, out: Float64Array): boolean {
    if (job.kernel === undefined || job.models.length !== 1) return false;
    const run = wasmBinary(job);
    if (run === undefined) return false;
    const model = job.models[0] as Extract<RowModel, { kind: 'binary' }>;
    finishBinary(model, run(new Int32Array(16), true), 1, out, 0);
    return true;
  }

  /** Values per resample: one model's outputs after another. */
  function jobWidth(job: RowJob): number {
    let width = 0;
    for (const model of job.models) width += WIDTH[model.kind];
    return width;
  }

  /**
   * Resamples b = first … last−1 of `job` with `seed`, into rows b − `base` of the row-major
   * table `out` (jobWidth(job) values per resample). Resample b's weights come from the
   * stream (seed, rows, b) alone, so any split of the resamples gives the same table.
   */
  function runRowJob(
    job: RowJob,
    seed: number,
    first: number,
    last: number,
    out: Float64Array,
    base: number,
  ): void {
    const width = jobWidth(job);
    if (job.kernel !== undefined && job.models.length === 1) {
      const run = wasmBinary(job);
      if (run !== undefined) {
        const model = job.models[0] as Extract<RowModel, { kind: 'binary' }>;
        const streams = new Int32Array(16);
        const state = new Int32Array(4);
        for (let b = first; b < last; b += 4) {
          const count = Math.min(4, last - b);
          // Lanes past the last resample repeat its stream; their values are dropped.
          for (let j = 0; j < 4; j++) {
            seedStream(seed, ROWS_PURPOSE, b + Math.min(j, count - 1), state);
            streams.set(state, 4 * j);
          }
          finishBinary(model, run(streams), count, out, (b - base) * width);
        }
        return;
      }
    }
    // Reused between calls: a chunk of 8 resamples allocating its own 2 × rows bytes made
    // the garbage collector a visible share of a 200k-row bootstrap.
    if (buffers === undefined || buffers.weights.length !== job.rows) {
      buffers = { weights: new Uint8Array(job.rows), scratch: new Uint8Array(job.rows) };
    }
    const { weights, scratch } = buffers;
    const state = new Int32Array(4);
    for (let b = first; b < last; b++) {
      seedStream(seed, ROWS_PURPOSE, b, state);
      fillPoisson1(state, weights);
      let at = (b - base) * width;
      for (let m = 0; m < job.models.length; m++) {
        const model = job.models[m]!;
        evaluateModel(model, weights, job.via[m]!, scratch, out, at);
        at += WIDTH[model.kind];
      }
    }
  }

  return {
    keepNamesProbe,
    seedStream,
    nextInt32,
    nextOpenDouble,
    fillPoisson1,
    evaluateModel,
    observedByKernel,
    jobWidth,
    runRowJob,
  };
}

/** The loops of this thread. */
export const hot: HotLoops = createHotLoops();
