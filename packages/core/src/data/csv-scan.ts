/**
 * The byte-level CSV scanner behind readCsv (csv.ts), in a module of its own so that a worker
 * thread can run it on part of a file (worker.ts, parallel.ts) without loading csv-parse.
 *
 * A part is a run of whole records: {@link scanRecords} reads the records between two byte
 * positions into one Float64Array per numeric column, keeping where each cell starts so that
 * the text of any column can be decoded later. It throws nothing: a row with the wrong number
 * of fields, or input that is not RFC 4180, comes back as a result, and the caller words the
 * error with the file's name and the absolute line.
 */
import { parseNumber, scanNumber, scanned } from './numbers.ts';

/** An enum, not constants, so that esbuild inlines the bytes as literals (see numbers.ts). */
export enum Byte {
  Comma = 0x2c,
  Lf = 0x0a,
  Cr = 0x0d,
  Quote = 0x22,
}
export const BOM = [0xef, 0xbb, 0xbf] as const;

/** The field last read by {@link readField}: its text, the index just past it, the line ends inside it. */
export interface Field {
  text: string;
  end: number;
  newlines: number;
}

/**
 * Reads one field that starts at `pos`. Returns false for input that is not RFC 4180, which
 * sends the whole file to csv-parse.
 */
export function readField(bytes: Buffer, pos: number, field: Field): boolean {
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
export function afterRecordEnd(bytes: Buffer, end: number): number {
  const byte = bytes[end];
  if (byte === undefined) return end;
  return byte === Byte.Cr ? end + 2 : end + 1;
}

export function isFieldEnd(bytes: Buffer, end: number): boolean {
  const byte = bytes[end];
  return (
    byte === Byte.Comma ||
    byte === Byte.Lf ||
    byte === undefined ||
    (byte === Byte.Cr && bytes[end + 1] === Byte.Lf)
  );
}

/** The records of one part, column by column. */
export interface ScannedRows {
  readonly kind: 'rows';
  readonly rows: number;
  /** The line number just past the part's last record (counting from the part's first line). */
  readonly nextLine: number;
  /** Per column: its numbers, or undefined when a cell of the column in this part is not a number. */
  readonly numbers: ReadonlyArray<Float64Array | undefined>;
  /** Per column: its cells as text, for the columns that are not numbers in this part. */
  readonly strings: ReadonlyArray<string[] | undefined>;
  /** Where every cell starts, row-major, as indexes into the bytes the part was scanned from. */
  readonly cellStarts: Uint32Array;
}

/** A part that has a record with too few or too many fields. */
export interface RaggedRow {
  readonly kind: 'ragged';
  readonly line: number;
  readonly fields: number;
}

/** Input this scanner does not take (see csv.ts): the whole file goes to csv-parse. */
export interface NotRfc4180 {
  readonly kind: 'not-rfc4180';
}

export type PartScan = ScannedRows | RaggedRow | NotRfc4180;

/**
 * Reads the records in `bytes[pos, end)`, each `width` fields wide; blank lines are skipped.
 * `firstLine` is the line number of `pos`, for the line of a ragged row.
 */
export function scanRecords(
  bytes: Buffer,
  pos: number,
  end: number,
  width: number,
  firstLine: number,
): PartScan {
  const field: Field = { text: '', end: 0, newlines: 0 };
  let line = firstLine;
  // Upper bound on the row count, so that every column is one preallocated Float64Array.
  let capacity = 1;
  for (let at = bytes.indexOf(Byte.Lf, pos); at >= 0 && at < end; at = bytes.indexOf(Byte.Lf, at + 1))
    capacity++;
  const numbers: (Float64Array | undefined)[] = Array.from(
    { length: width },
    () => new Float64Array(capacity),
  );
  const strings: (string[] | undefined)[] = Array.from({ length: width }, () => undefined);
  // 4 bytes a cell, half what its double takes; readFileSync stops at 2 GiB, so offsets fit.
  const cellStarts = new Uint32Array(capacity * width);

  let rows = 0;
  while (pos < end) {
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
      let cellEnd = -1;
      if (values !== undefined) {
        const numberEnd = scanNumber(bytes, pos);
        if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
          values[rows] = scanned.value;
          cellEnd = numberEnd;
        }
      }
      if (cellEnd < 0) {
        if (!readField(bytes, pos, field)) return { kind: 'not-rfc4180' };
        cellEnd = field.end;
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
      const next = bytes[cellEnd];
      if (c < width - 1) {
        if (next !== Byte.Comma) return { kind: 'ragged', line: recordLine, fields: c + 1 };
        pos = cellEnd + 1;
      } else {
        if (next === Byte.Comma)
          return {
            kind: 'ragged',
            line: recordLine,
            fields: countFields(bytes, cellStarts[rowStart] as number),
          };
        pos = afterRecordEnd(bytes, cellEnd);
        line++;
      }
    }
    rows++;
  }
  return {
    kind: 'rows',
    rows,
    nextLine: line,
    numbers: numbers.map((values) => values?.subarray(0, rows)),
    strings,
    cellStarts: cellStarts.subarray(0, rows * width),
  };
}

/** The text of column `c` in the first `rows` records, which are known to be well formed. */
export function columnText(
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
export function countFields(bytes: Buffer, pos: number): number {
  let count = 1;
  for (let end = skipField(bytes, pos); bytes[end] === Byte.Comma; end = skipField(bytes, end + 1)) count++;
  return count;
}
