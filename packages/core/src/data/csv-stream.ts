/**
 * A CSV file read as a stream, in memory that does not grow with the file: what a large
 * evaluation needs (DESIGN.md "Growing past one machine").
 *
 * Two passes over the file, each a chunk at a time:
 * 1. hash it, count its records, and make sure the fast path can take it: no quote anywhere, no
 *    CR that does not end a line;
 * 2. parse the records in order, straight into the model's float32 input a batch at a time
 *    (`features().copy`), keeping of each row only the cells of the few columns asked for (the
 *    label and the slice keys), dictionary-coded.
 *
 * Anything unusual in pass 2 (a cell that is not a finite float32 number, a ragged row) throws
 * {@link NotStreamable}: the caller then reads the file whole, which words the error exactly as
 * it always has. So the stream only ever gives what the whole read gives, values included
 * (each equals `Math.fround(parseFloat(text))`).
 */

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { scanHeader } from './csv.ts';
import { afterRecordEnd, Byte, type Field, isFieldEnd, readField } from './csv-scan.ts';
import { parseNumber, scanNumber, scanned, trimNumberText } from './numbers.ts';
import {
  type DataWorker,
  digestFile,
  PARALLEL_MIN_BYTES,
  startWorker,
  workersAvailable,
} from './parallel.ts';
import { type ColumnSource, createTable, type FeatureRows, type Table } from './table.ts';

/** Bytes read at a time: big enough that a system call per chunk costs nothing, small beside any model. */
const CHUNK_BYTES = 8 << 20;

/** The stream met something only the whole read words right: read the file whole instead. */
export class NotStreamable extends Error {}

/** A text column kept while streaming: a code per row, and the distinct texts. */
class Dictionary {
  readonly codes: Int32Array;
  readonly texts: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(rows: number) {
    this.codes = new Int32Array(rows);
  }

  add(row: number, text: string): void {
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.texts.length;
      this.texts.push(text);
      this.index.set(text, code);
    }
    this.codes[row] = code;
  }

  /** The column as the whole read types it: numbers when every cell is one, else text. */
  source(): ColumnSource {
    const numbers = this.texts.map(parseNumber);
    const codes = this.codes;
    if (numbers.every((n) => n !== undefined)) {
      const values = Float64Array.from(codes, (code) => numbers[code] as number);
      const trimmed = this.texts.map(trimNumberText);
      let cells: string[] | undefined;
      return {
        column: { kind: 'number', values },
        strings: () => {
          cells ??= Array.from(codes, (code) => trimmed[code] as string);
          return cells;
        },
      };
    }
    const cells = Array.from(codes, (code) => this.texts[code] as string);
    return { column: { kind: 'string', values: cells }, strings: () => cells };
  }
}

export interface CsvStream {
  readonly path: string;
  readonly bytes: number;
  /** Data records (blank lines are not records). */
  readonly rows: number;
  /** Hashed on another core while the stream is read, where a worker can start. */
  readonly sha256: Promise<string>;
  /** Column names, in file order. */
  readonly names: readonly string[];
  /**
   * The model input of `columns` for data rows [range.start, range.end) (default: all), parsed
   * in one forward pass as `copy` asks for rows in order, numbered from 0 at range.start. Single
   * rows in `again` may be asked for once more after the pass (the latency sample).
   */
  features(
    columns: readonly string[],
    again: readonly number[],
    range?: { start: number; end: number },
  ): FeatureRows;
  /** After the pass: the kept columns as a table of the rows streamed. */
  table(): Table;
}

/**
 * Opens `path` for streaming, keeping the cells of `keep` (which must be columns of the file).
 * Undefined when the fast path cannot take the file: read it whole then.
 */
export function openCsvStream(path: string, keep: readonly string[]): CsvStream | undefined {
  const fd = openSync(path, 'r');
  let hashing: DataWorker | undefined;
  try {
    const size = fstatSync(fd).size;
    // A worker hashes the file on another core while this thread counts and parses it.
    hashing =
      size >= PARALLEL_MIN_BYTES && workersAvailable()
        ? startWorker({ path, size, digest: true })
        : undefined;
    const first = firstPass(fd, path, hashing === undefined);
    if (first === undefined || !keep.every((name) => first.names.includes(name))) {
      hashing?.stop();
      return undefined;
    }
    const sha256 =
      first.sha256 !== undefined
        ? Promise.resolve(first.sha256)
        : (hashing as DataWorker).digest.catch(() => {
            // A worker that failed leaves the digest to this thread.
            const again = openSync(path, 'r');
            try {
              return digestFile(again, size);
            } finally {
              closeSync(again);
            }
          });
    sha256.catch(() => undefined);
    return streamOf(path, size, { ...first, sha256 }, keep);
  } catch (error) {
    hashing?.stop();
    throw error;
  } finally {
    closeSync(fd);
  }
}

