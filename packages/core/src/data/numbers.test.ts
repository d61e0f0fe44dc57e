import { describe, expect, it } from 'vitest';
import { parseNumber, scanNumber, scanned } from './numbers.ts';

/** Scans `text` as a whole cell: the value, or undefined when the scanner stops before its end. */
function scanCell(text: string): number | undefined {
  const end = scanNumber(Buffer.from(text, 'latin1'), 0);
  return end === text.length ? scanned.value : undefined;
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

function digits(next: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(next() * 10));
  return out;
}

/** Decimal texts in the shapes data files hold, and the awkward ones they rarely do. */
function randomTexts(count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const magnitude = 10 ** Math.floor(next() * 40 - 20);
    const x = (next() * 2 - 1) * magnitude;
    switch (i % 10) {
      case 0:
        texts.push(String(x)); // shortest round trip: up to 17 significant digits
        break;
      case 1:
        texts.push(x.toFixed(Math.floor(next() * 12)));
        break;
      case 2:
        texts.push(x.toExponential(Math.floor(next() * 20)));
        break;
      case 3:
        texts.push(x.toPrecision(1 + Math.floor(next() * 21)));
        break;
      case 4:
        texts.push(String(Math.fround(x))); // what float32 data written by numpy looks like
        break;
      case 5: {
        // Raw digit strings with a dot anywhere, leading zeros, 1 to 30 digits, and sometimes trailing zeros.
        const body =
          digits(next, 1 + Math.floor(next() * 30)) + '0'.repeat(next() < 0.3 ? Math.floor(next() * 12) : 0);
        const dot = Math.floor(next() * (body.length + 1));
        texts.push(
          `${pick(['', '-', '+'])}${body.slice(0, dot)}.${body.slice(dot)}`.replace(/^([+-]?)\.$/, '$10'),
        );
        break;
      }
      case 6: {
        // Mantissas around 2^53, where the fast path must hand over.
        const mantissa = 2 ** 53 + Math.floor(next() * 2000) - 1000;
        texts.push(`${mantissa}${pick(['', 'e-5', 'e3', 'e-22', 'e22', 'e23'])}`);
        break;
      }
      case 7: {
        // Exponents across the whole double range, subnormals included.
        const exponent = Math.floor(next() * 660) - 345;
        texts.push(`${digits(next, 1 + Math.floor(next() * 19))}${pick(['e', 'E'])}${exponent}`);
        break;
      }
      case 8: {
        // Short mantissas with exponents on both sides of the exact powers of ten (|k| ≤ 22).
        const exponent = Math.floor(next() * 80) - 40;
        texts.push(`${pick(['', '-'])}${digits(next, 1 + Math.floor(next() * 15))}e${exponent}`);
        break;
      }
      default:
        texts.push(
          `${pick(['', '-'])}0.${'0'.repeat(Math.floor(next() * 30))}${digits(next, 1 + Math.floor(next() * 17))}`,
        );
    }
  }
  return texts;
}

