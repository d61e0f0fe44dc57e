// The distinct values of a numeric label column and each row's slot among them, in one
// WebAssembly pass: what classOrder and classIndices need (packages/core/src/evaluation/classes.ts
// runs it). Compiled by `npm run kernels` into packages/core/src/evaluation/labels-kernel.wasm.ts.
//
// Why: in a one-shot `modelgate evaluate` these were two cold JavaScript loops over the rows
// (find the distinct values; map each row to its class), 9 ms on 200k rows.
//
// Memory is the caller's: every pointer is a byte offset into the imported memory.

/** Labels take few values; past this many the caller keeps to JavaScript. */
const MAX_DISTINCT: i32 = 16;
/** The slot of a NaN row (an empty label). */
const NAN_SLOT: u8 = 255;

/**
 * `values`: f64 per row. Writes the distinct values other than NaN at `distinct` (f64, in the
 * order they first occur; 0 and -0 are one value, kept as first seen) and each row's slot among
 * them at `slots` (u8 per row; 255 for NaN). Returns how many distinct values there are, or -1
 * when there are more than 16 (then nothing useful is written).
 */
export function distinctSlots(rows: i32, values: usize, distinct: usize, slots: usize): i32 {
  let count: i32 = 0;
  let previous: f64 = NaN;
  let previousSlot: u8 = NAN_SLOT;
  for (let i = 0; i < rows; i++) {
    const value = load<f64>(values + ((<usize>i) << 3));
    // Labels come in runs more often than not: the slot of the row before is tried first.
    if (value == previous) {
      store<u8>(slots + <usize>i, previousSlot);
      continue;
    }
    let slot: u8 = NAN_SLOT;
    if (value == value) {
      let k: i32 = 0;
      while (k < count && load<f64>(distinct + ((<usize>k) << 3)) != value) k++;
      if (k == count) {
        if (count == MAX_DISTINCT) return -1;
        store<f64>(distinct + ((<usize>k) << 3), value);
        count++;
      }
      slot = <u8>k;
      previous = value;
      previousSlot = slot;
    }
    store<u8>(slots + <usize>i, slot);
  }
  return count;
}