interface FirstPass {
  readonly names: string[];
  /** Byte offset of the first data record. */
  readonly start: number;
  readonly rows: number;
  /** Undefined when a worker hashes the file. */
  readonly sha256: string | undefined;
}

/** Pass 1: count records, check for quotes and lone CRs, and hash unless a worker does. Undefined: not for the stream. */
function firstPass(fd: number, path: string, digest: boolean): FirstPass | undefined {
  const hash = digest ? createHash('sha256') : undefined;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let header: { names: string[]; pos: number } | undefined;
  let lines = 0;
  let content = false;
  let pendingCr = false;
  let offset = 0;
  for (;;) {
    const read = readSync(fd, buffer, 0, CHUNK_BYTES, offset);
    if (read === 0) break;
    const bytes = buffer.subarray(0, read);
    hash?.update(bytes);
    if (header === undefined) {
      let found: ReturnType<typeof scanHeader>;
      try {
        found = scanHeader(path, bytes);
      } catch {
        return undefined;
      }
      if (found === undefined || found.pos >= read) return undefined;
      header = { names: found.names, pos: found.pos };
    }
    if (bytes.indexOf(Byte.Quote) >= 0) return undefined;
    if (pendingCr && bytes[0] !== Byte.Lf) return undefined;
    for (let cr = bytes.indexOf(Byte.Cr); cr >= 0; cr = bytes.indexOf(Byte.Cr, cr + 1)) {
      if (cr + 1 < read && bytes[cr + 1] !== Byte.Lf) return undefined;
    }
    pendingCr = bytes[read - 1] === Byte.Cr;
    let from = 0;
    for (let lf = bytes.indexOf(Byte.Lf); lf >= 0; lf = bytes.indexOf(Byte.Lf, lf + 1)) {
      if (content || hasContent(bytes, from, lf)) lines++;
      content = false;
      from = lf + 1;
    }
    content ||= hasContent(bytes, from, read);
    offset += read;
  }
  if (pendingCr || header === undefined) return undefined;
  if (content) lines++;
  // The header is the first line with content; blank lines before it are not counted either.
  const rows = lines - 1;
  return rows > 0 ? { names: header.names, start: header.pos, rows, sha256: hash?.digest('hex') } : undefined;
}

/** Whether bytes [from, to) of a line hold more than the CR of a CRLF. */
function hasContent(bytes: Buffer, from: number, to: number): boolean {
  return to - from > 1 || (to - from === 1 && bytes[from] !== Byte.Cr);
}