describe('scanNumber', () => {
  const tricky = [
    '0',
    '-0',
    '+0',
    '0.0',
    '-0.0e10',
    '0.1',
    '0.2',
    '0.3',
    '1.',
    '.5',
    '-.5',
    '+3',
    '1E5',
    '1e+5',
    '1e-5',
    '1e-30',
    '1e22',
    '1e23',
    '12e30',
    '123456789012345678',
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '900719925474099.3e1',
    '90071992547409934e-1',
    '5e-324',
    '2.4703282292062327e-324',
    '2.4703282292062328e-324',
    '4.9406564584124654e-324',
    '2.2250738585072011e-308',
    '2.2250738585072014e-308',
    '1.7976931348623157e308',
    '1.7976931348623159e308',
    '1e309',
    '-1e400',
    '1e-400',
    '1e99999999999',
    '0.000000000000000000000000000001',
    '00000000000000000000000001.5',
    '3.14159265358979323846264338327950288',
    '0.1000000000000000055511151231257827',
    '8.98846567431158e307',
    '7.038531e-26',
    '1448997445238699',
    '4.35679706e-312',
    '-2.2250738585072012e-308',
    '123.456e-2',
    '1.e5',
    '1.500000000000000000e+00',
    '12345678901234567000',
    '123456789012345670000e-5',
    '9.999999999999999000',
    '100000000000000000000000',
    '1000000000000000000000000000000',
    '0.30000000000000000000000001',
  ];

  it.each(tricky)('reads %s bit for bit as parseFloat does', (text) => {
    expect(Object.is(scanCell(text), Number.parseFloat(text))).toBe(true);
  });

  it('agrees with parseFloat, bit for bit, on 200,000 random texts in many formats', () => {
    const texts = randomTexts(200_000, 20_240_601);
    const mismatches: string[] = [];
    for (const text of texts) {
      const value = scanCell(text);
      if (!Object.is(value, Number.parseFloat(text)))
        mismatches.push(`${text}: ${value} vs ${Number.parseFloat(text)}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('agrees with parseFloat on the shortest text of 100,000 random doubles of every magnitude', () => {
    const words = new Float64Array(2);
    const bits = new Uint32Array(words.buffer);
    const next = random(7);
    const mismatches: string[] = [];
    let checked = 0;
    while (checked < 100_000) {
      bits[0] = Math.floor(next() * 2 ** 32);
      bits[1] = Math.floor(next() * 2 ** 32);
      const x = words[0] as number;
      if (!Number.isFinite(x)) continue;
      const text = String(x);
      if (!Object.is(scanCell(text), x)) mismatches.push(text);
      checked++;
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('returns -1 when no number starts at the position', () => {
    for (const text of ['', '-', '+', '.', '-.', 'e5', 'abc', ',1', ' 1']) {
      expect(scanNumber(Buffer.from(text), 0)).toBe(-1);
    }
  });

  it('stops where the number stops, so the caller can reject trailing text', () => {
    expect(scanNumber(Buffer.from('12abc'), 0)).toBe(2);
    expect(scanNumber(Buffer.from('1e'), 0)).toBe(1);
    expect(scanNumber(Buffer.from('1e+'), 0)).toBe(1);
    expect(scanNumber(Buffer.from('1.5.2'), 0)).toBe(3);
    expect(scanNumber(Buffer.from('0x10'), 0)).toBe(1);
    expect(scanNumber(Buffer.from('7,8'), 0)).toBe(1);
    expect(scanNumber(Buffer.from('x,-2.5e3,'), 2)).toBe(8);
    expect(scanned.value).toBe(-2500);
  });
});

describe('parseNumber', () => {
  it('equals parseFloat on every decimal text', () => {
    for (const text of randomTexts(20_000, 99)) {
      expect(Object.is(parseNumber(text), Number.parseFloat(text))).toBe(true);
    }
  });

  it('reads nan, inf and infinity in any case, with a sign, as numpy and pandas write them', () => {
    expect(parseNumber('nan')).toBeNaN();
    expect(parseNumber('NaN')).toBeNaN();
    expect(parseNumber('-nan')).toBeNaN();
    expect(parseNumber('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseNumber('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseNumber('+Infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(parseNumber('-INFINITY')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('allows spaces and tabs around a number', () => {
    expect(parseNumber(' 1.5')).toBe(1.5);
    expect(parseNumber('2\t')).toBe(2);
    expect(parseNumber('  -inf  ')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses what parseFloat would half-read, and empty cells', () => {
    for (const text of [
      '',
      ' ',
      '12abc',
      '1e',
      '0x10',
      '1_000',
      '1,5',
      '--1',
      'NA',
      'null',
      'infinit',
      '.',
      'e3',
    ]) {
      expect(parseNumber(text)).toBeUndefined();
    }
  });
});
