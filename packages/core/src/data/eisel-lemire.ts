/**
 * The Eisel-Lemire algorithm: the correctly rounded double nearest to `mantissa × 10^exponent`
 * for a mantissa of up to 19 digits, or NaN in the rare cases it cannot decide (the caller
 * then asks parseFloat). It is what lets a CSV of pandas-written doubles, whose 17-digit
 * mantissas are past Clinger's exact 2^53, skip building a string and calling parseFloat for
 * about half of its cells.
 *
 * A port of Go's strconv.eiselLemire64 (https://nigeltao.github.io/blog/2020/eisel-lemire.html),
 * with 64-bit integers held as two uint32 halves in doubles, since JavaScript has no fast
 * 64-bit integer type (BigInt allocates).
 */

/** Constants of the arithmetic, as an enum so that esbuild inlines them (see numbers.ts). */
enum K {
  /** The powers of ten in the table: 10^-348 … 10^347, as in Go. */
  MinExponent = -348,
  MaxExponent = 347,
  Two16 = 65_536,
  Two32 = 4_294_967_296,
  Two53 = 9_007_199_254_740_992,
}

/**
 * 128-bit mantissas of 10^q, truncated, normalized so the top bit is set: four uint32 per
 * power, least significant first. Built with BigInt on first use (a few milliseconds).
 */
let powers: Uint32Array | undefined;

function buildPowers(): Uint32Array {
  const table = new Uint32Array((K.MaxExponent - K.MinExponent + 1) * 4);
  const mask = 0xffff_ffffn;
  for (let q = K.MinExponent; q <= K.MaxExponent; q++) {
    const power = 10n ** BigInt(Math.abs(q));
    const bits = power.toString(2).length;
    let mantissa: bigint;
    if (q >= 0) {
      mantissa = bits > 128 ? power >> BigInt(bits - 128) : power << BigInt(128 - bits);
    } else {
      // floor(2^(bits + 127) / 10^-q) lies in [2^127, 2^128): 10^-q is not a power of two.
      mantissa = (1n << BigInt(bits + 127)) / power;
    }
    const at = (q - K.MinExponent) * 4;
    for (let limb = 0; limb < 4; limb++) table[at + limb] = Number((mantissa >> BigInt(32 * limb)) & mask);
  }
  return table;
}

/** The high and low uint32 of the 64-bit product of two uint32 (exact: every step stays below 2^53). */
const product32 = new Float64Array(2);

function multiply32(a: number, b: number): void {
  const aLow = a & 0xffff;
  const aHigh = (a - aLow) / K.Two16;
  const low = aLow * b; // < 2^48
  const high = aHigh * b; // < 2^48, weight 2^16
  const highTop = Math.floor(high / K.Two16);
  const middle = (high - highTop * K.Two16) * K.Two16 + low; // < 2^49
  const middleTop = Math.floor(middle / K.Two32);
  product32[0] = highTop + middleTop;
  product32[1] = middle - middleTop * K.Two32;
}

/** The 128-bit product of two uint64 (high, low halves), as four uint32, least significant first. */
const product128 = new Float64Array(4);

function multiply64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
  multiply32(aLow, bLow);
  const p00High = product32[0] as number;
  product128[0] = product32[1] as number;
  multiply32(aLow, bHigh);
  const p01High = product32[0] as number;
  const p01Low = product32[1] as number;
  multiply32(aHigh, bLow);
  const p10High = product32[0] as number;
  const p10Low = product32[1] as number;
  multiply32(aHigh, bHigh);
  const p11High = product32[0] as number;
  const p11Low = product32[1] as number;
  const column1 = p00High + p01Low + p10Low; // < 3 · 2^32
  const carry1 = Math.floor(column1 / K.Two32);
  product128[1] = column1 - carry1 * K.Two32;
  const column2 = p01High + p10High + p11Low + carry1;
  const carry2 = Math.floor(column2 / K.Two32);
  product128[2] = column2 - carry2 * K.Two32;
  product128[3] = p11High + carry2;
}

/** Does the 64-bit sum (aHigh, aLow) + (bHigh, bLow) overflow? Go's `a+b < b`. */
function overflows(aHigh: number, aLow: number, bHigh: number, bLow: number): boolean {
  const carry = aLow + bLow >= K.Two32 ? 1 : 0;
  return aHigh + bHigh + carry >= K.Two32;
}

/** scales[e] = 2^(e - 1075): the weight of a 53-bit mantissa's last bit for biased exponent e. */
const scales = new Float64Array(0x7ff);
scales[1] = Number.MIN_VALUE; // 2^-1074
for (let e = 2; e < scales.length; e++) scales[e] = (scales[e - 1] as number) * 2;

