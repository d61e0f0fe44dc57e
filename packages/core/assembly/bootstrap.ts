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

/**
 * hot.ts fillPoisson1: `n` Poisson(1) weights from the stream at `state`, weight i at
 * `out + i·stride`. `table`: 1,024 i8 (a bucket's value, −1 where it straddles a CDF step);
 * `pending`: scratch for 2 × ⌈n/3⌉ i32.
 */
function fillPoisson1(state: usize, out: usize, n: i32, stride: i32, table: usize, cdf: usize, pending: usize): void {
  const whole = n - (n % 3);
  const step = <usize>stride;
  let s0 = load<i32>(state);
  let s1 = load<i32>(state, 4);
  let s2 = load<i32>(state, 8);
  let s3 = load<i32>(state, 12);
  let count: usize = 0;
  let at = out;
  for (let i = 0; i < whole; i += 3) {
    const t5 = s1 * 5;
    const r = rotl<i32>(t5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<i32>(s3, 11);
    const a = load<i8>(table + <usize>(<u32>r >>> 22));
    const b = load<i8>(table + <usize>((<u32>r >>> 12) & 1023));
    const c = load<i8>(table + <usize>((<u32>r >>> 2) & 1023));
    store<u8>(at, <u8>a);
    store<u8>(at + step, <u8>b);
    store<u8>(at + 2 * step, <u8>c);
    at += 3 * step;
    if ((a | b | c) < 0) {
      store<i32>(pending + (count << 3), i);
      store<i32>(pending + (count << 3), r, 4);
      count++;
    }
  }
  store<i32>(state, s0);
  store<i32>(state, s1, 4);
  store<i32>(state, s2, 8);
  store<i32>(state, s3, 12);
  for (let p: usize = 0; p < count; p++) {
    const i = load<i32>(pending + (p << 3));
    const r = <u32>load<i32>(pending + (p << 3), 4);
    for (let j = 0; j < 3; j++) {
      const bucket = (r >>> (22 - 10 * j)) & 1023;
      if (load<i8>(table + <usize>bucket) == -1) {
        const u = (<f64>bucket + nextOpenDouble(state)) / 1024;
        store<u8>(out + <usize>(i + j) * step, poisson1FromUniform(u, cdf));
      }
    }
  }
  for (let i = whole; i < n; i++) {
    const bucket = <u32>nextInt32(state) >>> 22;
    const w = load<i8>(table + <usize>bucket);
    store<u8>(
      out + <usize>i * step,
      w == -1 ? poisson1FromUniform((<f64>bucket + nextOpenDouble(state)) / 1024, cdf) : <u8>w,
    );
  }
}

/**
 * Four resamples of hot.ts binaryKernel's sums. `states`: 4 × 4 i32, resample j's stream at
 * `states + 16·j`. `data`: per rank four f64: positive (1/0), the log-loss term, the Brier term,
 * and how the rank ends its tie group: 0 it does not, 1 it closes a group holding a positive,
 * 2 it closes a group of negatives only. `weights`: 4 u8 per rank (written here); `pending`:
 * scratch for 2 × ⌈rows/3⌉ i32. Writes at `sums`, for each of the four resamples, six f64:
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
  for (let j = 0; j < 4; j++) fillPoisson1(states + 16 * j, weights + j, rows, 4, table, cdf, pending);
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
    const y = v128.load64_splat(d);
    const l = v128.load64_splat(d, 8);
    const r = v128.load64_splat(d, 16);
    const kind = load<f64>(d, 24);
    const wi = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(w)));
    const wA = f64x2.convert_low_i32x4_u(wi);
    const wB = f64x2.convert_low_i32x4_u(v128.shuffle<i32>(wi, wi, 2, 3, 0, 1));
    const pA = f64x2.mul(wA, y);
    const pB = f64x2.mul(wB, y);
    gpA = f64x2.add(gpA, pA);
    gpB = f64x2.add(gpB, pB);
    gnA = f64x2.add(gnA, f64x2.sub(wA, pA));
    gnB = f64x2.add(gnB, f64x2.sub(wB, pB));
    llA = f64x2.add(llA, f64x2.mul(wA, l));
    llB = f64x2.add(llB, f64x2.mul(wB, l));
    brA = f64x2.add(brA, f64x2.mul(wA, r));
    brB = f64x2.add(brB, f64x2.mul(wB, r));
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
