/**
 * The probability metrics of an unweighted binary task, computed by one WebAssembly pass
 * (packages/core/assembly/binary.ts, compiled into binary-kernel.wasm.ts by `npm run kernels`).
 *
 * In a one-shot process every JavaScript loop over the rows runs cold; these metrics were five
 * such loops and a sort, 45 ms on 200k rows. The kernel runs compiled from the first row and
 * radix sorts: 12 ms, the copy of the inputs into its memory included. Its values are those of
 * logLoss, brier and binaryRank to the last bit (the same float64 operations in the same order,
 * and the same Math.log); the tests hold it to that.
 */
import { BINARY_KERNEL_WASM } from './binary-kernel.wasm.ts';

/** What the kernel computes. A rank metric is undefined when the kernel could not rank the scores. */
export interface BinaryProbabilitySums {
  /** Sum of the rows' log losses; NaN when a probability is not finite. */
  readonly logLoss: number;
  /** Sum of the rows' squared errors; NaN when a positive-class probability is outside [0, 1]. */
  readonly brier: number;
  /** Whether every positive-class probability is finite (the rank metrics need it). */
  readonly positiveFinite: boolean;
  /**
   * ROC AUC and average precision, when every positive-class probability is a non-negative
   * float32 (a float32 model's output); otherwise undefined, and the caller ranks the scores.
   */
  readonly rank: { readonly rocAuc: number; readonly averagePrecision: number } | undefined;
}

/** The part of the WebAssembly JavaScript API used here (TypeScript's ES libraries leave it to lib.dom). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Kernel {
  readonly memory: WasmMemory;
  readonly binaryProbability: (
    rows: number,
    labels: number,
    proba: number,
    keys: number,
    scratch: number,
    counts: number,
    out: number,
  ) => void;
}

const PAGE = 65536;
/** The kernel's own static data sits below this; the inputs go above it. */
const RESERVED = PAGE;
const RADIX_COUNTS_BYTES = 2048 * 4;
const OUT_BYTES = 6 * 8;
/** Bytes of kernel memory per row: label (i32), two probabilities (f64), key and scratch (u32). */
const BYTES_PER_ROW = 4 + 16 + 4 + 4;
/** WebAssembly memory is addressed with 32 bits; past this many rows the caller stays in JavaScript. */
export const KERNEL_MAX_ROWS = Math.floor(
  (2 ** 31 - RESERVED - RADIX_COUNTS_BYTES - OUT_BYTES) / BYTES_PER_ROW,
);

let kernel: Kernel | undefined;

function instantiate(): Kernel {
  const memory = new wasm.Memory({ initial: 1 });
  const module = new wasm.Module(Buffer.from(BINARY_KERNEL_WASM, 'base64'));
  const instance = new wasm.Instance(module, { env: { memory }, binary: { log: Math.log } });
  return { memory, binaryProbability: instance.exports.binaryProbability as Kernel['binaryProbability'] };
}

/**
 * The kernel's sums for `labels` (0 or 1 per row) and the row-major [rows × 2] `proba`. The
 * caller has checked the labels and that `rows` is at most {@link KERNEL_MAX_ROWS}.
 */
export function binaryProbabilitySums(labels: Int32Array, proba: Float64Array): BinaryProbabilitySums {
  const rows = labels.length;
  if (proba.length !== rows * 2) throw new RangeError(`proba has ${proba.length} values for ${rows} rows`);
  kernel ??= instantiate();
  const { memory } = kernel;
  // Laid out from RESERVED: the fixed-size parts first, then the rows' arrays, each 8-byte aligned.
  const outAt = RESERVED;
  const countsAt = outAt + OUT_BYTES;
  const probaAt = countsAt + RADIX_COUNTS_BYTES;
  const labelsAt = probaAt + rows * 16;
  const keysAt = labelsAt + rows * 4;
  const scratchAt = keysAt + rows * 4;
  const needed = scratchAt + rows * 4;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
  // Views are made after any growth: growing detaches the old buffer.
  new Float64Array(memory.buffer, probaAt, rows * 2).set(proba);
  new Int32Array(memory.buffer, labelsAt, rows).set(labels);
  kernel.binaryProbability(rows, labelsAt, probaAt, keysAt, scratchAt, countsAt, outAt);
  const out = new Float64Array(memory.buffer, outAt, 6);
  return {
    logLoss: out[0] as number,
    brier: out[1] as number,
    positiveFinite: out[2] === 1,
    rank: out[3] === 1 ? { rocAuc: out[4] as number, averagePrecision: out[5] as number } : undefined,
  };
}
