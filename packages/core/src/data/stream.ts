/**
 * A data file read as a stream: the model input a batch at a time, in memory that does not grow
 * with the file, and of each row only the columns asked to be kept (the label, the slice keys).
 * CSV (csv-stream.ts) and NPY (npy-stream.ts) files stream; evaluate (evaluation/evaluate.ts)
 * scores a stream the same way whatever its format.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type ColumnSource, createTable, type FeatureRows, type FileFacts, type Table } from './table.ts';

/** The stream met something only the whole read words right: read the file whole instead. */
export class NotStreamable extends Error {}

export interface RowStream {
  readonly path: string;
  readonly bytes: number;
  /** Data rows (for CSV, records: blank lines are not records). */
  readonly rows: number;
  /** Hashed on another core while the stream is read, where a worker can start. */
  readonly sha256: Promise<string>;
  /** Column names, in file order. */
  readonly names: readonly string[];
  /**
   * The model input of `columns` for data rows [range.start, range.end) (default: all), read in
   * one forward pass as `copy` asks for rows in order, numbered from 0 at range.start. Single
   * rows in `again` may be asked for once more after the pass (the latency sample).
   */
  features(
    columns: readonly string[],
    again: readonly number[],
    range?: { start: number; end: number },
  ): FeatureRows;
  /** After the pass: the kept columns as a table of the rows streamed. */
  table(): Table;
  /** Stops what still runs for the stream (parse workers, an open file), if the pass ended early. */
  close(): void;
}

/** A stream's file, opened for reading; `close` closes it once, however often it is called. */
export function openOnce(path: string): { readonly fd: number; close(): void } {
  const fd = openSync(path, 'r');
  let open = true;
  return {
    fd,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * The rows `again` asks for once more after a stream's one forward pass (the latency sample),
 * kept aside as the pass writes them.
 */
export class AgainRows {
  private readonly saved: Map<number, Float32Array>;

  constructor(
    again: readonly number[],
    private readonly width: number,
  ) {
    this.saved = new Map(again.map((row) => [row, new Float32Array(width)]));
  }

  /** Keeps aside those of rows [start, end), just written to `into`, that are asked for again. */
  keep(start: number, end: number, into: Float32Array): void {
    for (let r = start; r < end; r++) {
      this.saved.get(r)?.set(into.subarray((r - start) * this.width, (r - start + 1) * this.width));
    }
  }

  /** Row `start` again (end is start + 1), into `into`. */
  copy(start: number, end: number, into: Float32Array): void {
    const saved = end === start + 1 ? this.saved.get(start) : undefined;
    if (saved === undefined) throw new Error(`bug: streamed rows ${start}-${end} asked out of order`);
    into.set(saved);
  }
}

/**
 * The end of a stream's pass, the same for every format: `table` makes the table of the kept
 * columns once every row was read, and `close` releases the file (or the parse workers) and,
 * when the pass ended before its table (the whole read takes over and hashes the file itself),
 * stops the hash worker too.
 */
export class PassEnd {
  private tabled = false;

  constructor(
    private readonly release: () => void,
    private readonly stopHashing: () => void,
  ) {}

  readonly close = (): void => {
    this.release();
    if (!this.tabled) this.stopHashing();
  };

  table(
    file: FileFacts,
    read: { parsed: number; count: number },
    names: readonly string[],
    sources: () => ColumnSource[],
  ): Table {
    const { parsed, count } = read;
    if (parsed !== count || count === 0)
      throw new Error(`bug: the stream's table asked for after ${parsed} of ${count} rows`);
    this.tabled = true;
    this.release();
    return createTable(file, { rows: count, names, sources: sources() });
  }
}

/** A window on a file read a chunk at a time: `buffer[pos, length)` is read and not yet used. */
export interface ReadWindow {
  buffer: Buffer;
  length: number;
  pos: number;
  /** Where in the file the next read starts. */
  offset: number;
  /** Whether the last read found the end of the file. */
  eof: boolean;
}

/**
 * Moves the unread bytes to the front of the window's buffer (into one twice as large when they
 * fill half of it: a line or record longer than the chunk) and reads more of the file after them.
 */
export function refillWindow(fd: number, window: ReadWindow): void {
  const rest = window.length - window.pos;
  if (rest >= window.buffer.length / 2) {
    const larger = Buffer.allocUnsafe(window.buffer.length * 2);
    window.buffer.copy(larger, 0, window.pos, window.length);
    window.buffer = larger;
  } else {
    window.buffer.copy(window.buffer, 0, window.pos, window.length);
  }
  window.length = rest;
  window.pos = 0;
  const read = readSync(
    fd,
    window.buffer,
    window.length,
    window.buffer.length - window.length,
    window.offset,
  );
  window.offset += read;
  window.length += read;
  if (read === 0) window.eof = true;
}
