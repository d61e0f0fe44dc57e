// The plain records of a streamed CSV file, parsed in WebAssembly: what csv-stream.ts's
// parseRecord does on its fast path, a run of records per call. AssemblyScript, compiled by
// `npm run kernels` into packages/core/src/data/csv-kernel.wasm.ts; csv-kernel.ts runs it.
//
// Why: parsing is most of a large streamed evaluate. On 2M rows × 33 columns (612 MB) the
// JavaScript loop took 1.8 s of CPU, about 3 ns a byte, more than the model and the hash together.
//
// It must give parseRecord's values to the last bit. A feature cell `[+-]?digits[.digits]` of at
// most 15 digits followed by a field end is m / 10^k in float64 (m < 2^53 and 10^k exact, so one
// correctly rounded division; the powers are the caller's own table), then rounded to float32 as
// a Float32Array store does. Any other record (a feature cell of another form, too many or too
// few fields, a lone CR) is not parsed here: the call stops before it, and the caller parses it
// with parseRecord, which reads it or throws.
//
// Memory is the caller's: every pointer is a byte offset into the imported memory.

const LF: u32 = 10;
const CR: u32 = 13;
const COMMA: u32 = 44;
const DOT: u32 = 46;
const MINUS: u32 = 45;
const PLUS: u32 = 43;
const ZERO: u32 = 48;
/** Up to 15 digits, the mantissa is an exact integer below 2^53 (10^15 < 2^53). */
const MAX_DIGITS: i32 = 15;

/**
 * Parses up to `maxRecords` records of `bytes` from `pos`, skipping blank lines, while a record
 * starts at or before `lastLf` (the last line end read: such a record is whole).
 *
 * `slots`: i32 per file column (`width` of them): j ≥ 0 for feature j (written as f32 at
 * `out`, `featureWidth` per record), -1 for a column skipped, -2 - k for kept column k, whose
 * cell's [start, end) byte offsets go to `spans` (two i32 per kept column per record, `kept` of
 * them). `powers`: 16 f64, 10^0 … 10^15.
 *
 * Returns how many records it parsed, and writes at `state` the offset just past them (i32),
 * then 1 when it stopped at a record it does not parse, else 0.
 */
export function parseRecords(
  bytes: usize,
  pos: i32,
  lastLf: i32,
  maxRecords: i32,
  width: i32,
  slots: usize,
  out: usize,
  featureWidth: i32,
  spans: usize,
  kept: i32,
  powers: usize,
  state: usize,
): i32 {
  const last = width - 1;
  let records: i32 = 0;
  let stopped: i32 = 0;
  while (records < maxRecords) {
    // Blank lines are not records.
    while (pos <= lastLf) {
      const b = <u32>load<u8>(bytes + <usize>pos);
      if (b == LF) pos++;
      else if (b == CR && <u32>load<u8>(bytes + <usize>pos + 1) == LF) pos += 2;
      else break;
    }
    if (pos > lastLf) break;
    const rowOut = out + ((<usize>records * <usize>featureWidth) << 2);
    const rowSpans = spans + ((<usize>records * <usize>kept) << 3);
    let p = pos;
    let whole = false;
    for (let c = 0; c < width; c++) {
      const code = load<i32>(slots + ((<usize>c) << 2));
      let b: u32;
      if (code >= 0) {
        b = <u32>load<u8>(bytes + <usize>p);
        const negative = b == MINUS;
        if (negative || b == PLUS) b = <u32>load<u8>(bytes + <usize>++p);
        const first = p;
        let m: u64 = 0;
        while (b - ZERO <= 9) {
          m = m * 10 + <u64>(b - ZERO);
          b = <u32>load<u8>(bytes + <usize>++p);
        }
        let digits = p - first;
        let scale: i32 = 0;
        if (b == DOT) {
          const dot = ++p;
          b = <u32>load<u8>(bytes + <usize>p);
          while (b - ZERO <= 9) {
            m = m * 10 + <u64>(b - ZERO);
            b = <u32>load<u8>(bytes + <usize>++p);
          }
          scale = p - dot;
          digits += scale;
        }
        if (digits == 0 || digits > MAX_DIGITS) break;
        let value: f64 = scale == 0 ? <f64>m : <f64>m / load<f64>(powers + ((<usize>scale) << 3));
        if (negative) value = -value;
        store<f32>(rowOut + ((<usize>code) << 2), <f32>value);
      } else {
        const from = p;
        b = <u32>load<u8>(bytes + <usize>p);
        while (b != COMMA && b != LF && b != CR) b = <u32>load<u8>(bytes + <usize>++p);
        if (code <= -2) {
          const at = rowSpans + ((<usize>(-2 - code)) << 3);
          store<i32>(at, from);
          store<i32>(at, p, 4);
        }
      }
      // The byte after the cell ends the field: a comma, or this record's last field.
      if (b == COMMA) {
        if (c == last) break;
        p++;
        continue;
      }
      if (c != last) break;
      if (b == LF) p++;
      else if (b == CR && <u32>load<u8>(bytes + <usize>p + 1) == LF) p += 2;
      else break;
      whole = true;
    }
    if (!whole) {
      stopped = 1;
      break;
    }
    pos = p;
    records++;
  }
  store<i32>(state, pos);
  store<i32>(state, stopped, 4);
  return records;
}