function streamOf(
  path: string,
  size: number,
  first: Omit<FirstPass, 'sha256'> & { sha256: Promise<string> },
  keep: readonly string[],
): CsvStream {
  const { names, rows } = first;
  const width = names.length;
  let kept: Dictionary[] = [];
  let count = 0;
  let parsed = 0;
  return {
    path,
    bytes: size,
    rows,
    sha256: first.sha256,
    names,
    features(columns, again, range = { start: 0, end: rows }) {
      count = range.end - range.start;
      kept = keep.map(() => new Dictionary(count));
      const slot = new Int32Array(width).fill(-1);
      columns.forEach((name, j) => {
        slot[names.indexOf(name)] = j;
      });
      const keptAt = new Int32Array(width).fill(-1);
      keep.forEach((name, k) => {
        keptAt[names.indexOf(name)] = k;
      });
      const featureWidth = columns.length;
      const stash = new Map<number, Float32Array>(again.map((row) => [row, new Float32Array(featureWidth)]));
      const reader = new ChunkReader(path, first.start);
      // A shard's rows start past the earlier shards': skip their records unread.
      for (let skipped = 0; skipped < range.start; skipped++) {
        const bytes = reader.record();
        const lf = bytes.indexOf(Byte.Lf, reader.pos);
        reader.pos = lf < 0 ? bytes.length : lf + 1;
      }
      const field: Field = { text: '', end: 0, newlines: 0 };
      return {
        rows: count,
        width: featureWidth,
        copy(start, end, into) {
          if (start !== parsed) {
            const saved = end === start + 1 ? stash.get(start) : undefined;
            if (saved === undefined) throw new Error(`bug: streamed rows ${start}-${end} asked out of order`);
            into.set(saved);
            return;
          }
          for (let r = start; r < end; r++) {
            const bytes = reader.record();
            let pos = reader.pos;
            const base = (r - start) * featureWidth;
            for (let c = 0; c < width; c++) {
              const j = slot[c] as number;
              const k = keptAt[c] as number;
              let cellEnd: number;
              if (k >= 0 || j >= 0) {
                let value: number | undefined;
                const numberEnd = k < 0 ? scanNumber(bytes, pos) : -1;
                if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
                  value = scanned.value;
                  cellEnd = numberEnd;
                } else {
                  readField(bytes, pos, field);
                  cellEnd = field.end;
                  if (k >= 0) (kept[k] as Dictionary).add(r, field.text);
                  if (j >= 0) value = parseNumber(field.text);
                }
                if (j >= 0) {
                  const single = Math.fround(value ?? Number.NaN);
                  if (!Number.isFinite(single))
                    throw new NotStreamable(`row ${r + 1}: a feature that is not a finite float32`);
                  into[base + j] = single;
                }
              } else {
                cellEnd = pos;
                for (;;) {
                  const byte = bytes[cellEnd];
                  if (byte === undefined || byte === Byte.Comma || byte === Byte.Lf || byte === Byte.Cr)
                    break;
                  cellEnd++;
                }
              }
              const next = bytes[cellEnd];
              if (c < width - 1) {
                if (next !== Byte.Comma) throw new NotStreamable(`row ${r + 1} is ragged`);
                pos = cellEnd + 1;
              } else {
                if (next === Byte.Comma) throw new NotStreamable(`row ${r + 1} is ragged`);
                pos = afterRecordEnd(bytes, cellEnd);
              }
            }
            reader.pos = pos;
            stash.get(r)?.set(into.subarray(base, base + featureWidth));
            parsed++;
          }
          if (parsed === count) reader.close();
        },
      };
    },
    table() {
      if (parsed !== count || count === 0)
        throw new Error(`bug: the stream's table asked for after ${parsed} of ${count} rows`);
      return createTable(
        { path, format: 'csv', sha256: first.sha256, bytes: size },
        { rows: count, names: keep, sources: kept.map((d) => d.source()) },
      );
    },
  };
}

/** The file a record at a time: `record()` makes sure one whole record starts at `pos`. */
class ChunkReader {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private length = 0;
  private offset: number;
  private eof = false;
  private fd: number | undefined;
  pos = 0;

  constructor(path: string, start: number) {
    this.fd = openSync(path, 'r');
    this.offset = start;
  }

  /** The bytes read so far (a view, renewed on each refill). */
  private view: Buffer = this.buffer.subarray(0, 0);
  /** The last line end in the view: a record starting at or before it is whole. */
  private lastLf = -1;

  /** The bytes read, with a whole record (blank lines skipped) at `pos`; past the end, a NotStreamable. */
  record(): Buffer {
    for (;;) {
      const bytes = this.view;
      // Blank lines are not records.
      while (
        bytes[this.pos] === Byte.Lf ||
        (bytes[this.pos] === Byte.Cr && bytes[this.pos + 1] === Byte.Lf)
      ) {
        this.pos += bytes[this.pos] === Byte.Lf ? 1 : 2;
      }
      if (this.pos <= this.lastLf || (this.eof && this.pos < this.length)) return bytes;
      if (this.eof) throw new NotStreamable('the file ended before its last record');
      this.refill();
    }
  }

  /** Moves the unread bytes to the front and reads more after them (a larger buffer for a huge record). */
  private refill(): void {
    const rest = this.length - this.pos;
    if (rest >= this.buffer.length / 2) {
      const larger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(larger, 0, this.pos, this.length);
      this.buffer = larger;
    } else {
      this.buffer.copy(this.buffer, 0, this.pos, this.length);
    }
    this.length = rest;
    this.pos = 0;
    if (this.fd === undefined) throw new Error('bug: read after close');
    const read = readSync(this.fd, this.buffer, this.length, this.buffer.length - this.length, this.offset);
    this.offset += read;
    this.length += read;
    if (read === 0) this.eof = true;
    this.view = this.buffer.subarray(0, this.length);
    this.lastLf = this.view.lastIndexOf(Byte.Lf);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
