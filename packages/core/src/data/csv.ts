import { CsvError, type Info, parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';
import { parseNumber, scanNumber, scanned, trimNumberText } from './numbers.ts';
import { type ColumnSource, type TableParts, typeColumn } from './table.ts';

/**
 * CSV with a header row: RFC 4180 quoting, LF or CRLF line ends, an optional UTF-8 BOM.
 *
 * The whole file is read into memory (fine up to a few hundred MB; readTable's caller holds
 * the model input as float32 anyway) and scanned byte by byte. Unquoted numeric cells go
 * straight from digits to a double (numbers.ts) without ever becoming strings, which is what
 * makes a 65 MB numeric file take a fraction of a second where splitting it into strings
 * with csv-parse takes seconds. Quoted fields ("New York, NY", "1.5", embedded newlines and
 * "" escapes) are handled in the same pass. Input that is not RFC 4180 (a stray quote inside
 * an unquoted field, text after a closing quote, an unclosed quote, old-Mac CR-only line
 * ends) restarts the whole file in csv-parse, which either reads it or says precisely what
 * is wrong.
 *
 * The table keeps the file's bytes: strings() of a number column (a numeric label, a slice)
 * re-reads its cells from them on first use, so that the source text survives without
 * keeping a string per cell that nothing may ask for.
 *
 * Blank lines are skipped, as pandas does; so a one-column file cannot hold an empty cell.
 * An empty header cell is named `Unnamed: <index>`, pandas' name for the index column that
 * `to_csv()` writes by default.
 */
export function readCsv(path: string, bytes: Buffer): TableParts {
  return scanCsv(path, bytes) ?? parseWithCsvParse(path, bytes);
}

/** An enum, not constants, so that esbuild inlines the bytes as literals (see numbers.ts). */
enum Byte {
  Comma = 0x2c,
  Lf = 0x0a,
  Cr = 0x0d,
  Quote = 0x22,
}
const BOM = [0xef, 0xbb, 0xbf] as const;

/** The field last read by {@link readField}: its text, the index just past it, the line ends inside it. */
interface Field {
  text: string;
  end: number;
  newlines: number;
}

/**
 * Reads one field that starts at `pos`. Returns false for input that is not RFC 4180, which
 * sends the whole file to csv-parse.
 */
function readField(bytes: Buffer, pos: number, field: Field): boolean {
  field.newlines = 0;
  if (bytes[pos] !== Byte.Quote) {
    let end = pos;
    for (;;) {
      const byte = bytes[end];
      if (byte === undefined || byte === Byte.Comma || byte === Byte.Lf) break;
      if (byte === Byte.Cr) {
        if (bytes[end + 1] !== Byte.Lf) return false;
        break;
      }
      if (byte === Byte.Quote) return false;
      end++;
    }
    field.text = bytes.toString('utf8', pos, end);
    field.end = end;
    return true;
  }
  let text = '';
  let from = pos + 1;
  for (;;) {
    const close = bytes.indexOf(Byte.Quote, from);
    if (close < 0) return false;
    text += bytes.toString('utf8', from, close);
    field.newlines += countNewlines(bytes, from, close);
    if (bytes[close + 1] === Byte.Quote) {
      text += '"';
      from = close + 2;
      continue;
    }
    const after = bytes[close + 1];
    if (
      after !== undefined &&
      after !== Byte.Comma &&
      after !== Byte.Lf &&
      !(after === Byte.Cr && bytes[close + 2] === Byte.Lf)
    ) {
      return false;
    }
    field.text = text;
    field.end = close + 1;
    return true;
  }
}

function countNewlines(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(Byte.Lf, from); at >= 0 && at < to; at = bytes.indexOf(Byte.Lf, at + 1))
    count++;
  return count;
}

/** The index just past the record end at `end` (a comma is not a record end). */
function afterRecordEnd(bytes: Buffer, end: number): number {
  const byte = bytes[end];
  if (byte === undefined) return end;
  return byte === Byte.Cr ? end + 2 : end + 1;
}

