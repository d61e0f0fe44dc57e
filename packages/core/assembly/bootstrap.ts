// The bootstrap's binary kernel in WebAssembly: four resamples at a time, each one's Poisson(1)
// row weights drawn here from its own stream, then one pass over the rows in rank order for all
// four (two resamples per SIMD vector). AssemblyScript, compiled by `npm run kernels` into
// packages/core/src/stats/bootstrap-kernel.wasm.ts; packages/core/src/stats/hot.ts runs it.
//
// It must give hot.ts's JavaScript (fillPoisson1 and binaryKernel) to the last bit: the same
// random stream in the same order, and per resample the same float64 operations in the same
// order (a SIMD lane is one resample: lanes never mix, and WebAssembly fuses no multiply-add).
// The tests compare them.
//
// Memory is the caller's: every pointer is a byte offset into the imported memory.

/** The next 32 random bits of the xoshiro128** state at `state` (hot.ts nextInt32). */
// @ts-ignore: decorator
@inline
function nextInt32(state: usize): i32 {
  const s0 = load<i32>(state);
  const s1 = load<i32>(state, 4);
  const t5 = s1 * 5;
  const result = rotl<i32>(t5, 7) * 9;
  const t = s1 << 9;
  const s2 = load<i32>(state, 8) ^ s0;
  const s3 = load<i32>(state, 12) ^ s1;
  store<i32>(state, s1 ^ s2, 4);
  store<i32>(state, s0 ^ s3);
  store<i32>(state, s2 ^ t, 8);
  store<i32>(state, rotl<i32>(s3, 11), 12);
  return result;
}

/** A uniform double in (0, 1) with 53 random bits (hot.ts nextOpenDouble). */
function nextOpenDouble(state: usize): f64 {
  const hi = <u32>nextInt32(state) >>> 5;
  const lo = <u32>nextInt32(state) >>> 6;
  return (<f64>hi * 67108864 + <f64>lo + 0.5) / 9007199254740992;
}

/** The Poisson(1) value whose CDF step holds `u` (`cdf`: 24 f64, the last one +∞). */
function poisson1FromUniform(u: f64, cdf: usize): u8 {
  let k: i32 = 0;
  while (u >= load<f64>(cdf + ((<usize>k) << 3))) k++;
  return <u8>k;
}

/** Word `word` of the four streams at `states` (stream j's four words at states + 16·j), one per lane. */
// @ts-ignore: decorator
@inline
function gather(states: usize, word: usize): v128 {
  let v = i32x4.splat(load<i32>(states + word));
  v = i32x4.replace_lane(v, 1, load<i32>(states + 16 + word));
  v = i32x4.replace_lane(v, 2, load<i32>(states + 32 + word));
  return i32x4.replace_lane(v, 3, load<i32>(states + 48 + word));
}

/** The inverse of {@link gather}. */
// @ts-ignore: decorator
@inline
function scatter(states: usize, word: usize, v: v128): void {
  store<i32>(states + word, i32x4.extract_lane(v, 0));
  store<i32>(states + 16 + word, i32x4.extract_lane(v, 1));
  store<i32>(states + 32 + word, i32x4.extract_lane(v, 2));
  store<i32>(states + 48 + word, i32x4.extract_lane(v, 3));
}

/** The table values of the four lanes' buckets, as the bytes of one u32 (lane 0 lowest; −1 is 255). */
// @ts-ignore: decorator
@inline
function lookUp(table: usize, buckets: v128): u32 {
  const a = <u32>load<u8>(table + <usize>i32x4.extract_lane(buckets, 0));
  const b = <u32>load<u8>(table + <usize>i32x4.extract_lane(buckets, 1));
  const c = <u32>load<u8>(table + <usize>i32x4.extract_lane(buckets, 2));
  const d = <u32>load<u8>(table + <usize>i32x4.extract_lane(buckets, 3));
  return a | (b << 8) | (c << 16) | (d << 24);
}

/** Adds (output index i, random word r) to lane `lane`'s list of outputs to refine; returns the new count. */
// @ts-ignore: decorator
@inline
function remember(list: usize, count: usize, i: i32, r: i32): usize {
  store<i32>(list + (count << 3), i);
  store<i32>(list + (count << 3), r, 4);
  return count + 1;
}

