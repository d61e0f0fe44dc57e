/**
 * The distinct values of a numeric label column and each row's slot among them, from one
 * WebAssembly pass (packages/core/assembly/labels.ts, compiled into labels-kernel.wasm.ts by
 * `npm run kernels`). classes.ts turns them into the class order and the class indices; on 200k
 * rows that is 2 ms, where its two cold JavaScript loops took 9.
 */
import { KERNEL_DATA_START, KERNEL_MAX_BYTES, type Kernel, loadKernel } from '../kernel/wasm.ts';
import { LABELS_KERNEL_WASM } from './labels-kernel.wasm.ts';

/** A numeric column as at most 16 distinct values and a slot per row. */
export interface LabelSlots {
  /** The distinct values other than NaN, in the order they first occur (0 and -0 are one). */
  readonly distinct: Float64Array;
  /** Each row's index into `distinct`, or {@link NAN_SLOT}. */
  readonly slots: Uint8Array;
}

/** The slot of a NaN row. */
export const NAN_SLOT = 255;
const MAX_DISTINCT = 16;

type DistinctSlots = (rows: number, values: number, distinct: number, slots: number) => number;

let kernel: Kernel | undefined;

/** The slots of `values`; undefined past 16 distinct values, or when the kernel's memory cannot grow to the rows. */
export function labelSlots(values: Float64Array): LabelSlots | undefined {
  const rows = values.length;
  const distinctAt = KERNEL_DATA_START;
  const valuesAt = distinctAt + MAX_DISTINCT * 8;
  const slotsAt = valuesAt + rows * 8;
  if (slotsAt + rows > KERNEL_MAX_BYTES) return undefined;
  kernel ??= loadKernel(LABELS_KERNEL_WASM);
  const memory = kernel.memory(slotsAt + rows);
  if (memory === undefined) return undefined;
  new Float64Array(memory, valuesAt, rows).set(values);
  const count = (kernel.exports.distinctSlots as DistinctSlots)(rows, valuesAt, distinctAt, slotsAt);
  if (count < 0) return undefined;
  return {
    distinct: new Float64Array(memory, distinctAt, count).slice(),
    slots: new Uint8Array(memory, slotsAt, rows).slice(),
  };
}
