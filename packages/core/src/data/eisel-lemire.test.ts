import { describe, expect, it } from 'vitest';
import { eiselLemire as decide, powerOfTenMantissa } from './eisel-lemire.ts';

/** The decided double, or NaN where Eisel-Lemire leaves the number to its caller. */
function eiselLemire(high: number, low: number, exponent: number): number {
  const out = { value: 0 };
  return decide(high, low, exponent, out) ? out.value : Number.NaN;
}

/** Go's strconv table entries, as (low 64 bits, high 64 bits) in hex. */
const GO_TABLE: readonly [number, string, string][] = [
  [-348, '1732c869cd60e453', 'fa8fd5a0081c0288'],
  [-1, 'cccccccccccccccc', 'cccccccccccccccc'],
  [0, '0000000000000000', '8000000000000000'],
  [43, '6d9ccd05d0000000', 'e596b7b0c643c719'],
];

const MIN_NORMAL = 2.2250738585072014e-308;

function limbs(hex: string): number[] {
  return [Number.parseInt(hex.slice(8), 16), Number.parseInt(hex.slice(0, 8), 16)];
}

/** A seeded generator (mulberry32), so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('eiselLemire', () => {
  it.each(GO_TABLE)('builds the 128-bit mantissa of 10^%i as Go does', (exponent, low, high) => {
    expect(powerOfTenMantissa(exponent)).toEqual([...limbs(low), ...limbs(high)]);
  });

  it('equals parseFloat on 200,000 random 1- to 19-digit mantissas across the whole exponent range, and decides nearly all', () => {
    const next = random(42);
    let undecided = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const digits = 1 + Math.floor(next() * 19);
      let text = String(1 + Math.floor(next() * 9));
      for (let k = 1; k < digits; k++) text += String(Math.floor(next() * 10));
      const mantissa = BigInt(text);
      const exponent = Math.floor(next() * 640) - 330;
      const value = eiselLemire(Number(mantissa >> 32n), Number(mantissa & 0xffff_ffffn), exponent);
      const expected = Number.parseFloat(`${text}e${exponent}`);
      if (Number.isNaN(value)) {
        // Subnormals and overflow are left to parseFloat by design; anything else undecided is counted.
        if (expected >= MIN_NORMAL && expected < Number.POSITIVE_INFINITY) undecided++;
        continue;
      }
      if (!Object.is(value, expected)) mismatches.push(`${text}e${exponent}: ${value} vs ${expected}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // It leaves products that are exact or exactly halfway (20381.5, 2^53 + 1) to its caller:
    // Clinger's path takes most of those first. That is well under 1% of these numbers.
    expect(undecided / 200_000).toBeLessThan(0.005);
  });

  it('rounds exact halfway cases to even, or leaves them to parseFloat', () => {
    // 2^53 + 1 is halfway between two doubles: the even one, 2^53, is right.
    for (const text of ['9007199254740993', '9007199254740995', '18014398509481986', '18014398509481990']) {
      const mantissa = BigInt(text);
      const value = eiselLemire(Number(mantissa >> 32n), Number(mantissa & 0xffff_ffffn), 0);
      if (!Number.isNaN(value)) expect(value).toBe(Number.parseFloat(text));
    }
  });

  it('leaves zero, subnormals, overflow and exponents outside its table to the caller', () => {
    expect(eiselLemire(0, 0, 5)).toBeNaN();
    expect(eiselLemire(0, 5, -324)).toBeNaN();
    expect(eiselLemire(0, 1, 309)).toBeNaN();
    expect(eiselLemire(0, 1, -349)).toBeNaN();
    expect(eiselLemire(0, 1, 348)).toBeNaN();
  });
});
