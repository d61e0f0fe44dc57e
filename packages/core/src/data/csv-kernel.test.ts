// The WebAssembly record parser (assembly/csv.ts) must read what csv-stream.ts's parseRecord
// reads, bit for bit, and stop before every record that parseRecord words or reads another way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from '../kernel/testing.ts';
import { recordKernel } from './csv-kernel.ts';
import { openCsvStream } from './csv-stream.ts';

const POWERS = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);

/** A kernel for `width` columns: every column a feature but those in `kept` (kept column k at file column kept[k]). */
function kernelFor(width: number, kept: number[] = [], featureOfKept = false) {
  const slot = new Int32Array(width).fill(-1);
  const keptAt = new Int32Array(width).fill(-1);
  let j = 0;
  for (let c = 0; c < width; c++) {
    const k = kept.indexOf(c);
    if (k >= 0) keptAt[c] = k;
    if (k < 0 || featureOfKept) slot[c] = j++;
  }
  const kernel = recordKernel(slot, keptAt, kept.length, j, 1 << 16, POWERS);
  if (kernel === undefined) throw new Error('no kernel');
  return { kernel, featureWidth: j };
}

/** Writes `text` into the kernel's read buffer and runs it over all of it. */
function run(kernel: ReturnType<typeof kernelFor>['kernel'], text: string, max = 1000) {
  const length = kernel.chunk.write(text, 0, 'latin1');
  const lastLf = kernel.chunk.subarray(0, length).lastIndexOf(10);
  const records = kernel.run(0, lastLf, max);
  return { records, pos: kernel.pos(), stopped: kernel.stopped() };
}

describe('the CSV record kernel', () => {
  it('reads short decimals as Math.fround(parseFloat(text)), -0 included, and skips blank lines', () => {
    const { kernel } = kernelFor(3);
    const cells = [
      '0',
      '-0',
      '+0',
      '5.',
      '.5',
      '-.5',
      '007',
      '-007.250',
      '0.1',
      '0.3',
      '16777217',
      '16777216.5',
    ];
    cells.push('123456789012345', '0.00000000000001', '99999999999999.9', '12345678.9', '-3.25', '1.5');
    const lines: string[] = [];
    for (let i = 0; i < cells.length; i += 3) lines.push(cells.slice(i, i + 3).join(','));
    const text = `\n${lines.slice(0, 2).join('\r\n')}\r\n\r\n\n${lines.slice(2).join('\n')}\n`;
    const result = run(kernel, text);
    expect(result).toEqual({ records: cells.length / 3, pos: text.length, stopped: false });
    cells.forEach((cell, k) => {
      expect(Object.is(kernel.features[k], Math.fround(Number.parseFloat(cell)))).toBe(true);
    });
  });

  it.each([
    ['an exponent', '1,2,3\n4,5e1,6\n'],
    ['16 digits', '1,2,3\n4,1234567890123456,6\n'],
    ['an empty feature', '1,2,3\n4,,6\n'],
    ['a space', '1,2,3\n4, 5,6\n'],
    ['nan', '1,2,3\n4,nan,6\n'],
    ['a field too many', '1,2,3\n4,5,6,7\n'],
    ['a field too few', '1,2,3\n4,5\n'],
    ['a lone CR', '1,2,3\n4,5,6\r7\n'],
  ])('stops before a record with %s, past the records before it', (_, text) => {
    const { kernel } = kernelFor(3);
    expect(run(kernel, text)).toEqual({ records: 1, pos: 6, stopped: true });
    expect(Array.from(kernel.features.subarray(0, 3))).toEqual([1, 2, 3]);
  });

  it('stops at the last whole line, and after max records', () => {
    const { kernel } = kernelFor(2);
    expect(run(kernel, '1,2\n3,4\n5,6')).toEqual({ records: 2, pos: 8, stopped: false });
    expect(run(kernel, '1,2\n3,4\n5,6\n', 2)).toEqual({ records: 2, pos: 8, stopped: false });
  });

  it('gives the byte ranges of kept cells, and skips columns neither kept nor features', () => {
    const slot = Int32Array.from([0, -1, -1, 1]);
    const keptAt = Int32Array.from([-1, -1, 0, -1]);
    const kernel = recordKernel(slot, keptAt, 1, 2, 1 << 16, POWERS);
    if (kernel === undefined) throw new Error('no kernel');
    const text = '1.5,skip me,yes,2\n-2,x,,3\n';
    expect(run(kernel, text)).toEqual({ records: 2, pos: text.length, stopped: false });
    expect(Array.from(kernel.features.subarray(0, 4))).toEqual([1.5, 2, -2, 3]);
    const spans = Array.from(kernel.spans.subarray(0, 4));
    expect([text.slice(spans[0], spans[1]), text.slice(spans[2], spans[3])]).toEqual(['yes', '']);
  });
});

describe('a stream read through the kernel', () => {
  const dir = scratch('modelgate-csv-kernel-');

  /** Streams every row of `path` with `columns` as features, keeping `keep`. */
  function stream(path: string, columns: string[], keep: string[]) {
    const opened = openCsvStream(path, keep);
    if (opened === undefined) throw new Error('not streamable');
    const input = opened.features(columns, []);
    const into = new Float32Array(input.rows * columns.length);
    for (let start = 0; start < input.rows; start += 700) {
      const end = Math.min(input.rows, start + 700);
      input.copy(start, end, into.subarray(start * columns.length, end * columns.length));
    }
    return { into, table: keep.length > 0 ? opened.table() : undefined };
  }

  it('reads a kept column that is a feature too: its values and its texts', () => {
    const path = join(dir, 'kept-feature.csv');
    const rows = Array.from({ length: 3000 }, (_, r) => [`${r % 5}.5`, `${(r * 7) % 11}`, r % 2 ? 'a' : 'b']);
    writeFileSync(path, `x,region,y\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const { into, table } = stream(path, ['x', 'region'], ['region', 'y']);
    rows.forEach((cells, r) => {
      expect([into[2 * r], into[2 * r + 1]]).toEqual([Number(cells[0]), Number(cells[1])]);
    });
    expect(table?.strings('region').slice(0, 3)).toEqual(['0', '7', '3']);
    expect(table?.strings('y').slice(0, 3)).toEqual(['b', 'a', 'b']);
  });

  it('reads a file the kernel keeps stopping at (every cell an exponent) as parseFloat does', () => {
    const path = join(dir, 'exponents.csv');
    const rows = Array.from({ length: 5000 }, (_, r) => [`${r}e-3`, `${r % 3 ? r : '1.5'}`, `-${r}.25E1`]);
    writeFileSync(path, `a,b,c\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const { into } = stream(path, ['a', 'b', 'c'], []);
    rows.forEach((cells, r) => {
      cells.forEach((cell, c) => {
        expect(Object.is(into[3 * r + c], Math.fround(Number.parseFloat(cell)))).toBe(true);
      });
    });
  });

  it('reads a record longer than half the read buffer, and the plain records after it', () => {
    const path = join(dir, 'long.csv');
    const long = 'z'.repeat(700_000);
    const rows = Array.from({ length: 4000 }, (_, r) => [`${r}.5`, r === 1500 ? long : `t${r % 4}`]);
    writeFileSync(path, `x,note\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const { into, table } = stream(path, ['x'], ['note']);
    rows.forEach((cells, r) => {
      expect(into[r]).toBe(Number(cells[0]));
    });
    expect(table?.strings('note')[1500]).toBe(long);
    expect(table?.strings('note')[3999]).toBe('t3');
  });
});
