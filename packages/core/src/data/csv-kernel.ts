/**
 * Runs of plain CSV records parsed in WebAssembly (packages/core/assembly/csv.ts, compiled into
 * csv-kernel.wasm.ts by `npm run kernels`), for the streamed read (csv-stream.ts). The records
 * are read into the kernel's own memory, so nothing is copied in; each run's features are copied
 * out, and the cells of the kept columns come back as byte ranges for csv-stream.ts's dictionaries.
 *
 * Each stream (and each parse worker) has a kernel of its own, with its own memory: the memory
 * never grows under a read buffer in use.
 */
import { KERNEL_DATA_START, loadKernel } from '../kernel/wasm.ts';
import { CSV_KERNEL_WASM } from './csv-kernel.wasm.ts';

type ParseRecords = (
  bytes: number,
  pos: number,
  lastLf: number,
  maxRecords: number,
  width: number,
  slots: number,
  out: number,
  featureWidth: number,
  spans: number,
  kept: number,
  powers: number,
  state: number,
) => number;

/** Features written per run at most: a batch of 8,192 rows of 32 features. */
const OUT_BYTES = 1 << 20;
/** Records per run at most, whatever the width. */
const MAX_RUN = 8192;

export interface RecordKernel {
  /** The read buffer the records must be in: a view of the kernel's memory. */
  readonly chunk: Buffer;
  /**
   * Parses up to `max` records of `chunk` from `pos`, while one starts at or before `lastLf`.
   * Returns how many; their features are then in `features` (row-major) and the byte ranges of
   * their kept cells in `spans` (start and end per kept column per record).
   */
  run(pos: number, lastLf: number, max: number): number;
  readonly features: Float32Array;
  readonly spans: Int32Array;
  /** Where the last run stopped: past its records. */
  readonly pos: () => number;
  /** Whether the last run stopped at a record it does not parse (parseRecord's to read or refuse). */
  readonly stopped: () => boolean;
}

/**
 * A kernel for records of `slot.length` columns: `slot[c]` is file column c's index in the model
 * input or -1, `keptAt[c]` its index among the kept columns or -1. Undefined when WebAssembly
 * cannot give the memory; the caller parses in JavaScript then.
 */
export function recordKernel(
  slot: Int32Array,
  keptAt: Int32Array,
  kept: number,
  featureWidth: number,
  chunkBytes: number,
  powers: Float64Array,
): RecordKernel | undefined {
  const width = slot.length;
  const maxRun = Math.max(1, Math.min(MAX_RUN, Math.floor(OUT_BYTES / Math.max(1, featureWidth * 4))));
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const stateAt = KERNEL_DATA_START;
  const powersAt = stateAt + 16;
  const slotsAt = powersAt + align(powers.length * 8);
  const chunkAt = slotsAt + align(width * 4);
  const outAt = chunkAt + align(chunkBytes);
  const spansAt = outAt + align(maxRun * featureWidth * 4);
  const end = spansAt + maxRun * kept * 8;
  let kernel: ReturnType<typeof loadKernel>;
  try {
    kernel = loadKernel(CSV_KERNEL_WASM);
  } catch {
    return undefined;
  }
  const memory = kernel.memory(end);
  if (memory === undefined) return undefined;
  new Float64Array(memory, powersAt, powers.length).set(powers);
  const slots = new Int32Array(memory, slotsAt, width);
  for (let c = 0; c < width; c++) {
    const k = keptAt[c] as number;
    slots[c] = k >= 0 ? -2 - k : (slot[c] as number) >= 0 ? (slot[c] as number) : -1;
  }
  const state = new Int32Array(memory, stateAt, 2);
  const parse = kernel.exports.parseRecords as ParseRecords;
  return {
    chunk: Buffer.from(memory, chunkAt, chunkBytes),
    features: new Float32Array(memory, outAt, maxRun * featureWidth),
    spans: new Int32Array(memory, spansAt, maxRun * kept * 2),
    run: (pos, lastLf, max) =>
      parse(
        chunkAt,
        pos,
        lastLf,
        Math.min(max, maxRun),
        width,
        slotsAt,
        outAt,
        featureWidth,
        spansAt,
        kept,
        powersAt,
        stateAt,
      ),
    pos: () => state[0] as number,
    stopped: () => state[1] === 1,
  };
}
