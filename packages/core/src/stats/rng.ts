/**
 * The bootstrap's random numbers: xoshiro128** streams, one per (seed, purpose, resample).
 *
 * Why not pure-rand: its `xoroshiro128plus().next()` (the in-place API) measured 5.2 ns per
 * 32-bit output in the weight loop on the 2-core development machine, against 1.5 ns for this
 * generator with its state held in locals; drawing 200k Poisson weights × 1,000 resamples took
 * 860 ms with it and 330 ms with this. The state lives in four int32 locals inside the hot
 * loops, which V8 keeps in registers; a method call per number cannot.
 *
 * Every resample gets its own stream, derived from (seed, purpose, index) by hashing, so a
 * resample's weights do not depend on how resamples are split into batches or workers, and
 * the same seed gives the identical record.
 */

/** What a stream is for: separate purposes never share random numbers. */
export const StreamPurpose = {
  /** Multinomial cell counts of a confusion table. */
  Cells: 1,
  /** Poisson(1) weights of individual rows. */
  Rows: 2,
} as const;
export type StreamPurpose = (typeof StreamPurpose)[keyof typeof StreamPurpose];

/** Murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

const TWO_POW_32 = 4294967296;

/** A xoshiro128** generator (Blackman & Vigna), state in four int32 words. */
export class Xoshiro128 {
  s0: number;
  s1: number;
  s2: number;
  s3: number;

  private constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    // xoshiro's only bad state is all-zero; mixed words make it practically impossible, but be sure.
    this.s3 = (s0 | s1 | s2 | s3) === 0 ? 1 : s3;
  }

  /**
   * The stream of one resample.
   * @param seed any finite number; its integer part is used (all 53 bits of it)
   * @param purpose separates the streams of different uses of one seed
   * @param index the resample number
   */
  static stream(seed: number, purpose: StreamPurpose, index: number): Xoshiro128 {
    const integer = Math.trunc(seed);
    const lo = integer >>> 0;
    const hi = Math.floor(integer / TWO_POW_32) >>> 0;
    // A chain of bijective mixes: distinct (seed, purpose, index) give unrelated states.
    let h = mix32(lo ^ 0x9e3779b9);
    h = mix32(h ^ hi ^ 0x7f4a7c15);
    h = mix32(h ^ purpose);
    h = mix32(h ^ (index >>> 0));
    return Xoshiro128.fromWord(h);
  }

  private static fromWord(h: number): Xoshiro128 {
    return new Xoshiro128(
      mix32(h + 0x243f6a88),
      mix32(h + 0x85a308d3),
      mix32(h + 0x13198a2e),
      mix32(h + 0x03707344),
    );
  }

  /** A new generator whose stream is unrelated to this one's; this one advances by one step. */
  split(): Xoshiro128 {
    return Xoshiro128.fromWord(mix32(this.nextInt32() ^ 0x3c6ef372));
  }

  /** The next 32 random bits, as a signed int32. */
  nextInt32(): number {
    const s1 = this.s1;
    const t5 = Math.imul(s1, 5);
    const result = Math.imul((t5 << 7) | (t5 >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A uniform double in the open interval (0, 1), with 53 random bits. */
  nextOpenDouble(): number {
    const hi = this.nextInt32() >>> 5; // 27 bits
    const lo = this.nextInt32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }
}

// Poisson(1) by table look-up. Ten random bits index a table of 1,024 buckets: a bucket that
// lies wholly inside one value's share of the CDF gives that value directly; the 6 buckets
// that straddle a CDF step are refined with a fresh 53-bit uniform, so the weights follow
// Poisson(1) exactly (to double precision), not a 10-bit rounding of it. One 32-bit output
// feeds three weights; the refinement runs for 0.6% of them.
const BUCKET_BITS = 10;
const BUCKETS = 1 << BUCKET_BITS;
const BUCKET_MASK = BUCKETS - 1;
const STRADDLES = -1;

/** P(X <= k) for X ~ Poisson(1); beyond k = 18 it is 1 in double precision. */
const POISSON1_CDF: Float64Array = (() => {
  const cdf = new Float64Array(24);
  let pmf = Math.exp(-1);
  let sum = 0;
  for (let k = 0; k < cdf.length; k++) {
    sum += pmf;
    cdf[k] = sum;
    pmf /= k + 1;
  }
  cdf[cdf.length - 1] = Number.POSITIVE_INFINITY; // every u < 1 stops here at the latest
  return cdf;
})();

function poisson1FromUniform(u: number): number {
  let k = 0;
  while (u >= POISSON1_CDF[k]!) k++;
  return k;
}

const POISSON1_TABLE: Int8Array = (() => {
  const table = new Int8Array(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) {
    const low = poisson1FromUniform(i / BUCKETS);
    // The bucket is [i, i+1)/BUCKETS; it is pure when its last point has the same value.
    const high = poisson1FromUniform((i + 1) / BUCKETS - Number.EPSILON);
    table[i] = low === high ? low : STRADDLES;
  }
  return table;
})();

function refineBucket(rng: Xoshiro128, bucket: number): number {
  return poisson1FromUniform((bucket + rng.nextOpenDouble()) / BUCKETS);
}

// Positions and raw bits of the outputs that need refining, reused between calls (the fill
// is synchronous, so nothing else can be using them meanwhile).
let pendingAt = new Int32Array(1024);
let pendingBits = new Int32Array(1024);

/**
 * Fills `out` with independent Poisson(1) draws: the weights of the "Poisson bootstrap",
 * whose per-row counts approach the classic multinomial resample's as n grows.
 */
export function fillPoisson1(rng: Xoshiro128, out: Uint8Array): void {
  const table = POISSON1_TABLE;
  const n = out.length;
  const whole = n - (n % 3);
  if (pendingAt.length < whole / 3) {
    pendingAt = new Int32Array(whole / 3);
    pendingBits = new Int32Array(whole / 3);
  }
  const at = pendingAt;
  const bits = pendingBits;
  let pending = 0;
  // The generator is inlined with its state in locals (see the file comment for why).
  let s0 = rng.s0;
  let s1 = rng.s1;
  let s2 = rng.s2;
  let s3 = rng.s3;
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
    const a = table[r >>> 22]!;
    const b = table[(r >>> 12) & BUCKET_MASK]!;
    const c = table[(r >>> 2) & BUCKET_MASK]!;
    out[i] = a;
    out[i + 1] = b;
    out[i + 2] = c;
    // 1.8% of outputs straddle a step; they are refined after the loop, which keeps the
    // refinement code out of this loop (inlined into it, it cost 40% more time).
    if ((a | b | c) < 0) {
      at[pending] = i;
      bits[pending++] = r;
    }
  }
  rng.s0 = s0;
  rng.s1 = s1;
  rng.s2 = s2;
  rng.s3 = s3;
  for (let p = 0; p < pending; p++) {
    const i = at[p]!;
    const r = bits[p]!;
    for (let j = 0; j < 3; j++) {
      const bucket = (r >>> (22 - 10 * j)) & BUCKET_MASK;
      if (table[bucket] === STRADDLES) out[i + j] = refineBucket(rng, bucket);
    }
  }
  for (let i = whole; i < n; i++) {
    const bucket = rng.nextInt32() >>> 22;
    const w = table[bucket]!;
    out[i] = w === STRADDLES ? refineBucket(rng, bucket) : w;
  }
}
