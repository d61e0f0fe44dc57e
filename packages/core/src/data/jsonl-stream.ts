/**
 * A JSON Lines file read as a stream (DESIGN.md "Growing past one machine"): a first pass counts
 * the lines with content, and takes the columns from the first object; the second parses each
 * line as the model needs it, straight into the model input, keeping of each row only the cells
 * of the kept columns (the label, the slice keys), typed at the end by the whole read's own rule
 * (jsonl.ts toSource). Memory is a chunk of the file and a few bytes per row.
 *
 * The whole read's columns are the union of every line's keys, and a column is numbers only when
 * every line gives it a number; the stream takes the file when every line has the first line's
 * keys and every feature is a finite number. Any other line (other keys, a feature that is text
 * or null, a nested value, a line that is not an object, invalid JSON) hands the file to the
 * whole read, which gives the same record or words the error as it always has.
 */
import { fstatSync, readSync } from 'node:fs';
import { type Cell, toCell, toSource } from './jsonl.ts';
import { hashAside } from './parallel.ts';
import {
  AgainRows,
  NotStreamable,
  openOnce,
  PassEnd,
  type ReadWindow,
  type RowStream,
  refillWindow,
} from './stream.ts';

/** Bytes read at a time (as the CSV stream reads). */
const CHUNK_BYTES = 1 << 20;
const LF = 0x0a;

/** The lines of the file, in order: `next()` gives each line's bytes [start, end) in `bytes`, blank or not. */
class LineReader implements ReadWindow {
  buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  length = 0;
  offset: number;
  eof = false;
  /** Where the next line starts in the buffer. */
  pos = 0;
  start = 0;
  end = 0;

  constructor(
    private readonly fd: number,
    from: number,
  ) {
    this.offset = from;
  }

  get bytes(): Buffer {
    return this.buffer;
  }

  /** The next line (without its LF), or false at the end of the file. */
  next(): boolean {
    for (;;) {
      const lf = this.buffer.indexOf(LF, this.pos);
      if (lf >= 0 && lf < this.length) {
        this.start = this.pos;
        this.end = lf;
        this.pos = lf + 1;
        return true;
      }
      if (this.eof) {
        if (this.pos >= this.length) return false;
        this.start = this.pos;
        this.end = this.length;
        this.pos = this.length;
        return true;
      }
      this.refill();
    }
  }

  /** Moves the unread bytes to the front and reads more after them (a larger buffer for a longer line). */
  private refill(): void {
    refillWindow(this.fd, this);
  }
}

/** Whether bytes [start, end) hold only ASCII white space (a blank line, which is not a row). */
function blank(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0b && byte !== 0x0c) return false;
  }
  return true;
}

/** Where the text starts: past a UTF-8 byte order mark, if any (the whole read drops it too). */
function textStart(fd: number): number {
  const head = Buffer.alloc(3);
  const read = readSync(fd, head, 0, 3, 0);
  return read === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
}

/** A line as the object it holds, or undefined when it is not one (the whole read words it). */
function objectOf(bytes: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8', start, end));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Opens `path` for streaming, keeping the cells of `keep` (which must be columns of the file).
 * Undefined when the stream cannot take the file: read it whole then.
 */
export function openJsonlStream(path: string, keep: readonly string[]): RowStream | undefined {
  const { fd, close } = openOnce(path);
  let hashing: ReturnType<typeof hashAside> | undefined;
  try {
    const size = fstatSync(fd).size;
    // The worker hashes the file while this thread counts its lines.
    hashing = hashAside(path, size);
    const from = textStart(fd);
    // The first pass: the lines with content, and the first object's keys.
    const lines = new LineReader(fd, from);
    let rows = 0;
    let names: string[] | undefined;
    while (lines.next()) {
      if (blank(lines.bytes, lines.start, lines.end)) continue;
      if (names === undefined) {
        const first = objectOf(lines.bytes, lines.start, lines.end);
        if (first === undefined) break;
        names = Object.keys(first);
      }
      rows++;
    }
    if (names === undefined || rows === 0 || !keep.every((name) => names?.includes(name))) {
      hashing?.stop();
      close();
      return undefined;
    }
    return streamOf({
      path,
      size,
      fd,
      from,
      rows,
      names,
      keep,
      sha256: hashing.sha256,
      close,
      stopHashing: hashing.stop,
    });
  } catch (error) {
    hashing?.stop();
    close();
    throw error;
  }
}

interface Opened {
  readonly path: string;
  readonly size: number;
  readonly fd: number;
  /** Where the text starts (past a byte order mark). */
  readonly from: number;
  readonly rows: number;
  readonly names: readonly string[];
  readonly keep: readonly string[];
  readonly sha256: Promise<string>;
  readonly close: () => void;
  /** Stops the hash worker (a pass that ended early: the whole read hashes the file itself). */
  readonly stopHashing: () => void;
}

function streamOf(opened: Opened): RowStream {
  const { path, size, fd, from, rows, names, keep, sha256, close } = opened;
  let kept: Cell[][] = [];
  let count = 0;
  let parsed = 0;
  const end = new PassEnd(close, opened.stopHashing);
  return {
    path,
    bytes: size,
    rows,
    sha256,
    names,
    features(columns, again, range = { start: 0, end: rows }) {
      count = range.end - range.start;
      kept = keep.map(() => new Array<Cell>(count));
      const width = columns.length;
      const stash = new AgainRows(again, width);
      const lines = new LineReader(fd, from);
      let lineNumber = 0;
      /** The next row's object, numbered in the file (1-based) as the whole read numbers lines. */
      const nextRow = (): Record<string, unknown> => {
        for (;;) {
          if (!lines.next())
            throw new NotStreamable('the file ended before its last row: it changed while being read');
          lineNumber++;
          if (blank(lines.bytes, lines.start, lines.end)) continue;
          const row = objectOf(lines.bytes, lines.start, lines.end);
          if (row === undefined) throw new NotStreamable(`line ${lineNumber} is not a JSON object`);
          return row;
        }
      };
      for (let skipped = 0; skipped < range.start; skipped++) nextRow();
      return {
        rows: count,
        width,
        copy(start, end, into) {
          if (start !== parsed) return stash.copy(start, end, into);
          for (let r = start, k = 0; r < end; r++) {
            const row = nextRow();
            let keys = 0;
            for (const key in row) {
              keys++;
              // Every cell must be one the whole read takes: no nested value in any column.
              toCell(path, lineNumber, key, row[key]);
            }
            if (keys !== names.length || !names.every((name) => name in row)) {
              throw new NotStreamable(`line ${lineNumber} has other keys than the first line`);
            }
            for (let j = 0; j < width; j++, k++) {
              const value = row[columns[j] as string];
              if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) {
                throw new NotStreamable(`line ${lineNumber}: '${columns[j]}' is not a finite float32 number`);
              }
              into[k] = value;
            }
            for (let c = 0; c < keep.length; c++) {
              const name = keep[c] as string;
              (kept[c] as Cell[])[r] = toCell(path, lineNumber, name, row[name]);
            }
          }
          stash.keep(start, end, into);
          parsed = end;
        },
      };
    },
    close: end.close,
    table: () =>
      end.table({ path, format: 'jsonl', sha256, bytes: size }, { parsed, count }, keep, () =>
        kept.map((cells) => toSource(cells)),
      ),
  };
}
