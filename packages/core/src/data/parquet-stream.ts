/**
 * A Parquet file read as a stream, a row group at a time (DESIGN.md "Growing past one machine"):
 * the features of the row group that holds the next batch are decoded, copied into the model
 * input batch by batch, and dropped for the next group; of each row only the kept columns' cells
 * (the label, the slice keys) stay, typed at the end by the whole read's own rule
 * (parquet.ts toSource). A shard decodes only the row groups that hold its rows; a worker hashes
 * the file. Memory is one row group's features, whatever the number of groups.
 *
 * A feature cell the whole read would not give as a finite float32 (a null, text, a boolean, an
 * integer beyond 2^53, NaN) hands the file to the whole read, which words the error as always;
 * so does a file whose footer or schema the stream cannot take. Values are the whole read's.
 */
import { fstatSync, readSync } from 'node:fs';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { hashAside } from './parallel.ts';
import { parquetCellNumber, toSource } from './parquet.ts';
import { AgainRows, NotStreamable, openOnce, PassEnd, type RowStream } from './stream.ts';
import type { FeatureRows } from './table.ts';

/** The footer and the columns of a flat Parquet file; undefined when the stream cannot take it. */
function footerOf(
  fd: number,
  size: number,
  parse: (bytes: ArrayBuffer) => FileMetaData,
): FileMetaData | undefined {
  if (size < 12) return undefined;
  try {
    const tail = new Uint8Array(8);
    readSync(fd, tail, 0, 8, size - 8);
    const view = new DataView(tail.buffer);
    if (view.getUint32(4, true) !== 0x31524150) return undefined;
    const length = view.getUint32(0, true);
    if (length + 8 > size) return undefined;
    const footer = new ArrayBuffer(length + 8);
    readSync(fd, new Uint8Array(footer), 0, length + 8, size - length - 8);
    return parse(footer);
  } catch {
    // Unreadable, or not a footer hyparquet parses: the whole read words it.
    return undefined;
  }
}

/** The file as hyparquet reads it: slices read on demand. */
function fileBuffer(fd: number, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new ArrayBuffer(end - start);
      const view = new Uint8Array(bytes);
      for (let done = 0; done < view.length; ) {
        const got = readSync(fd, view, done, view.length - done, start + done);
        if (got === 0)
          return Promise.reject(new NotStreamable('the file ended early: it changed while being read'));
        done += got;
      }
      return Promise.resolve(bytes);
    },
  };
}

/**
 * Opens `path` for streaming, keeping the cells of `keep` (which must be columns of the file).
 * Undefined when the stream cannot take the file: read it whole then.
 */
export async function openParquetStream(
  path: string,
  keep: readonly string[],
): Promise<RowStream | undefined> {
  // Loaded on first use, as the whole read loads them.
  const [hyparquet, { compressors }] = await Promise.all([
    import('hyparquet'),
    import('hyparquet-compressors'),
  ]);
  const { fd, close } = openOnce(path);
  try {
    const size = fstatSync(fd).size;
    const metadata = footerOf(fd, size, (bytes) => hyparquet.parquetMetadata(bytes));
    let top: ReturnType<typeof hyparquet.parquetSchema>['children'] = [];
    try {
      top = metadata === undefined ? [] : hyparquet.parquetSchema(metadata).children;
    } catch {
      // A schema hyparquet cannot build: the whole read words it.
    }
    const names = top.map((child) => child.element.name);
    const rows = Number(metadata?.num_rows ?? 0);
    if (
      metadata === undefined ||
      rows === 0 ||
      top.length === 0 ||
      top.some((child) => child.children.length > 0) ||
      new Set(names).size !== names.length ||
      !keep.every((name) => names.includes(name))
    ) {
      close();
      return undefined;
    }
    const hashing = hashAside(path, size);
    const sha256 = hashing.sha256;
    const groups = metadata.row_groups.map((group) => Number(group.num_rows));
    const read = (from: number, to: number, columns: string[], onChunk: OnChunk) =>
      hyparquet.parquetRead({
        file: fileBuffer(fd, size),
        metadata,
        compressors,
        columns,
        rowStart: from,
        rowEnd: to,
        onChunk,
      });
    return streamOf({
      path,
      size,
      rows,
      names,
      keep,
      groups,
      sha256,
      read,
      close,
      stopHashing: hashing.stop,
    });
  } catch (error) {
    close();
    throw error;
  }
}

