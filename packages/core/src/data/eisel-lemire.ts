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

/** The powers of ten in the table: 10^-348 … 10^347, as in Go. */
const MIN_EXPONENT = -348;
const MAX_EXPONENT = 347;
const TWO_32 = 4_294_967_296;
const TWO_52 = 4_503_599_627_370_496;
const TWO_53 = 9_007_199_254_740_992;

/**
 * 128-bit mantissas of 10^q, truncated, normalized so the top bit is set: four uint32 per
 * power, least significant first. Built with BigInt on first use (a few milliseconds).
 */
let powers: Uint32Array | undefined;

function buildPowers(): Uint32Array {
  const table = new Uint32Array((MAX_EXPONENT - MIN_EXPONENT + 1) * 4);
  const mask = 0xffff_ffffn;
  for (let q = MIN_EXPONENT; q <= MAX_EXPONENT; q++) {
    const power = 10n ** BigInt(Math.abs(q));
    const bits = power.toString(2).length;
    let mantissa: bigint;
    if (q >= 0) {
      mantissa = bits > 128 ? power >> BigInt(bits - 128) : power << BigInt(128 - bits);
    } else {
      // floor(2^(bits + 127) / 10^-q) lies in [2^127, 2^128): 10^-q is not a power of two.
      mantissa = (1n << BigInt(bits + 127)) / power;
    }
    const at = (q - MIN_EXPONENT) * 4;
    for (let limb = 0; limb < 4; limb++) table[at + limb] = Number((mantissa >> BigInt(32 * limb)) & mask);
  }
  return table;
}

/** The high and low uint32 of the 64-bit product of two uint32 (exact: every step stays below 2^53). */
const product32 = new Float64Array(2);

function multiply32(a: number, b: number): void {
  const aLow = a & 0xffff;
  const aHigh = (a - aLow) / 65_536;
  const low = aLow * b; // < 2^48
  const high = aHigh * b; // < 2^48, weight 2^16
  const highTop = Math.floor(high / 65_536);
  const middle = (high - highTop * 65_536) * 65_536 + low; // < 2^49
  const middleTop = Math.floor(middle / TWO_32);
  product32[0] = highTop + middleTop;
  product32[1] = middle - middleTop * TWO_32;
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
  const carry1 = Math.floor(column1 / TWO_32);
  product128[1] = column1 - carry1 * TWO_32;
  const column2 = p01High + p10High + p11Low + carry1;
  const carry2 = Math.floor(column2 / TWO_32);
  product128[2] = column2 - carry2 * TWO_32;
  product128[3] = p11High + carry2;
}

/** Does the 64-bit sum (aHigh, aLow) + (bHigh, bLow) overflow? Go's `a+b < b`. */
function overflows(aHigh: number, aLow: number, bHigh: number, bLow: number): boolean {
  const carry = aLow + bLow >= TWO_32 ? 1 : 0;
  return aHigh + bHigh + carry >= TWO_32;
}

const bitsView = new DataView(new ArrayBuffer(8));

/**
 * The double nearest to (high · 2^32 + low) × 10^exponent, for a non-zero 64-bit mantissa
 * given as two uint32; NaN when undecided, subnormal, or out of range.
 */
export function eiselLemire(high: number, low: number, exponent: number): number {
  if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT || (high === 0 && low === 0)) return Number.NaN;
  powers ??= buildPowers();

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
  const at = (exponent - MIN_EXPONENT) * 4;
  multiply64(mHigh, mLow, powers[at + 3] as number, powers[at + 2] as number);
  let x0 = product128[0] as number;
  let x1 = product128[1] as number;
  let x2 = product128[2] as number;
  let x3 = product128[3] as number;

  // Wider approximation: bring in the low 64 bits of the power when the result is ambiguous.
  if ((x2 & 0x1ff) === 0x1ff && overflows(x1, x0, mHigh, mLow)) {
    multiply64(mHigh, mLow, powers[at + 1] as number, powers[at] as number);
    const y0 = product128[0] as number;
    const y1 = product128[1] as number;
    const y2 = product128[2] as number;
    const y3 = product128[3] as number;
    // (x3, x2, x1, x0) + (y3, y2) at the weight of (x1, x0).
    const sum0 = x0 + y2;
    const carry0 = sum0 >= TWO_32 ? 1 : 0;
    const sum1 = x1 + y3 + carry0;
    const carry1 = sum1 >= TWO_32 ? 1 : 0;
    const merged0 = sum0 - carry0 * TWO_32;
    const merged1 = sum1 - carry1 * TWO_32;
    let merged2 = x2 + carry1;
    let merged3 = x3;
    if (merged2 >= TWO_32) {
      merged2 -= TWO_32;
      merged3 += 1;
    }
    const mergedLowAllOnes = merged0 === TWO_32 - 1 && merged1 === TWO_32 - 1;
    if ((merged2 & 0x1ff) === 0x1ff && mergedLowAllOnes && overflows(y1, y0, mHigh, mLow)) return Number.NaN;
    x0 = merged0;
    x1 = merged1;
    x2 = merged2;
    x3 = merged3;
  }

  // Shifting to 54 bits: r = (x3, x2) >> (msb + 9). r may need 54 bits, more than a double
  // holds exactly, so keep floor(r / 2) and r's low bits apart.
  const msb = x3 >>> 31;
  const shift = msb + 9;
  const rLowBits = (x2 >>> shift) & 3;
  const rHalf = x3 * 2 ** (31 - shift) + Math.floor(x2 / 2 ** (shift + 1));
  exponent2 -= 1 ^ msb;

  // Half-way ambiguity.
  if (x0 === 0 && x1 === 0 && (x2 & 0x1ff) === 0 && rLowBits === 1) return Number.NaN;

  // From 54 to 53 bits: round half up; a carry into bit 53 moves the exponent.
  let mantissa = rHalf + (rLowBits & 1);
  if (mantissa >= TWO_53) {
    mantissa /= 2;
    exponent2 += 1;
  }
  // Subnormal (exponent2 ≤ 0) or infinite (≥ 0x7FF): leave those to parseFloat.
  if (exponent2 <= 0 || exponent2 >= 0x7ff) return Number.NaN;
  const fraction = mantissa - TWO_52;
  const fractionHigh = Math.floor(fraction / TWO_32);
  bitsView.setUint32(0, exponent2 * 0x10_0000 + fractionHigh);
  bitsView.setUint32(4, fraction - fractionHigh * TWO_32);
  return bitsView.getFloat64(0);
}

/** The first entries of Go's table, to check that this one is built the same way. */
export function powerOfTenMantissa(exponent: number): readonly number[] {
  powers ??= buildPowers();
  const at = (exponent - MIN_EXPONENT) * 4;
  return Array.from(powers.subarray(at, at + 4));
}
