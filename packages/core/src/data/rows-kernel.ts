/**
 * A batch of a float32 matrix's rows turned into the model input in WebAssembly
 * (packages/core/assembly/rows.ts, compiled into rows-kernel.wasm.ts by `npm run kernels`), for
 * the streamed NPY read (npy-stream.ts): the rows are read straight into the kernel's memory,
 * the run of feature columns is copied out with its finiteness check, and the kept columns are
 * widened to float64, in one pass over rows that are still in cache.
 *
 * Each stream has a kernel of its own, with its own memory, sized once for its batches.
 */
import { KERNEL_DATA_START, loadKernel } from '../kernel/wasm.ts';
import { ROWS_KERNEL_WASM } from './rows-kernel.wasm.ts';

type CopyRun = (
  source: number,
  stride: number,
  first: number,
  width: number,
  rows: number,
  out: number,
  keptCols: number,
  keptCount: number,
  keptOut: number,
) => number;

export interface RowsKernel {
  /** Where to read up to `capacity` rows: a view of the kernel's memory. */
  readonly buffer: Buffer;
  /**
   * Copies the features of the first `rows` rows read into `into`, and their kept columns into
   * `kept` from index `at`. Returns -1, or the first row with a feature that is not finite
   * (nothing is then copied).
   */
  copy(rows: number, into: Float32Array, kept: readonly Float64Array[], at: number): number;
}

/**
 * A kernel for rows of `stride` float32 values whose features are the `width` columns from
 * `first`, keeping columns `keptCols`. Undefined when WebAssembly cannot give the memory.
 */
export function rowsKernel(
  stride: number,
  first: number,
  width: number,
  keptCols: readonly number[],
  capacity: number,
): RowsKernel | undefined {
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const keptAt = KERNEL_DATA_START;
  const sourceAt = keptAt + align(keptCols.length * 4);
  const outAt = sourceAt + align(capacity * stride * 4);
  const keptOutAt = outAt + align(capacity * width * 4);
  let kernel: ReturnType<typeof loadKernel>;
  try {
    kernel = loadKernel(ROWS_KERNEL_WASM);
  } catch {
    return undefined;
  }
  const memory = kernel.memory(keptOutAt + capacity * keptCols.length * 8);
  if (memory === undefined) return undefined;
  new Int32Array(memory, keptAt, keptCols.length).set(keptCols);
  const run = kernel.exports.copyRun as CopyRun;
  return {
    buffer: Buffer.from(memory, sourceAt, capacity * stride * 4),
    copy(rows, into, kept, at) {
      const bad = run(sourceAt, stride, first, width, rows, outAt, keptAt, keptCols.length, keptOutAt);
      if (bad >= 0) return bad;
      into.set(new Float32Array(memory, outAt, rows * width));
      kept.forEach((column, k) => {
        column.set(new Float64Array(memory, keptOutAt + k * rows * 8, rows), at);
      });
      return -1;
    },
  };
}