type OnChunk = (chunk: {
  columnName: string;
  columnData: ArrayLike<unknown>;
  rowStart: number;
  rowEnd: number;
}) => void;

interface Opened {
  readonly path: string;
  readonly size: number;
  readonly rows: number;
  readonly names: readonly string[];
  readonly keep: readonly string[];
  /** Rows per row group, in file order. */
  readonly groups: readonly number[];
  readonly sha256: Promise<string>;
  /** Decodes `columns` of file rows [from, to) (whole row groups), chunk by chunk. */
  readonly read: (from: number, to: number, columns: string[], onChunk: OnChunk) => Promise<void>;
  readonly close: () => void;
  /** Stops the hash worker (a pass that ended early: the whole read hashes the file itself). */
  readonly stopHashing: () => void;
}

function streamOf(opened: Opened): RowStream {
  const { path, size, rows, names, keep, groups, sha256, close } = opened;
  let kept: unknown[][] = [];
  let count = 0;
  let parsed = 0;
  /** The file row the kept cells start at: a shard's first. */
  let firstRow = 0;
  const end = new PassEnd(close, opened.stopHashing);
  return {
    path,
    bytes: size,
    rows,
    sha256,
    names,
    features(columns, again, range = { start: 0, end: rows }) {
      count = range.end - range.start;
      firstRow = range.start;
      kept = keep.map(() => new Array<unknown>(count));
      const width = columns.length;
      const wanted = [...new Set([...columns, ...keep])];
      const stash = new AgainRows(again, width);
      /** Where each row group starts, and the end of the last. */
      const starts = [0];
      for (const rowsInGroup of groups) starts.push((starts.at(-1) as number) + rowsInGroup);
      // The row group decoded now: file rows [groupStart, groupEnd), its features column by column.
      let group = -1;
      let groupStart = 0;
      let groupEnd = 0;
      let features: Float64Array[] = [];
      /** Decodes the row group that holds file row `row`: its features, and the kept cells of its rows in the range. */
      const load = async (row: number) => {
        group = group + 1;
        while (row >= (starts[group + 1] as number)) group++;
        groupStart = starts[group] as number;
        groupEnd = starts[group + 1] as number;
        features = columns.map(() => new Float64Array(groupEnd - groupStart));
        // hyparquet calls onChunk where a throw would go unhandled: the first problem waits here.
        let failure: NotStreamable | undefined;
        const reading = opened.read(
          groupStart,
          groupEnd,
          wanted,
          ({ columnName, columnData, rowStart, rowEnd }) => {
            const j = columns.indexOf(columnName);
            const k = keep.indexOf(columnName);
            for (let row = Math.max(rowStart, groupStart); row < Math.min(rowEnd, groupEnd); row++) {
              const cell = columnData[row - rowStart];
              if (j >= 0) {
                const value = parquetCellNumber(cell);
                if (value === undefined || !Number.isFinite(Math.fround(value))) {
                  failure ??= new NotStreamable(
                    `row ${row + 1}: column '${columnName}' is not a finite float32`,
                  );
                  return;
                }
                (features[j] as Float64Array)[row - groupStart] = value;
              }
              if (k >= 0 && row >= range.start && row < range.end)
                (kept[k] as unknown[])[row - range.start] = cell;
            }
          },
        );
        try {
          await reading;
        } catch (error) {
          // A page hyparquet cannot decode: the whole read words it (a corrupt file, a codec).
          throw new NotStreamable(`row group ${group + 1}: ${(error as Error)?.message ?? error}`);
        }
        if (failure !== undefined) throw failure;
      };
      const input: FeatureRows = {
        rows: count,
        width,
        copy(start, end, into) {
          if (start === parsed) throw new Error(`bug: streamed rows ${start}-${end} read with copy()`);
          stash.copy(start, end, into);
        },
        async fill(start, end, into) {
          if (start !== parsed) return input.copy(start, end, into);
          for (let r = start, k = 0; r < end; r++) {
            const row = range.start + r;
            if (row >= groupEnd) await load(row);
            const at = row - groupStart;
            for (let j = 0; j < width; j++, k++) into[k] = (features[j] as Float64Array)[at] as number;
          }
          stash.keep(start, end, into);
          parsed = end;
          if (parsed === count) features = [];
        },
      };
      return input;
    },
    close: end.close,
    table: () =>
      end.table({ path, format: 'parquet', sha256, bytes: size }, { parsed, count }, keep, () =>
        keep.map((name, k) => toSource(path, name, kept[k] as unknown[], firstRow)),
      ),
  };
}
