// The model input of a batch of rows of a float32 matrix (a streamed NPY file's rows), in
// WebAssembly: the run of feature columns copied out row by row, 4 values per SIMD vector, each
// checked for NaN and ±∞ on the way, and the kept columns (the label, the slice keys) widened to
// float64. Compiled by `npm run kernels` into packages/core/src/data/rows-kernel.wasm.ts;
// packages/core/src/data/npy-stream.ts runs it.
//
// Why: in JavaScript the copy, its finiteness check and the label's strided read were about
// 75 ns a row of 33 columns, half of what onnxruntime's own runs take for a small model.
//
// The values are the bits of the file: a float32 copied is the float32 read, and float64(float32)
// is exact. A value is not finite when its exponent bits are all ones (NaN or ±∞), which is what
// table.ts's `x * 0` check finds.
//
// Memory is the caller's: every pointer is a byte offset into the imported memory.

const EXPONENT: i32 = 0x7f800000;

/**
 * `rows` rows of `stride` float32 values at `source`: copies columns [first, first + width) of each
 * to `out` (`width` a row) and column `keptCols[k]` (i32 each, `keptCount` of them) of each to the
 * float64 array at `keptOut + k·rows·8`. Returns -1 when every copied feature is finite, else the
 * first row with one that is not (the copy is then incomplete).
 */
export function copyRun(
  source: usize,
  stride: i32,
  first: i32,
  width: i32,
  rows: i32,
  out: usize,
  keptCols: usize,
  keptCount: i32,
  keptOut: usize,
): i32 {
  const exponent = i32x4.splat(EXPONENT);
  const vectors = width & ~3;
  for (let i = 0; i < rows; i++) {
    const from = source + ((<usize>i * <usize>stride + <usize>first) << 2);
    const to = out + ((<usize>i * <usize>width) << 2);
    let bad = i32x4.splat(0);
    let j = 0;
    for (; j < vectors; j += 4) {
      const values = v128.load(from + ((<usize>j) << 2));
      v128.store(to + ((<usize>j) << 2), values);
      bad = v128.or(bad, i32x4.eq(v128.and(values, exponent), exponent));
    }
    let tail = false;
    for (; j < width; j++) {
      const bits = load<i32>(from + ((<usize>j) << 2));
      store<i32>(to + ((<usize>j) << 2), bits);
      if ((bits & EXPONENT) == EXPONENT) tail = true;
    }
    if (tail || v128.any_true(bad)) return i;
  }
  for (let k = 0; k < keptCount; k++) {
    const column = load<i32>(keptCols + ((<usize>k) << 2));
    const target = keptOut + ((<usize>k * <usize>rows) << 3);
    for (let i = 0; i < rows; i++) {
      const value = load<f32>(source + ((<usize>i * <usize>stride + <usize>column) << 2));
      store<f64>(target + ((<usize>i) << 3), <f64>value);
    }
  }
  return -1;
}