/**
 * hot.ts fillPoisson1 for four streams at once, one per SIMD lane: `n` Poisson(1) weights from
 * each stream at `states` (stream j's four words at states + 16·j), weight i of stream j at
 * `out + 4·i + j`. Every stream runs exactly as fillPoisson1 runs it: the main loop's outputs,
 * then its refinements (in output order), then the last n mod 3 weights. `table`: 1,024 i8 (a
 * bucket's value, −1 where it straddles a CDF step); `pending`: scratch for 4 × 2 × (⌊n/3⌋ + 1) i32.
 */
function fillPoisson1x4(states: usize, out: usize, n: i32, table: usize, cdf: usize, pending: usize): void {
  const whole = n - (n % 3);
  const capacity = (<usize>(whole / 3) + 1) << 3;
  const mask = i32x4.splat(1023);
  let s0 = gather(states, 0);
  let s1 = gather(states, 4);
  let s2 = gather(states, 8);
  let s3 = gather(states, 12);
  let n0: usize = 0;
  let n1: usize = 0;
  let n2: usize = 0;
  let n3: usize = 0;
  let at = out;
  for (let i = 0; i < whole; i += 3) {
    // s1 · 5 and rotl(·, 7) · 9 as shifts and adds (the same bits, mod 2^32): cheaper than two
    // vector multiplications.
    const t5 = i32x4.add(i32x4.shl(s1, 2), s1);
    const rotated = v128.or(i32x4.shl(t5, 7), i32x4.shr_u(t5, 25));
    const r = i32x4.add(i32x4.shl(rotated, 3), rotated);
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    // Three 10-bit fields from the top 30 bits of each lane's word, as fillPoisson1 takes them.
    const fa = i32x4.shr_u(r, 22);
    const fb = v128.and(i32x4.shr_u(r, 12), mask);
    const fc = v128.and(i32x4.shr_u(r, 2), mask);
    const wa = lookUp(table, fa);
    const wb = lookUp(table, fb);
    const wc = lookUp(table, fc);
    store<u32>(at, wa);
    store<u32>(at, wb, 4);
    store<u32>(at, wc, 8);
    at += 12;
    // A straddling bucket's −1 is the only byte with its top bit set.
    const straddles = wa | wb | wc;
    if ((straddles & 0x80808080) != 0) {
      if ((straddles & 0x80) != 0) n0 = remember(pending, n0, i, i32x4.extract_lane(r, 0));
      if ((straddles & 0x8000) != 0) n1 = remember(pending + capacity, n1, i, i32x4.extract_lane(r, 1));
      if ((straddles & 0x800000) != 0) n2 = remember(pending + 2 * capacity, n2, i, i32x4.extract_lane(r, 2));
      if ((straddles & 0x80000000) != 0) n3 = remember(pending + 3 * capacity, n3, i, i32x4.extract_lane(r, 3));
    }
  }
  scatter(states, 0, s0);
  scatter(states, 4, s1);
  scatter(states, 8, s2);
  scatter(states, 12, s3);
  for (let lane = 0; lane < 4; lane++) {
    const state = states + 16 * <usize>lane;
    const list = pending + <usize>lane * capacity;
    const count = lane == 0 ? n0 : lane == 1 ? n1 : lane == 2 ? n2 : n3;
    const column = out + <usize>lane;
    for (let p: usize = 0; p < count; p++) {
      const i = load<i32>(list + (p << 3));
      const r = <u32>load<i32>(list + (p << 3), 4);
      for (let j = 0; j < 3; j++) {
        const bucket = (r >>> (22 - 10 * j)) & 1023;
        if (load<i8>(table + <usize>bucket) == -1) {
          const u = (<f64>bucket + nextOpenDouble(state)) / 1024;
          store<u8>(column + (<usize>(i + j) << 2), poisson1FromUniform(u, cdf));
        }
      }
    }
    for (let i = whole; i < n; i++) {
      const bucket = <u32>nextInt32(state) >>> 22;
      const w = load<i8>(table + <usize>bucket);
      store<u8>(
        column + (<usize>i << 2),
        w == -1 ? poisson1FromUniform((<f64>bucket + nextOpenDouble(state)) / 1024, cdf) : <u8>w,
      );
    }
  }
}

