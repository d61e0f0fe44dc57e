import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { tempFiles } from './__fixtures__/temp-files.ts';
import { readTable, type Table } from './index.ts';

const files = tempFiles();

async function readCsvText(content: string | Uint8Array, name = 'data.csv'): Promise<Table> {
  return readTable(files.write(name, content));
}

/** The InputError that reading `content` throws. */
async function csvError(content: string, name = 'bad.csv'): Promise<InputError> {
  const error = await readCsvText(content, name).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

function numbers(table: Table, name: string): number[] {
  const column = table.column(name);
  if (column.kind !== 'number') throw new Error(`${name} is not a number column`);
  return [...column.values];
}

describe('reading CSV', () => {
  it('reads numeric and text columns in file order, numbers exactly as parseFloat reads them', async () => {
    const table = await readCsvText('x1,x2,region\n0.1,-2e-3,north\n1.5,7,south east\n');
    expect(table.format).toBe('csv');
    expect(table.columns).toEqual(['x1', 'x2', 'region']);
    expect(table.rows).toBe(2);
    expect(numbers(table, 'x1')).toEqual([0.1, 1.5]);
    expect(numbers(table, 'x2')).toEqual([-0.002, 7]);
    expect(table.column('region')).toEqual({ kind: 'string', values: ['north', 'south east'] });
  });

  it('names the file, its size and its sha256', async () => {
    const content = 'a,b\n1,2\n';
    const path = files.write('facts.csv', content);
    const table = await readTable(path);
    expect(table.path).toBe(path);
    expect(table.bytes).toBe(content.length);
    expect(await table.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('reads CRLF line ends, a UTF-8 BOM, and a last line without a newline alike', async () => {
    const expected = await readCsvText('a,b\n1,x\n2,y\n');
    for (const content of [
      'a,b\r\n1,x\r\n2,y\r\n',
      '\ufeffa,b\n1,x\n2,y\n',
      'a,b\n1,x\n2,y',
      'a,b\r\n1,x\r\n2,y',
    ]) {
      const table = await readCsvText(content);
      expect(table.columns).toEqual(['a', 'b']);
      expect(table.column('a')).toEqual(expected.column('a'));
      expect(table.column('b')).toEqual(expected.column('b'));
    }
  });

  it('skips blank lines, as pandas does', async () => {
    const table = await readCsvText('\na,b\n\n1,2\r\n\r\n3,4\n\n\n');
    expect(numbers(table, 'a')).toEqual([1, 3]);
    expect(numbers(table, 'b')).toEqual([2, 4]);
  });

  it('reads quoted fields with commas, newlines and escaped quotes', async () => {
    const table = await readCsvText(
      'id,"city, state",note\n1,"New York, NY","said ""hi""\nthen left"\n2,Boston,""\n3,"",plain\n',
    );
    expect(table.columns).toEqual(['id', 'city, state', 'note']);
    expect(table.strings('city, state')).toEqual(['New York, NY', 'Boston', '']);
    expect(table.strings('note')).toEqual(['said "hi"\nthen left', '', 'plain']);
    expect(numbers(table, 'id')).toEqual([1, 2, 3]);
  });

  it('reads quoted numbers as numbers', async () => {
    const table = await readCsvText('x,y\n"1.5",2\n"-3e2","4"\n');
    expect(numbers(table, 'x')).toEqual([1.5, -300]);
    expect(numbers(table, 'y')).toEqual([2, 4]);
    expect(table.strings('x')).toEqual(['1.5', '-3e2']);
  });

  it('reads nan, inf and -inf as numbers, and spaces around numbers', async () => {
    const table = await readCsvText('x\nnan\ninf\n-inf\n 2.5 \nNaN\n');
    const values = numbers(table, 'x');
    expect(values[0]).toBeNaN();
    expect(values.slice(1, 4)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2.5]);
    expect(values[4]).toBeNaN();
  });

  it('keeps numbers spelled as in the file for strings(): labels and slices', async () => {
    const table = await readCsvText('label,x\n1.0,0.50\n2,1e3\n-0,"7"\n');
    expect(table.column('label').kind).toBe('number');
    expect(table.strings('label')).toEqual(['1.0', '2', '-0']);
    expect(table.strings('x')).toEqual(['0.50', '1e3', '7']);
  });

  it('makes a column text when any cell is not a number, keeping every earlier cell as written', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${i % 7}.50,${i}`);
    const table = await readCsvText(`code,n\n${lines.join('\n')}\nA12,1000\n`);
    const code = table.column('code');
    expect(code.kind).toBe('string');
    expect(code.values[0]).toBe('0.50');
    expect(code.values[999]).toBe('5.50');
    expect(code.values[1000]).toBe('A12');
    expect(table.column('n').kind).toBe('number');
  });

  it('makes a column with an empty cell text, as a missing value is not a number', async () => {
    const table = await readCsvText('x,y\n1,\n2,3\n');
    expect(table.column('y')).toEqual({ kind: 'string', values: ['', '3'] });
  });

  it('names empty header cells "Unnamed: <index>", like pandas does for the index column', async () => {
    const table = await readCsvText(',x\n0,1.5\n1,2.5\n');
    expect(table.columns).toEqual(['Unnamed: 0', 'x']);
  });

  it('reads a text-only single-column file', async () => {
    const table = await readCsvText('label\ncat\ndog\n');
    expect(table.column('label')).toEqual({ kind: 'string', values: ['cat', 'dog'] });
  });

  it('reads UTF-8 text', async () => {
    const table = await readCsvText('名前,x\nÅsa,1\n"🐍, py",2\n');
    expect(table.strings('名前')).toEqual(['Åsa', '🐍, py']);
  });
});

describe('the model input matrix', () => {
  it('is row-major float32 equal to Math.fround(parseFloat(text)) for every cell', async () => {
    const texts = [
      // The largest double that rounds to float32's largest value, not to ∞ (the next one is out of range).
      ['0.1', '16777217', '3.4028235677973362e38', '1e-46'],
      ['-7.000000000000001', '0.30000000000000004', '1.401298464324817e-45', '123456789.123456789'],
    ];
    const table = await readCsvText(`a,b,c,d\n${texts.map((row) => row.join(',')).join('\n')}\n`);
    const matrix = table.matrix(['a', 'b', 'c', 'd']);
    expect(matrix).toBeInstanceOf(Float32Array);
    expect([...matrix]).toEqual(texts.flat().map((text) => Math.fround(Number.parseFloat(text))));
    const over = await readCsvText('a\n3.4028235677973366e38\n');
    expect(() => over.matrix(['a'])).toThrow(
      `${over.path}: column 'a' row 1 is '3.4028235677973366e38', beyond float32's range (±3.4e38), the type the model takes`,
    );
  });

  it('takes the columns in the order asked for', async () => {
    const table = await readCsvText('a,b,c\n1,2,3\n4,5,6\n');
    expect([...table.matrix(['c', 'a'])]).toEqual([3, 1, 6, 4]);
  });

  it('names the file, column and row of a cell that is not a number', async () => {
    const rows = Array.from({ length: 11 }, (_, i) => `${i},${i}`);
    const table = await readCsvText(`x1,x3\n${rows.join('\n')}\n11,abc\n12,13\n`, 'features.csv');
    expect(() => table.matrix(['x1', 'x3'])).toThrow(InputError);
    expect(() => table.matrix(['x1', 'x3'])).toThrow(
      `${table.path}: column 'x3' row 12 is 'abc', expected a number`,
    );
  });

  it('names an empty cell as empty and says how to fill it', async () => {
    const table = await readCsvText('x\n1\n""\n', 'gap.csv');
    let error: unknown;
    try {
      table.matrix(['x']);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${table.path}: column 'x' row 2 is empty, expected a number`);
    expect((error as InputError).hint).toMatch(/na_rep/);
  });
});

describe('input the fast scanner hands to csv-parse', () => {
  it('reads old Mac CR-only line ends', async () => {
    const table = await readCsvText('a,b\r1,x\r2,y\r');
    expect(numbers(table, 'a')).toEqual([1, 2]);
    expect(table.strings('b')).toEqual(['x', 'y']);
  });

  it('keeps a stray quote inside an unquoted field as a character', async () => {
    const table = await readCsvText('size,screen\n1,5" wide\n2,7" wide\n');
    expect(table.strings('screen')).toEqual(['5" wide', '7" wide']);
    expect(numbers(table, 'size')).toEqual([1, 2]);
  });

  it('says what is wrong with an unclosed quote, keeping csv-parse error as the cause', async () => {
    const error = await csvError('a,b\n1,"open\n2,3\n', 'unclosed.csv');
    expect(error.message).toMatch(/unclosed\.csv is not valid CSV: Quote Not Closed/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a ragged row by the line it starts on', async () => {
    const error = await csvError('a,b\r1,2\r3\r', 'ragged-cr.csv');
    expect(error.message).toMatch(/ragged-cr\.csv line 3 has 1 field, expected 2 \(header\)$/);
  });

  it('agrees with csv-parse on 300 random files of quoted, unquoted, numeric and text cells', async () => {
    let seed = 12_345;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const cellTexts = [
      '',
      'a',
      'x y',
      'a,b',
      'say "hi"',
      'line\nbreak',
      'crlf\r\nbreak',
      'ünï',
      '-0.5',
      '1e3',
      '.5',
      'nan',
    ];
    for (let file = 0; file < 300; file++) {
      const width = 1 + Math.floor(next() * 4);
      const rows = 1 + Math.floor(next() * 6);
      const eol = next() < 0.5 ? '\n' : '\r\n';
      const numeric = Array.from({ length: width }, () => next() < 0.5);
      const record = (cells: string[]): string =>
        cells
          .map((cell) => (next() < 0.3 || /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell))
          .join(',');
      const header = Array.from({ length: width }, (_, j) => `c${j}`);
      const body = Array.from({ length: rows }, () =>
        Array.from({ length: width }, (_, j) =>
          numeric[j]
            ? String((next() - 0.5) * 10 ** Math.floor(next() * 10))
            : (cellTexts[Math.floor(next() * cellTexts.length)] as string),
        ),
      );
      // A one-column row with an empty cell would be a blank line, which both readers skip.
      if (width === 1) for (const row of body) if (row[0] === '') row[0] = 'z';
      const content = [header, ...body].map(record).join(eol) + (next() < 0.5 ? eol : '');
      const table = await readCsvText(content, `random-${file}.csv`);
      const expected = parse(content, { skip_empty_lines: true }) as string[][];
      expect(table.columns).toEqual(expected[0]);
      expect(table.rows).toBe(expected.length - 1);
      header.forEach((name, j) => {
        const cells = expected.slice(1).map((row) => row[j] as string);
        const column = table.column(name);
        if (column.kind === 'number') {
          expect([...column.values]).toEqual(cells.map((cell) => Number.parseFloat(cell)));
        } else {
          expect(column.values).toEqual(cells);
        }
      });
    }
  });
});

describe('bad CSV input', () => {
  it('refuses an empty file', async () => {
    expect((await csvError('', 'empty.csv')).message).toMatch(/empty\.csv is empty$/);
    expect((await csvError('\ufeff\n\n', 'blank.csv')).message).toMatch(/blank\.csv is empty$/);
  });

  it('refuses a header with no data rows', async () => {
    const error = await csvError('a,b,c\n', 'header-only.csv');
    expect(error.message).toMatch(/header-only\.csv has a header but no data rows$/);
  });

  it('names the line of a row with too few fields', async () => {
    const rows = Array.from({ length: 15 }, (_, i) => `${i},${i},${i},${i},${i},${i}`);
    const error = await csvError(`a,b,c,d,e,f\n${rows.join('\n')}\n1,2,3,4,5\n`, 'short.csv');
    expect(error.message).toMatch(/short\.csv line 17 has 5 fields, expected 6 \(header\)$/);
  });

  it('names the line of a row with too many fields, counting lines inside quotes', async () => {
    const error = await csvError('a,b\n"multi\nline",1\n\n1,2,3\n', 'long.csv');
    expect(error.message).toMatch(/long\.csv line 5 has 3 fields, expected 2 \(header\)$/);
  });

  it('refuses two columns with the same name', async () => {
    const error = await csvError('x,y,x\n1,2,3\n', 'dupes.csv');
    expect(error.message).toMatch(/dupes\.csv: the header names two columns 'x' \(columns 1 and 3\)$/);
  });

  it('names the file and the column asked for, with a did-you-mean hint', async () => {
    const table = await readCsvText('label,x1\n1,2\n', 'hint.csv');
    let error: unknown;
    try {
      table.column('lable');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${table.path} has no column 'lable'`);
    expect((error as InputError).hint).toBe("did you mean 'label'?");
    expect(() => table.strings('zzzzzz')).toThrow(/has no column 'zzzzzz'/);
  });
});
