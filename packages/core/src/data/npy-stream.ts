/**
 * An NPY file read as a stream, in slices of rows: the model input a batch at a time, in memory
 * that does not grow with the file (DESIGN.md "Growing past one machine"). Each batch's rows are
 * read into one buffer, the features copied out of it, and the kept columns (the label, the slice
 * keys) taken while the rows are in cache: by a WebAssembly kernel (rows-kernel.ts) for a float32
 * matrix whose features are a run of columns, else as the whole read copies them
 * (table.ts packedFeatureRows). A shard reads its own rows only; a worker hashes the whole file.
 *
 * The stream takes the usual array, a C-order little-endian float32 or float64 matrix; anything
 * else (another dtype, Fortran order, a structured or 1-D array, a short file) is read whole, and
 * so is a batch with a value that is not finite: the whole read words every problem as it always
 * has. Values are the whole read's, bit for bit.
 */
import { fstatSync, readSync } from 'node:fs';
import { npyHeaderBytes, readNpyHeader } from './npy.ts';
import { hashAside, readRange } from './parallel.ts';
import { type RowsKernel, rowsKernel } from './rows-kernel.ts';
import { NotStreamable, openOnce, PassEnd, type RowStream } from './stream.ts';
import { type FeatureRows, packedFeatureRows, sourceOf } from './table.ts';

/** The array's shape and where its rows are: what the stream needs of a header. */
interface Matrix {
  readonly dataStart: number;
  readonly rows: number;
  readonly width: number;
  /** 4 (float32) or 8 (float64). */
  readonly itemSize: number;
}

/** The header of the file at `fd`, when the stream can take the array; undefined to read it whole. */
function matrixOf(fd: number, path: string, size: number): Matrix | undefined {
  let header: ReturnType<typeof readNpyHeader>;
  try {
    const preamble = readRange(fd, 0, Math.min(size, 12));
    const needed = npyHeaderBytes(preamble);
    if (needed > size) return undefined;
    header = readNpyHeader(readRange(fd, 0, needed), path);
  } catch {
    return undefined;
  }
  const { dataStart, descr, fortranOrder, dims } = header;
  if (descr.kind !== 'plain' || fortranOrder || dims.length !== 2) return undefined;
  const { kind, size: itemSize, littleEndian } = descr.scalar;
  if (kind !== 'f' || !littleEndian || (itemSize !== 4 && itemSize !== 8)) return undefined;
  const [rows, width] = dims as [number, number];
  if (rows === 0 || width === 0 || size < dataStart + rows * width * itemSize) return undefined;
  return { dataStart, rows, width, itemSize };
}

/**
 * Opens `path` for streaming, keeping the columns `keep` (which must be columns of the file:
 * "0", "1", …). Undefined when the stream cannot take the file: read it whole then.
 */
export function openNpyStream(path: string, keep: readonly string[]): RowStream | undefined {
  const { fd, close } = openOnce(path);
  try {
    const size = fstatSync(fd).size;
    const matrix = matrixOf(fd, path, size);
    const names = Array.from({ length: matrix?.width ?? 0 }, (_, j) => String(j));
    if (matrix === undefined || !keep.every((name) => names.includes(name))) {
      close();
      return undefined;
    }
    const hashing = hashAside(path, size);
    return streamOf(path, size, fd, close, matrix, names, keep, hashing);
  } catch (error) {
    close();
    throw error;
  }
}

function streamOf(
  path: string,
  size: number,
  fd: number,
  close: () => void,
  matrix: Matrix,
  names: readonly string[],
  keep: readonly string[],
  hashing: ReturnType<typeof hashAside>,
): RowStream {
  const { dataStart, rows, width, itemSize } = matrix;
  const { sha256 } = hashing;
  const end = new PassEnd(close, hashing.stop);
  const rowBytes = width * itemSize;
  let kept: Float64Array[] = [];
  let count = 0;
  let parsed = 0;
  return {
    path,
    bytes: size,
    rows,
    sha256,
    names,
    features(columns, again, range = { start: 0, end: rows }) {
      count = range.end - range.start;
      kept = keep.map(() => new Float64Array(count));
      const offsets = columns.map((name) => names.indexOf(name));
      const keptOffsets = keep.map((name) => names.indexOf(name));
      const singles = new Set(again);
      // One buffer for the rows of a batch, and one copier over it, both kept for the next batch
      // (a copier made afresh for each batch ran cold every time: twice the time).
      let capacity = 0;
      let buffer: Buffer = Buffer.alloc(0);
      let values: Float32Array | Float64Array = new Float32Array(0);
      let copier: FeatureRows | undefined;
      // A float32 matrix whose features are a run of columns (the usual case: all but the label)
      // is copied by a WebAssembly kernel, reading straight into its memory.
      const run = itemSize === 4 && offsets.every((offset, j) => offset === (offsets[0] as number) + j);
      let kernel: RowsKernel | undefined;
      let first = 0;
      const notFinite = (row: number) =>
        new NotStreamable(`row ${range.start + first + row + 1}: a feature that is not a finite float32`);
      /** Reads rows [from, to) of the range into the buffer. */
      const read = (from: number, to: number) => {
        if (to - from > capacity) {
          capacity = to - from;
          kernel = run
            ? rowsKernel(width, offsets[0] ?? 0, offsets.length, keptOffsets, capacity)
            : undefined;
          buffer = kernel?.buffer ?? Buffer.alloc(capacity * rowBytes);
          values =
            itemSize === 4
              ? new Float32Array(buffer.buffer, buffer.byteOffset, capacity * width)
              : new Float64Array(buffer.buffer, buffer.byteOffset, capacity * width);
          copier = packedFeatureRows(values, width, offsets, capacity, notFinite);
        }
        first = from;
        readInto(fd, buffer, (to - from) * rowBytes, dataStart + (range.start + from) * rowBytes);
      };
      const input: FeatureRows = {
        rows: count,
        width: columns.length,
        copy(start, end, into) {
          if (start !== parsed && !(end === start + 1 && singles.has(start))) {
            throw new Error(`bug: streamed rows ${start}-${end} asked out of order`);
          }
          read(start, end);
          if (kernel !== undefined) {
            const bad = kernel.copy(end - start, into, start === parsed ? kept : [], start);
            if (bad >= 0) throw notFinite(bad);
            if (start === parsed) parsed = end;
            return;
          }
          copier?.copy(0, end - start, into);
          if (start !== parsed) return;
          keptOffsets.forEach((offset, k) => {
            const column = kept[k] as Float64Array;
            for (let i = 0, at = offset; i < end - start; i++, at += width)
              column[start + i] = values[at] as number;
          });
          parsed = end;
        },
      };
      return input;
    },
    close: end.close,
    table: () =>
      end.table({ path, format: 'npy', sha256, bytes: size }, { parsed, count }, keep, () =>
        kept.map((values) => sourceOf({ kind: 'number', values })),
      ),
  };
}

/** `bytes` bytes of the file from `at` into `buffer`; a file that ended early changed while read: read it whole. */
function readInto(fd: number, buffer: Buffer, bytes: number, at: number): void {
  for (let done = 0; done < bytes; ) {
    const got = readSync(fd, buffer, done, bytes - done, at + done);
    if (got === 0) throw new NotStreamable(`the file ended at byte ${at + done}, before ${at + bytes}`);
    done += got;
  }
}