/**
 * Four resamples of hot.ts binaryKernel's sums. `states`: 4 × 4 i32, resample j's stream at
 * `states + 16·j`. `data`: per rank four f64: positive (1/0), the log-loss term, the Brier term,
 * and how the rank ends its tie group: 0 it does not, 1 it closes a group of several rows holding
 * a positive, 2 a group of several negative rows, 3 it is a positive row alone in its group, 4 a
 * negative row alone in its group. (Every case does binaryKernel's float64 operations, less
 * those that add +0 or leave a value as it is: the sums come out the same to the last bit.) `weights`: 4 u8 per rank (written here); `pending`:
 * scratch for 4 × 2 × (⌊rows/3⌋ + 1) i32. Writes at `sums`, for each of the four resamples, six f64:
 * true-positive weight, false-positive weight, doubled area, precision sum, log-loss sum,
 * Brier sum.
 */
export function binaryResamples(
  rows: i32,
  data: usize,
  states: usize,
  weights: usize,
  table: usize,
  cdf: usize,
  pending: usize,
  sums: usize,
): void {
  fillPoisson1x4(states, weights, rows, table, cdf, pending);
  const zero = f64x2.splat(0);
  const tiny = f64x2.splat(1e-300);
  let gpA = zero;
  let gnA = zero;
  let tpA = zero;
  let fpA = zero;
  let arA = zero;
  let psA = zero;
  let llA = zero;
  let brA = zero;
  let gpB = zero;
  let gnB = zero;
  let tpB = zero;
  let fpB = zero;
  let arB = zero;
  let psB = zero;
  let llB = zero;
  let brB = zero;
  let d = data;
  let w = weights;
  for (let k = 0; k < rows; k++) {
    const l = v128.load64_splat(d, 8);
    const r = v128.load64_splat(d, 16);
    const kind = load<f64>(d, 24);
    const wi = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(w)));
    const wA = f64x2.convert_low_i32x4_s(wi);
    const wB = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(wi, wi, 2, 3, 0, 1));
    llA = f64x2.add(llA, f64x2.mul(wA, l));
    llB = f64x2.add(llB, f64x2.mul(wB, l));
    brA = f64x2.add(brA, f64x2.mul(wA, r));
    brB = f64x2.add(brB, f64x2.mul(wB, r));
    if (kind == 3) {
      // A positive row alone in its group: binaryKernel's group weights are then w and +0,
      // so the false positives and the area (which would add +0) stay as they are.
      tpA = f64x2.add(tpA, wA);
      tpB = f64x2.add(tpB, wB);
      psA = f64x2.add(psA, f64x2.div(f64x2.mul(wA, tpA), f64x2.add(f64x2.add(tpA, fpA), tiny)));
      psB = f64x2.add(psB, f64x2.div(f64x2.mul(wB, tpB), f64x2.add(f64x2.add(tpB, fpB), tiny)));
    } else if (kind == 4) {
      // A negative row alone in its group: the group weights are +0 and w.
      fpA = f64x2.add(fpA, wA);
      fpB = f64x2.add(fpB, wB);
      arA = f64x2.add(arA, f64x2.mul(wA, f64x2.add(tpA, tpA)));
      arB = f64x2.add(arB, f64x2.mul(wB, f64x2.add(tpB, tpB)));
    } else {
      const y = v128.load64_splat(d);
      const pA = f64x2.mul(wA, y);
      const pB = f64x2.mul(wB, y);
      gpA = f64x2.add(gpA, pA);
      gpB = f64x2.add(gpB, pB);
      gnA = f64x2.add(gnA, f64x2.sub(wA, pA));
      gnB = f64x2.add(gnB, f64x2.sub(wB, pB));
      if (kind == 1) {
        const beforeA = tpA;
        const beforeB = tpB;
        tpA = f64x2.add(tpA, gpA);
        tpB = f64x2.add(tpB, gpB);
        fpA = f64x2.add(fpA, gnA);
        fpB = f64x2.add(fpB, gnB);
        arA = f64x2.add(arA, f64x2.mul(gnA, f64x2.add(beforeA, tpA)));
        arB = f64x2.add(arB, f64x2.mul(gnB, f64x2.add(beforeB, tpB)));
        psA = f64x2.add(psA, f64x2.div(f64x2.mul(gpA, tpA), f64x2.add(f64x2.add(tpA, fpA), tiny)));
        psB = f64x2.add(psB, f64x2.div(f64x2.mul(gpB, tpB), f64x2.add(f64x2.add(tpB, fpB), tiny)));
        gpA = zero;
        gpB = zero;
        gnA = zero;
        gnB = zero;
      } else if (kind == 2) {
        // No positive in the group: its positive weight is +0, so the true positives, and the
        // precision sum (which would add +0), stay as they are, bit for bit.
        fpA = f64x2.add(fpA, gnA);
        fpB = f64x2.add(fpB, gnB);
        arA = f64x2.add(arA, f64x2.mul(gnA, f64x2.add(tpA, tpA)));
        arB = f64x2.add(arB, f64x2.mul(gnB, f64x2.add(tpB, tpB)));
        gpA = zero;
        gpB = zero;
        gnA = zero;
        gnB = zero;
      }
    }
    d += 32;
    w += 4;
  }
  store<v128>(sums, tpA);
  store<v128>(sums, fpA, 16);
  store<v128>(sums, arA, 32);
  store<v128>(sums, psA, 48);
  store<v128>(sums, llA, 64);
  store<v128>(sums, brA, 80);
  store<v128>(sums, tpB, 96);
  store<v128>(sums, fpB, 112);
  store<v128>(sums, arB, 128);
  store<v128>(sums, psB, 144);
  store<v128>(sums, llB, 160);
  store<v128>(sums, brB, 176);
}

