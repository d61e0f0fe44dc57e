/**
 * A data file read as a stream: the model input a batch at a time, in memory that does not grow
 * with the file, and of each row only the columns asked to be kept (the label, the slice keys).
 * CSV (csv-stream.ts) and NPY (npy-stream.ts) files stream; evaluate (evaluation/evaluate.ts)
 * scores a stream the same way whatever its format.
 */
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
