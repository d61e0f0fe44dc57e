// The stream's fast path (parseRecord in csv-stream.ts) reads short decimals on the spot; every
// other cell goes through scanNumber. Either way a feature must be Math.fround(parseFloat(text)),
// bit for bit (-0 included), and the kept columns' texts must be the cells as written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from '../kernel/testing.ts';
import { openCsvStream } from './csv-stream.ts';

/** A linear congruential generator: reproducible cells, uniform enough for digits and signs. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const EDGES = [
  '0',
  '-0',
  '-0.0',
  '+0',
  '5.',
  '.5',
  '-.5',
  '+.5',
  '007',
  '-007.250',
  '1e3',
  '-2.5E-3',
  ' 1.5',
  '1.5 ',
  '123456789012345',
  '1234567890123456',
  '0.000000000000001',
  '0.0000000000000001',
  '9007199254740993',
  '3.4028234e38',
  '-1.17549435e-38',
  '1.401298464324817e-45',
  '0.1',
  '0.3',
  '16777217',
  '16777216.5',
  '2.5000000000000001',
  '12345678.9',
  '99999999999999.9',
  '1.00000005960464477',
];

describe('the stream reads each feature as Math.fround(parseFloat(text))', () => {
  it('for edge cases and random decimals of 1 to 18 digits', () => {
    const random = rng(7);
    const width = 6;
    const rows: string[][] = [];
    for (let r = 0; r < 4000; r++) {
      const cells = Array.from({ length: width }, (_, c) => {
        if (r < EDGES.length && c === 0) return EDGES[r] as string;
        const digits = 1 + Math.floor(random() * 18);
        let text = '';
        for (let i = 0; i < digits; i++) text += String(Math.floor(random() * 10));
        const dot = Math.floor(random() * (digits + 2));
        if (dot <= digits && random() < 0.8) text = `${text.slice(0, dot)}.${text.slice(dot)}`;
        if (text === '.') text = '0.';
        const sign = random();
        return sign < 0.3 ? `-${text}` : sign < 0.35 ? `+${text}` : text;
      });
      rows.push(cells);
    }
    const names = Array.from({ length: width }, (_, c) => `x${c}`);
    const dir = scratch('modelgate-csv-stream-');
    const path = join(dir, 'numbers.csv');
    const lines = rows.map((cells, r) => `${cells.join(',')},${r % 3 === 0 ? 'yes' : 'no'}`);
    // CRLF line ends on some lines, and no line end after the last.
    writeFileSync(
      path,
      `${names.join(',')},y\n${lines.map((l, r) => (r % 7 === 0 ? `${l}\r` : l)).join('\n')}`,
    );
    const stream = openCsvStream(path, ['y']);
    expect(stream).toBeDefined();
    const input = stream?.features(names, []);
    const into = new Float32Array(rows.length * width);
    for (let start = 0; start < rows.length; start += 1000) {
      const end = Math.min(rows.length, start + 1000);
      input?.copy(start, end, into.subarray(start * width, end * width));
    }
    rows.forEach((cells, r) => {
      cells.forEach((text, c) => {
        const expected = Math.fround(Number.parseFloat(text));
        const got = into[r * width + c] as number;
        if (!Object.is(got, expected)) expect({ text, got }).toEqual({ text, got: expected });
      });
    });
    const table = stream?.table();
    expect(table?.strings('y').slice(0, 4)).toEqual(['yes', 'no', 'no', 'yes']);
  });
});