function isFieldEnd(bytes: Buffer, end: number): boolean {
  const byte = bytes[end];
  return (
    byte === Byte.Comma ||
    byte === Byte.Lf ||
    byte === undefined ||
    (byte === Byte.Cr && bytes[end + 1] === Byte.Lf)
  );
}

/** The fast path: one pass over the bytes. Returns undefined to hand the file to csv-parse. */
function scanCsv(path: string, bytes: Buffer): TableParts | undefined {
  const length = bytes.length;
  const field: Field = { text: '', end: 0, newlines: 0 };
  let pos = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
  let line = 1;

  // Header: the first line that is not blank.
  for (;;) {
    if (bytes[pos] === Byte.Lf) pos++;
    else if (bytes[pos] === Byte.Cr && bytes[pos + 1] === Byte.Lf) pos += 2;
    else break;
    line++;
  }
  if (pos >= length)
    throw new InputError(`${path} is empty`, { hint: 'expected a header row and data rows' });
  const header: string[] = [];
  for (;;) {
    if (!readField(bytes, pos, field)) return undefined;
    header.push(field.text);
    line += field.newlines;
    pos = field.end;
    if (bytes[pos] !== Byte.Comma) break;
    pos++;
  }
  pos = afterRecordEnd(bytes, pos);
  line++;
  const names = nameColumns(path, header);
  const width = names.length;

  // Upper bound on the row count, so that every column is one preallocated Float64Array.
  let capacity = 1;
  for (let at = bytes.indexOf(Byte.Lf, pos); at >= 0; at = bytes.indexOf(Byte.Lf, at + 1)) capacity++;
  const numbers: (Float64Array | undefined)[] = names.map(() => new Float64Array(capacity));
  const strings: (string[] | undefined)[] = names.map(() => undefined);
  // Where every cell starts, so that strings() can decode any column's text later in one pass.
  // 4 bytes a cell, half what its double takes; readFileSync stops at 2 GiB, so offsets fit.
  const cellStarts = new Uint32Array(capacity * width);

  let rows = 0;
  while (pos < length) {
    const first = bytes[pos];
    if (first === Byte.Lf || (first === Byte.Cr && bytes[pos + 1] === Byte.Lf)) {
      pos += first === Byte.Lf ? 1 : 2;
      line++;
      continue;
    }
    const rowStart = rows * width;
    const recordLine = line;
    for (let c = 0; c < width; c++) {
      cellStarts[rowStart + c] = pos;
      const values = numbers[c];
      let end = -1;
      if (values !== undefined) {
        const numberEnd = scanNumber(bytes, pos);
        if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
          values[rows] = scanned.value;
          end = numberEnd;
        }
      }
      if (end < 0) {
        if (!readField(bytes, pos, field)) return undefined;
        end = field.end;
        line += field.newlines;
        const value = values === undefined ? undefined : parseNumber(field.text);
        if (values !== undefined && value !== undefined) {
          values[rows] = value;
        } else {
          let cells = strings[c];
          if (cells === undefined) {
            // The first cell of this column that is not a number: recover the earlier cells as text.
            cells = columnText(bytes, cellStarts, width, rows, c);
            strings[c] = cells;
            numbers[c] = undefined;
          }
          cells.push(field.text);
        }
      }
      const next = bytes[end];
      if (c < width - 1) {
        if (next !== Byte.Comma) throw raggedRow(path, recordLine, c + 1, width);
        pos = end + 1;
      } else {
        if (next === Byte.Comma)
          throw raggedRow(path, recordLine, countFields(bytes, cellStarts[rowStart] as number), width);
        pos = afterRecordEnd(bytes, end);
        line++;
      }
    }
    rows++;
  }
  if (rows === 0) throw new InputError(`${path} has a header but no data rows`);

  const sources = names.map((_, c): ColumnSource => {
    const cells = strings[c];
    if (cells !== undefined) return { column: { kind: 'string', values: cells }, strings: () => cells };
    const values = (numbers[c] as Float64Array).subarray(0, rows);
    let text: string[] | undefined;
    return {
      column: { kind: 'number', values },
      strings: () => {
        text ??= columnText(bytes, cellStarts, width, rows, c).map(trimNumberText);
        return text;
      },
    };
  });
  return { rows, names, sources };
}

