/**
 * A data file read as a stream: the model input a batch at a time, in memory that does not grow
 * with the file, and of each row only the columns asked to be kept (the label, the slice keys).
 * CSV (csv-stream.ts) and NPY (npy-stream.ts) files stream; evaluate (evaluation/evaluate.ts)
 * scores a stream the same way whatever its format.
 */
import { closeSync, openSync } from 'node:fs';
import type { FeatureRows, Table } from './table.ts';

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