/** Radix digits of 11 bits: six passes over a 64-bit key at most. */
const SORT_DIGIT_BITS: u64 = 11;
const SORT_DIGITS: i32 = 1 << <i32>SORT_DIGIT_BITS;

/**
 * metrics argsortFloat64 (an LSD radix sort, stable for ties) over the f64 values at `values`,
 * which it overwrites with their order-preserving keys: the row order that sorts them ascending,
 * at `order` or at `scratch` (u32 per row each; the returned pointer says which). `counts`: 2,048
 * u32. A pass whose digit is the same for every key is skipped. The same stable order of the
 * same keys is the same permutation, whatever the digit width.
 */
export function argsort(rows: i32, values: usize, order: usize, scratch: usize, counts: usize): usize {
  for (let i = 0; i < rows; i++) {
    const at = values + ((<usize>i) << 3);
    const bits = load<u64>(at);
    // Negative: flip every bit (larger magnitude sorts first); positive: set the sign bit.
    store<u64>(at, (bits >>> 63) != 0 ? ~bits : bits | 0x8000000000000000);
    store<u32>(order + ((<usize>i) << 2), <u32>i);
  }
  let from = order;
  let to = scratch;
  for (let shift: u64 = 0; shift < 64; shift += SORT_DIGIT_BITS) {
    memory.fill(counts, 0, <usize>SORT_DIGITS << 2);
    for (let i = 0; i < rows; i++) {
      const digit = <usize>((load<u64>(values + ((<usize>i) << 3)) >>> shift) & <u64>(SORT_DIGITS - 1));
      const slot = counts + (digit << 2);
      store<u32>(slot, load<u32>(slot) + 1);
    }
    const first = <usize>((load<u64>(values) >>> shift) & <u64>(SORT_DIGITS - 1));
    if (rows == 0 || load<u32>(counts + (first << 2)) == <u32>rows) continue;
    let position: u32 = 0;
    for (let digit = 0; digit < SORT_DIGITS; digit++) {
      const slot = counts + ((<usize>digit) << 2);
      const count = load<u32>(slot);
      store<u32>(slot, position);
      position += count;
    }
    for (let k = 0; k < rows; k++) {
      const row = load<u32>(from + ((<usize>k) << 2));
      const digit = <usize>((load<u64>(values + ((<usize>row) << 3)) >>> shift) & <u64>(SORT_DIGITS - 1));
      const slot = counts + (digit << 2);
      const target = load<u32>(slot);
      store<u32>(to + ((<usize>target) << 2), row);
      store<u32>(slot, target + 1);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}