/** The text of column `c` in the first `rows` records, which are known to be well formed. */
function columnText(
  bytes: Buffer,
  cellStarts: Uint32Array,
  width: number,
  rows: number,
  c: number,
): string[] {
  const field: Field = { text: '', end: 0, newlines: 0 };
  const cells: string[] = new Array(rows);
  for (let row = 0; row < rows; row++) {
    readField(bytes, cellStarts[row * width + c] as number, field);
    cells[row] = field.text;
  }
  return cells;
}

function skipField(bytes: Buffer, pos: number): number {
  if (bytes[pos] === Byte.Quote) {
    let close = bytes.indexOf(Byte.Quote, pos + 1);
    while (bytes[close + 1] === Byte.Quote) close = bytes.indexOf(Byte.Quote, close + 2);
    return close + 1;
  }
  let end = pos;
  for (
    let byte = bytes[end];
    byte !== Byte.Comma && byte !== Byte.Lf && byte !== Byte.Cr && byte !== undefined;
    byte = bytes[end]
  ) {
    end++;
  }
  return end;
}

/** Counts the fields of the record at `pos`, for the message about a row with too many. */
function countFields(bytes: Buffer, pos: number): number {
  let count = 1;
  for (let end = skipField(bytes, pos); bytes[end] === Byte.Comma; end = skipField(bytes, end + 1)) count++;
  return count;
}

function raggedRow(path: string, line: number, fields: number, width: number): InputError {
  return new InputError(
    `${path} line ${line} has ${fields} field${fields === 1 ? '' : 's'}, expected ${width} (header)`,
    { hint: 'quote fields that contain commas, e.g. "New York, NY"' },
  );
}

function nameColumns(path: string, header: readonly string[]): string[] {
  const names = header.map((name, index) => (name === '' ? `Unnamed: ${index}` : name));
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new InputError(
        `${path}: the header names two columns '${name}' (columns ${earlier + 1} and ${index + 1})`,
        { hint: 'give every column a distinct name' },
      );
    }
    seen.set(name, index);
  });
  return names;
}

/** The slow path for input the scanner does not take: csv-parse, with its own line counting. */
function parseWithCsvParse(path: string, bytes: Buffer): TableParts {
  let records: { record: string[]; info: Info }[];
  try {
    // With `info: true` each record comes as { record, info }; the typings only know string[][].
    records = parse(bytes, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // A stray quote inside an unquoted field (5" screen) is kept as a character, as pandas does.
      relax_quotes: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new InputError(`${path} is not valid CSV: ${error.message}`, { cause: error });
  }
  const [header, ...body] = records;
  if (header === undefined)
    throw new InputError(`${path} is empty`, { hint: 'expected a header row and data rows' });
  const names = nameColumns(path, header.record);
  if (body.length === 0) throw new InputError(`${path} has a header but no data rows`);
  const width = names.length;
  const cells = names.map(() => new Array<string>(body.length));
  body.forEach(({ record, info }, row) => {
    if (record.length !== width) {
      // csv-parse counts the line where the record ends; report where it starts.
      const newlines = record.reduce((sum, cell) => sum + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
      throw raggedRow(path, info.lines - newlines, record.length, width);
    }
    record.forEach((cell, c) => {
      (cells[c] as string[])[row] = cell;
    });
  });
  return { rows: body.length, names, sources: cells.map(typeColumn) };
}