/**
 * Stores in `out.value` the double nearest to (high · 2^32 + low) × 10^exponent, for a
 * non-zero 64-bit mantissa given as two uint32, and returns true; returns false when
 * undecided, subnormal, or out of range. (Stored, not returned: a double returned from a call
 * that is not inlined is boxed, and at millions of cells the garbage showed in the profile.)
 */
export function eiselLemire(high: number, low: number, exponent: number, out: { value: number }): boolean {
  if (exponent < K.MinExponent || exponent > K.MaxExponent || (high === 0 && low === 0)) return false;
  powers ??= buildPowers();
  const table = powers;

  // Normalization: shift the mantissa left until its top bit is set.
  const zeros = high !== 0 ? Math.clz32(high) : 32 + Math.clz32(low);
  let mHigh: number;
  let mLow: number;
  if (zeros >= 32) {
    mHigh = (low << (zeros - 32)) >>> 0;
    mLow = 0;
  } else if (zeros > 0) {
    mHigh = ((high << zeros) | (low >>> (32 - zeros))) >>> 0;
    mLow = (low << zeros) >>> 0;
  } else {
    mHigh = high;
    mLow = low;
  }
  // 217706 / 2^16 ≈ log2(10); the arithmetic shift floors like Go's.
  let exponent2 = ((217_706 * exponent) >> 16) + 64 + 1023 - zeros;

  // Multiplication by the high 64 bits of the power.
  const at = (exponent - K.MinExponent) * 4;
  multiply64(mHigh, mLow, table[at + 3] as number, table[at + 2] as number);
  let x0 = product128[0] as number;
  let x1 = product128[1] as number;
  let x2 = product128[2] as number;
  let x3 = product128[3] as number;

  // Wider approximation: bring in the low 64 bits of the power when the result is ambiguous.
  if ((x2 & 0x1ff) === 0x1ff && overflows(x1, x0, mHigh, mLow)) {
    multiply64(mHigh, mLow, table[at + 1] as number, table[at] as number);
    const y0 = product128[0] as number;
    const y1 = product128[1] as number;
    const y2 = product128[2] as number;
    const y3 = product128[3] as number;
    // (x3, x2, x1, x0) + (y3, y2) at the weight of (x1, x0).
    const sum0 = x0 + y2;
    const carry0 = sum0 >= K.Two32 ? 1 : 0;
    const sum1 = x1 + y3 + carry0;
    const carry1 = sum1 >= K.Two32 ? 1 : 0;
    const merged0 = sum0 - carry0 * K.Two32;
    const merged1 = sum1 - carry1 * K.Two32;
    let merged2 = x2 + carry1;
    let merged3 = x3;
    if (merged2 >= K.Two32) {
      merged2 -= K.Two32;
      merged3 += 1;
    }
    const mergedLowAllOnes = merged0 === K.Two32 - 1 && merged1 === K.Two32 - 1;
    if ((merged2 & 0x1ff) === 0x1ff && mergedLowAllOnes && overflows(y1, y0, mHigh, mLow)) return false;
    x0 = merged0;
    x1 = merged1;
    x2 = merged2;
    x3 = merged3;
  }

  // Shifting to 54 bits: r = (x3, x2) >> (msb + 9). r may need 54 bits, more than a double
  // holds exactly, so keep floor(r / 2) and r's low bits apart.
  const msb = x3 >>> 31;
  const rLowBits = (x2 >>> (msb + 9)) & 3;
  // Constant powers of two: a computed 2 ** k is a Math.pow call, and it cost more than the rest.
  const rHalf = msb === 1 ? x3 * 2_097_152 + Math.floor(x2 / 2048) : x3 * 4_194_304 + Math.floor(x2 / 1024);
  exponent2 -= 1 ^ msb;

  // Half-way ambiguity.
  if (x0 === 0 && x1 === 0 && (x2 & 0x1ff) === 0 && rLowBits === 1) return false;

  // From 54 to 53 bits: round half up; a carry into bit 53 moves the exponent.
  let mantissa = rHalf + (rLowBits & 1);
  if (mantissa >= K.Two53) {
    mantissa /= 2;
    exponent2 += 1;
  }
  // Subnormal (exponent2 ≤ 0) or infinite (≥ 0x7FF): leave those to parseFloat.
  if (exponent2 <= 0 || exponent2 >= 0x7ff) return false;
  // mantissa has bit 52 set, so scaling it by a power of two gives a normal double, exactly.
  out.value = mantissa * (scales[exponent2] as number);
  return true;
}

/** The first entries of Go's table, to check that this one is built the same way. */
export function powerOfTenMantissa(exponent: number): readonly number[] {
  powers ??= buildPowers();
  const at = (exponent - K.MinExponent) * 4;
  return Array.from(powers.subarray(at, at + 4));
}
