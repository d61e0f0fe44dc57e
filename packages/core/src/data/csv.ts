import { closeSync, openSync } from 'node:fs';
import type { Info } from 'csv-parse/sync';
import { InputError } from '../kernel/errors.ts';
import {
  afterRecordEnd,
  BOM,
  Byte,
  columnText,
  type Field,
  type PartScan,
  readField,
  type ScannedRows,
  scanRecords,
} from './csv-scan.ts';
import { trimNumberText } from './numbers.ts';
import { type DataWorker, partStarts, readRange, startWorker, type WorkerJob } from './parallel.ts';
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
 * A large file is scanned in parts on every core ({@link readCsvInParts}); each part keeps its
 * own bytes, and the table is the same as from one piece: a column is text when any part has
 * text in it, and a ragged row is reported at its line in the whole file.
 *
 * Blank lines are skipped, as pandas does; so a one-column file cannot hold an empty cell.
 * An empty header cell is named `Unnamed: <index>`, pandas' name for the index column that
 * `to_csv()` writes by default.
 */
export async function readCsv(path: string, bytes: Buffer): Promise<TableParts> {
  const header = scanHeader(path, bytes);
  const scan = header && scanRecords(bytes, header.pos, bytes.length, header.names.length, header.line);
  return (
    (header && scan && mergeParts(path, header, [{ scan, bytes }])) ?? (await parseWithCsvParse(path, bytes))
  );
}

/**
 * Reads a large CSV file in `parts` parts, cut just past line ends: this thread reads and
 * scans the first while workers read and scan the others, and the first worker hashes the
 * file. Undefined when the file must be read in one piece: a quote anywhere (a cut may have
 * fallen inside a quoted field), or input the scanner does not take.
 */
export async function readCsvInParts(
  path: string,
  size: number,
  parts: number,
  start: (job: WorkerJob) => DataWorker = startWorker,
): Promise<{ parts: TableParts; sha256: Promise<string> } | undefined> {
  const fd = openSync(path, 'r');
  const workers: DataWorker[] = [];
  try {
    const starts = partStarts(fd, size, parts);
    const first = readRange(fd, 0, starts[0] ?? size);
    const header = scanHeader(path, first);
    if (header === undefined || starts.length === 0 || header.pos >= first.length) return undefined;
    const width = header.names.length;
    starts.forEach((from, k) => {
      workers.push(
        start({ path, size, part: { start: from, end: starts[k + 1] ?? size, width }, digest: k === 0 }),
      );
    });
    const scans = [{ scan: scanRecords(first, header.pos, first.length, width, header.line), bytes: first }];
    let quoted = first.indexOf(Byte.Quote, header.pos) >= 0;
    for (const worker of workers) {
      const part = await worker.part;
      quoted ||= part.quoted;
      scans.push(part);
    }
    const merged = quoted ? undefined : mergeParts(path, header, scans);
    if (merged !== undefined) return { parts: merged, sha256: (workers[0] as DataWorker).digest };
  } catch (error) {
    for (const worker of workers) worker.stop();
    throw error;
  } finally {
    closeSync(fd);
  }
  for (const worker of workers) worker.stop();
  return undefined;
}

/** The header of a CSV file: its column names, and where the first record starts. */
export interface Header {
  readonly names: string[];
  readonly pos: number;
  readonly line: number;
}

/** Reads the header: the first line that is not blank. Undefined to hand the file to csv-parse. */
export function scanHeader(path: string, bytes: Buffer): Header | undefined {
  const length = bytes.length;
  const field: Field = { text: '', end: 0, newlines: 0 };
  let pos = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
  let line = 1;
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
  return { names: nameColumns(path, header), pos: afterRecordEnd(bytes, pos), line: line + 1 };
}

/**
 * The table from the scans of consecutive parts of the file. Line numbers in a later part
 * count from its first line, so the lines before it are added. Undefined to hand the whole
 * file to csv-parse.
 */
function mergeParts(
  path: string,
  header: Header,
  scans: ReadonlyArray<{ scan: PartScan; bytes: Buffer }>,
): TableParts | undefined {
  const width = header.names.length;
  const parts: PartRows[] = [];
  let lineOffset = 0;
  for (const { scan, bytes } of scans) {
    if (scan.kind === 'not-rfc4180') return undefined;
    if (scan.kind === 'ragged') throw raggedRow(path, lineOffset + scan.line, scan.fields, width);
    parts.push({ scan, bytes });
    lineOffset += scan.nextLine;
  }
  const rows = parts.reduce((sum, part) => sum + part.scan.rows, 0);
  if (rows === 0) throw new InputError(`${path} has a header but no data rows`);
  return {
    rows,
    names: header.names,
    sources: header.names.map((_, c) => mergeColumn(parts, c, width, rows)),
  };
}

/** The records of one part, and the bytes its cell starts index into. */
interface PartRows {
  readonly scan: ScannedRows;
  readonly bytes: Buffer;
}

/** One column of the whole file from its parts: numbers when it is numbers in every part. */
function mergeColumn(parts: readonly PartRows[], c: number, width: number, rows: number): ColumnSource {
  const text = () =>
    parts.flatMap(
      ({ scan, bytes }) => scan.strings[c] ?? columnText(bytes, scan.cellStarts, width, scan.rows, c),
    );
  const numbers = parts.map(({ scan }) => scan.numbers[c]);
  if (!numbers.every((values) => values !== undefined)) {
    const cells = text();
    return { column: { kind: 'string', values: cells }, strings: () => cells };
  }
  let values = numbers[0] as Float64Array;
  if (numbers.length > 1) {
    values = new Float64Array(rows);
    let at = 0;
    for (const part of numbers as Float64Array[]) {
      values.set(part, at);
      at += part.length;
    }
  }
  let cells: string[] | undefined;
  return {
    column: { kind: 'number', values },
    strings: () => {
      cells ??= text().map(trimNumberText);
      return cells;
    },
  };
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
async function parseWithCsvParse(path: string, bytes: Buffer): Promise<TableParts> {
  // Loaded on first use: the scanner reads most files without it.
  const { CsvError, parse } = await import('csv-parse/sync');
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
