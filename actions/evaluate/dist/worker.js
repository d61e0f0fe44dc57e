import { createRequire as __modelgateCreateRequire } from 'node:module';
const require = __modelgateCreateRequire(import.meta.url);

// packages/core/src/data/worker.ts
import { parentPort } from "node:worker_threads";

// packages/core/src/data/csv-stream.ts
import { closeSync as closeSync3, fstatSync, openSync as openSync3, readSync as readSync3 } from "node:fs";

// packages/core/src/data/eisel-lemire.ts
var powers;
function buildPowers() {
  const table = new Uint32Array((347 /* MaxExponent */ - -348 /* MinExponent */ + 1) * 4);
  const mask = 0xffffffffn;
  for (let q = -348 /* MinExponent */; q <= 347 /* MaxExponent */; q++) {
    const power = 10n ** BigInt(Math.abs(q));
    const bits = power.toString(2).length;
    let mantissa;
    if (q >= 0) {
      mantissa = bits > 128 ? power >> BigInt(bits - 128) : power << BigInt(128 - bits);
    } else {
      mantissa = (1n << BigInt(bits + 127)) / power;
    }
    const at = (q - -348 /* MinExponent */) * 4;
    for (let limb = 0; limb < 4; limb++) table[at + limb] = Number(mantissa >> BigInt(32 * limb) & mask);
  }
  return table;
}
var product32 = new Float64Array(2);
function multiply32(a, b) {
  const aLow = a & 65535;
  const aHigh = (a - aLow) / 65536 /* Two16 */;
  const low = aLow * b;
  const high = aHigh * b;
  const highTop = Math.floor(high / 65536 /* Two16 */);
  const middle = (high - highTop * 65536 /* Two16 */) * 65536 /* Two16 */ + low;
  const middleTop = Math.floor(middle / 4294967296 /* Two32 */);
  product32[0] = highTop + middleTop;
  product32[1] = middle - middleTop * 4294967296 /* Two32 */;
}
var product128 = new Float64Array(4);
function multiply64(aHigh, aLow, bHigh, bLow) {
  multiply32(aLow, bLow);
  const p00High = product32[0];
  product128[0] = product32[1];
  multiply32(aLow, bHigh);
  const p01High = product32[0];
  const p01Low = product32[1];
  multiply32(aHigh, bLow);
  const p10High = product32[0];
  const p10Low = product32[1];
  multiply32(aHigh, bHigh);
  const p11High = product32[0];
  const p11Low = product32[1];
  const column1 = p00High + p01Low + p10Low;
  const carry1 = Math.floor(column1 / 4294967296 /* Two32 */);
  product128[1] = column1 - carry1 * 4294967296 /* Two32 */;
  const column2 = p01High + p10High + p11Low + carry1;
  const carry2 = Math.floor(column2 / 4294967296 /* Two32 */);
  product128[2] = column2 - carry2 * 4294967296 /* Two32 */;
  product128[3] = p11High + carry2;
}
function overflows(aHigh, aLow, bHigh, bLow) {
  const carry = aLow + bLow >= 4294967296 /* Two32 */ ? 1 : 0;
  return aHigh + bHigh + carry >= 4294967296 /* Two32 */;
}
var scales = new Float64Array(2047);
scales[1] = Number.MIN_VALUE;
for (let e = 2; e < scales.length; e++) scales[e] = scales[e - 1] * 2;
function eiselLemire(high, low, exponent, out) {
  if (exponent < -348 /* MinExponent */ || exponent > 347 /* MaxExponent */ || high === 0 && low === 0) return false;
  powers ??= buildPowers();
  const table = powers;
  const zeros = high !== 0 ? Math.clz32(high) : 32 + Math.clz32(low);
  let mHigh;
  let mLow;
  if (zeros >= 32) {
    mHigh = low << zeros - 32 >>> 0;
    mLow = 0;
  } else if (zeros > 0) {
    mHigh = (high << zeros | low >>> 32 - zeros) >>> 0;
    mLow = low << zeros >>> 0;
  } else {
    mHigh = high;
    mLow = low;
  }
  let exponent2 = (217706 * exponent >> 16) + 64 + 1023 - zeros;
  const at = (exponent - -348 /* MinExponent */) * 4;
  multiply64(mHigh, mLow, table[at + 3], table[at + 2]);
  let x0 = product128[0];
  let x1 = product128[1];
  let x2 = product128[2];
  let x3 = product128[3];
  if ((x2 & 511) === 511 && overflows(x1, x0, mHigh, mLow)) {
    multiply64(mHigh, mLow, table[at + 1], table[at]);
    const y0 = product128[0];
    const y1 = product128[1];
    const y2 = product128[2];
    const y3 = product128[3];
    const sum0 = x0 + y2;
    const carry0 = sum0 >= 4294967296 /* Two32 */ ? 1 : 0;
    const sum1 = x1 + y3 + carry0;
    const carry1 = sum1 >= 4294967296 /* Two32 */ ? 1 : 0;
    const merged0 = sum0 - carry0 * 4294967296 /* Two32 */;
    const merged1 = sum1 - carry1 * 4294967296 /* Two32 */;
    let merged2 = x2 + carry1;
    let merged3 = x3;
    if (merged2 >= 4294967296 /* Two32 */) {
      merged2 -= 4294967296 /* Two32 */;
      merged3 += 1;
    }
    const mergedLowAllOnes = merged0 === 4294967296 /* Two32 */ - 1 && merged1 === 4294967296 /* Two32 */ - 1;
    if ((merged2 & 511) === 511 && mergedLowAllOnes && overflows(y1, y0, mHigh, mLow)) return false;
    x0 = merged0;
    x1 = merged1;
    x2 = merged2;
    x3 = merged3;
  }
  const msb = x3 >>> 31;
  const rLowBits = x2 >>> msb + 9 & 3;
  const rHalf = msb === 1 ? x3 * 2097152 + Math.floor(x2 / 2048) : x3 * 4194304 + Math.floor(x2 / 1024);
  exponent2 -= 1 ^ msb;
  if (x0 === 0 && x1 === 0 && (x2 & 511) === 0 && rLowBits === 1) return false;
  let mantissa = rHalf + (rLowBits & 1);
  if (mantissa >= 9007199254740992 /* Two53 */) {
    mantissa /= 2;
    exponent2 += 1;
  }
  if (exponent2 <= 0 || exponent2 >= 2047) return false;
  out.value = mantissa * scales[exponent2];
  return true;
}

// packages/core/src/data/numbers.ts
var POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
var MAX_EXACT_MANTISSA = 2 ** 53;
var scanned = { value: 0 };
function scanNumber(bytes, start) {
  let pos = start;
  let digit = bytes[pos] - 48 /* Zero */;
  let negative = false;
  if (digit === 45 /* Minus */ - 48 /* Zero */) {
    negative = true;
    digit = bytes[++pos] - 48 /* Zero */;
  } else if (digit === 43 /* Plus */ - 48 /* Zero */) {
    digit = bytes[++pos] - 48 /* Zero */;
  }
  let mantissa = 0;
  let exact = true;
  let digits = 0;
  let exponent = 0;
  while (digit >= 0 && digit <= 9) {
    if (mantissa <= 900719925474098 /* MantissaGuard */) mantissa = mantissa * 10 + digit;
    else if (digit === 0)
      exponent++;
    else exact = false;
    digits++;
    digit = bytes[++pos] - 48 /* Zero */;
  }
  if (digit === 46 /* Dot */ - 48 /* Zero */) {
    digit = bytes[++pos] - 48 /* Zero */;
    while (digit >= 0 && digit <= 9) {
      if (mantissa <= 900719925474098 /* MantissaGuard */) {
        mantissa = mantissa * 10 + digit;
        exponent--;
      } else if (digit !== 0) {
        exact = false;
      }
      digits++;
      digit = bytes[++pos] - 48 /* Zero */;
    }
  }
  if (digits === 0) return -1;
  if (digit === 101 /* LowerE */ - 48 /* Zero */ || digit === 69 /* UpperE */ - 48 /* Zero */) {
    const end = scanExponent(bytes, pos + 1);
    if (end < 0) return pos;
    exponent += scannedExponent;
    pos = end;
  }
  let value = Number.NaN;
  if (exact) {
    if (exponent === 0) value = mantissa;
    else if (exponent < 0 && exponent >= -22)
      value = mantissa / POWERS_OF_TEN[-exponent];
    else value = scaledValue(mantissa, exponent);
  }
  if (Number.isNaN(value)) slowValue(bytes, start, pos);
  else scanned.value = negative ? -value : value;
  return pos;
}
var scannedExponent = 0;
function scanExponent(bytes, pos) {
  let sign = 1;
  let byte = bytes[pos];
  if (byte === 45 /* Minus */ || byte === 43 /* Plus */) {
    sign = byte === 45 /* Minus */ ? -1 : 1;
    byte = bytes[++pos];
  }
  if (byte === void 0 || byte < 48 /* Zero */ || byte > 57 /* Nine */) return -1;
  let exponent = 0;
  while (byte !== void 0 && byte >= 48 /* Zero */ && byte <= 57 /* Nine */) {
    if (exponent < 1e5 /* ExponentCap */) exponent = exponent * 10 + (byte - 48 /* Zero */);
    byte = bytes[++pos];
  }
  scannedExponent = sign * exponent;
  return pos;
}
function scaledValue(mantissa, exponent) {
  if (mantissa === 0) return 0;
  if (exponent >= 0 && exponent <= 22 /* MaxExactPower */) return mantissa * POWERS_OF_TEN[exponent];
  if (exponent > 22 /* MaxExactPower */ && exponent <= 22 /* MaxExactPower */ + 15) {
    const scaled = mantissa * POWERS_OF_TEN[exponent - 22 /* MaxExactPower */];
    if (scaled < MAX_EXACT_MANTISSA) return scaled * POWERS_OF_TEN[22 /* MaxExactPower */];
  }
  return Number.NaN;
}
function slowValue(bytes, start, end) {
  let pos = start;
  const negative = bytes[pos] === 45 /* Minus */;
  if (negative || bytes[pos] === 43 /* Plus */) pos++;
  let head = 0;
  let tail = 0;
  let tailDigits = 0;
  let significant = 0;
  let exponent = 0;
  let truncated = false;
  let fraction = false;
  for (; pos < end; pos++) {
    const byte = bytes[pos];
    if (byte === 46 /* Dot */) {
      fraction = true;
      continue;
    }
    const digit = byte - 48 /* Zero */;
    if (digit < 0 || digit > 9) break;
    if (significant >= 19 /* MaxDigits */) {
      if (digit !== 0) truncated = true;
      if (!fraction) exponent++;
      continue;
    }
    if (fraction) exponent--;
    if (significant === 0 && digit === 0) continue;
    if (significant < 15 /* HeadDigits */) {
      head = head * 10 + digit;
    } else {
      tail = tail * 10 + digit;
      tailDigits++;
    }
    significant++;
  }
  if (pos < end) exponent += scanExponent(bytes, pos + 1) < 0 ? 0 : scannedExponent;
  const scale = POWERS_OF_TEN[tailDigits];
  const headHigh = Math.floor(head / 4294967296 /* Two32 */);
  const lowPart = (head - headHigh * 4294967296 /* Two32 */) * scale + tail;
  const carry = Math.floor(lowPart / 4294967296 /* Two32 */);
  const high = headHigh * scale + carry;
  const low = lowPart - carry * 4294967296 /* Two32 */;
  let decided = eiselLemire(high, low, exponent, scanned);
  if (decided && truncated) {
    const value = scanned.value;
    decided = (low + 1 === 4294967296 /* Two32 */ ? eiselLemire(high + 1, 0, exponent, scanned) : eiselLemire(high, low + 1, exponent, scanned)) && scanned.value === value;
  }
  if (!decided) scanned.value = Number.parseFloat(bytes.toString("latin1", start, end));
  else if (negative) scanned.value = -scanned.value;
}
var DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
var SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;
function parseNumber(text) {
  const trimmed = trimNumberText(text);
  if (DECIMAL.test(trimmed)) return Number.parseFloat(trimmed);
  const special = SPECIAL.exec(trimmed);
  if (special === null) return void 0;
  if (special[2].toLowerCase() === "nan") return Number.NaN;
  return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}
function trimNumberText(text) {
  return isPadded(text) ? text.replace(/^[ \t]+|[ \t]+$/g, "") : text;
}
function isPadded(text) {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first === 32 || first === 9 || last === 32 || last === 9;
}

// packages/core/src/data/csv-scan.ts
function readField(bytes, pos, field) {
  field.newlines = 0;
  if (bytes[pos] !== 34 /* Quote */) {
    let end = pos;
    for (; ; ) {
      const byte = bytes[end];
      if (byte === void 0 || byte === 44 /* Comma */ || byte === 10 /* Lf */) break;
      if (byte === 13 /* Cr */) {
        if (bytes[end + 1] !== 10 /* Lf */) return false;
        break;
      }
      if (byte === 34 /* Quote */) return false;
      end++;
    }
    field.text = bytes.toString("utf8", pos, end);
    field.end = end;
    return true;
  }
  let text = "";
  let from = pos + 1;
  for (; ; ) {
    const close = bytes.indexOf(34 /* Quote */, from);
    if (close < 0) return false;
    text += bytes.toString("utf8", from, close);
    field.newlines += countNewlines(bytes, from, close);
    if (bytes[close + 1] === 34 /* Quote */) {
      text += '"';
      from = close + 2;
      continue;
    }
    const after = bytes[close + 1];
    if (after !== void 0 && after !== 44 /* Comma */ && after !== 10 /* Lf */ && !(after === 13 /* Cr */ && bytes[close + 2] === 10 /* Lf */)) {
      return false;
    }
    field.text = text;
    field.end = close + 1;
    return true;
  }
}
function countNewlines(bytes, from, to) {
  let count = 0;
  for (let at = bytes.indexOf(10 /* Lf */, from); at >= 0 && at < to; at = bytes.indexOf(10 /* Lf */, at + 1))
    count++;
  return count;
}
function afterRecordEnd(bytes, end) {
  const byte = bytes[end];
  if (byte === void 0) return end;
  return byte === 13 /* Cr */ ? end + 2 : end + 1;
}
function isFieldEnd(bytes, end) {
  const byte = bytes[end];
  return byte === 44 /* Comma */ || byte === 10 /* Lf */ || byte === void 0 || byte === 13 /* Cr */ && bytes[end + 1] === 10 /* Lf */;
}
function scanRecords(bytes, pos, end, width, firstLine) {
  const field = { text: "", end: 0, newlines: 0 };
  let line = firstLine;
  let capacity = 1;
  for (let at = bytes.indexOf(10 /* Lf */, pos); at >= 0 && at < end; at = bytes.indexOf(10 /* Lf */, at + 1))
    capacity++;
  const numbers = Array.from(
    { length: width },
    () => new Float64Array(capacity)
  );
  const strings = Array.from({ length: width }, () => void 0);
  const cellStarts = new Uint32Array(capacity * width);
  let rows = 0;
  while (pos < end) {
    const first = bytes[pos];
    if (first === 10 /* Lf */ || first === 13 /* Cr */ && bytes[pos + 1] === 10 /* Lf */) {
      pos += first === 10 /* Lf */ ? 1 : 2;
      line++;
      continue;
    }
    const rowStart = rows * width;
    const recordLine = line;
    for (let c = 0; c < width; c++) {
      cellStarts[rowStart + c] = pos;
      const values = numbers[c];
      let cellEnd = -1;
      if (values !== void 0) {
        const numberEnd = scanNumber(bytes, pos);
        if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
          values[rows] = scanned.value;
          cellEnd = numberEnd;
        }
      }
      if (cellEnd < 0) {
        if (!readField(bytes, pos, field)) return { kind: "not-rfc4180" };
        cellEnd = field.end;
        line += field.newlines;
        const value = values === void 0 ? void 0 : parseNumber(field.text);
        if (values !== void 0 && value !== void 0) {
          values[rows] = value;
        } else {
          let cells = strings[c];
          if (cells === void 0) {
            cells = columnText(bytes, cellStarts, width, rows, c);
            strings[c] = cells;
            numbers[c] = void 0;
          }
          cells.push(field.text);
        }
      }
      const next = bytes[cellEnd];
      if (c < width - 1) {
        if (next !== 44 /* Comma */) return { kind: "ragged", line: recordLine, fields: c + 1 };
        pos = cellEnd + 1;
      } else {
        if (next === 44 /* Comma */)
          return {
            kind: "ragged",
            line: recordLine,
            fields: countFields(bytes, cellStarts[rowStart])
          };
        pos = afterRecordEnd(bytes, cellEnd);
        line++;
      }
    }
    rows++;
  }
  return {
    kind: "rows",
    rows,
    nextLine: line,
    numbers: numbers.map((values) => values?.subarray(0, rows)),
    strings,
    cellStarts: cellStarts.subarray(0, rows * width)
  };
}
function columnText(bytes, cellStarts, width, rows, c) {
  const field = { text: "", end: 0, newlines: 0 };
  const cells = new Array(rows);
  for (let row = 0; row < rows; row++) {
    readField(bytes, cellStarts[row * width + c], field);
    cells[row] = field.text;
  }
  return cells;
}
function skipField(bytes, pos) {
  if (bytes[pos] === 34 /* Quote */) {
    let close = bytes.indexOf(34 /* Quote */, pos + 1);
    while (bytes[close + 1] === 34 /* Quote */) close = bytes.indexOf(34 /* Quote */, close + 2);
    return close + 1;
  }
  let end = pos;
  for (let byte = bytes[end]; byte !== 44 /* Comma */ && byte !== 10 /* Lf */ && byte !== 13 /* Cr */ && byte !== void 0; byte = bytes[end]) {
    end++;
  }
  return end;
}
function countFields(bytes, pos) {
  let count = 1;
  for (let end = skipField(bytes, pos); bytes[end] === 44 /* Comma */; end = skipField(bytes, end + 1)) count++;
  return count;
}

// packages/core/src/data/parallel.ts
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
var WORKER_FILE = new URL("./worker.js", import.meta.url);
var PARALLEL_MIN_BYTES = 16 << 20;
var MIN_PART_BYTES = 8 << 20;
function readRange(fd, start, end) {
  const bytes = Buffer.allocUnsafe(end - start);
  for (let done = 0; done < bytes.length; ) {
    const read = readSync(fd, bytes, done, bytes.length - done, start + done);
    if (read === 0)
      throw new Error(`the file ended at byte ${start + done}, before ${end}: it changed while being read`);
    done += read;
  }
  return bytes;
}
var PROBE_BYTES = 64 << 10;
var HASH_CHUNK_BYTES = 256 << 10;
function digestFile(fd, size) {
  const hash = createHash("sha256");
  const chunk = Buffer.allocUnsafe(Math.min(size, HASH_CHUNK_BYTES));
  for (let at = 0; at < size; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (read === 0)
      throw new Error(`the file ended at byte ${at}, before ${size}: it changed while being read`);
    hash.update(read === chunk.length ? chunk : chunk.subarray(0, read));
    at += read;
  }
  return hash.digest("hex");
}
function runJob(job, reply) {
  const fd = openSync(job.path, "r");
  try {
    if (job.part !== void 0) {
      const { start, end, width } = job.part;
      const part = readRange(fd, start, end);
      const scan = scanRecords(part, 0, part.length, width, 0);
      const quoted = part.indexOf(34) >= 0;
      const bytes = part.byteOffset === 0 && part.buffer.byteLength === part.length ? part : new Uint8Array(part);
      const transfer = [bytes.buffer];
      if (scan.kind === "rows") {
        for (const values of scan.numbers)
          if (values !== void 0) transfer.push(values.buffer);
        transfer.push(scan.cellStarts.buffer);
      }
      reply({ kind: "part", scan, bytes, quoted }, transfer);
    }
    if (job.digest) reply({ kind: "digest", sha256: digestFile(fd, job.size) }, []);
  } finally {
    closeSync(fd);
  }
}

// packages/core/src/kernel/wasm.ts
var wasm = globalThis.WebAssembly;
var PAGE = 65536;
var KERNEL_DATA_START = PAGE;
var KERNEL_MAX_BYTES = 2 ** 31;
function loadKernel(base64, imports = {}) {
  const memory = new wasm.Memory({ initial: 1, maximum: KERNEL_MAX_BYTES / PAGE });
  const module = new wasm.Module(Buffer.from(base64, "base64"));
  const { exports } = new wasm.Instance(module, { ...imports, env: { memory } });
  return {
    exports,
    memory: (bytes) => {
      if (bytes > KERNEL_MAX_BYTES) return void 0;
      if (memory.buffer.byteLength < bytes) {
        try {
          memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
        } catch {
          return void 0;
        }
      }
      return memory.buffer;
    }
  };
}

// packages/core/src/data/csv-kernel.wasm.ts
var CSV_KERNEL_WASM = "AGFzbQEAAAABEQFgDH9/f39/f39/f39/fwF/Ag8BA2VudgZtZW1vcnkCAAADAgEABxkCDHBhcnNlUmVjb3JkcwAABm1lbW9yeQIACoIFAf8EAw5/AX4BfCAEQQFrIRIDQCADIBFKBEACQANAIAEgAkwEQAJAIAAgAWotAAAiDEEKRgR/IAFBAWoFIAxBDUYEfyAAIAFqLQABQQpGBUEAC0UNASABQQJqCyEBDAILCwsgASACSg0AIAYgByARbEECdGohFSAIIAkgEWxBA3RqIRYgASEMQQAhE0EAIRADQCAEIBBKBEACQCAFIBBBAnRqKAIAIhhBAE4EQCAAIAxqLQAAIg1BLUYiFCANQStGcgRAIAxBAWoiDCAAai0AACENCyAMIQ5CACEaA0AgDUEwayIPQQlNBEAgD60gGkIKfnwhGiAMQQFqIgwgAGotAAAhDQwBCwsgDCAOayEOQQAhDyANQS5GBEAgDEEBaiIMIQ8gACAMai0AACENA0AgDUEwayIZQQlNBEAgGa0gGkIKfnwhGiAMQQFqIgwgAGotAAAhDQwBCwsgDCAPayIPIA5qIQ4LIA5FIA5BD0pyDQEgFSAYQQJ0aiAPBHwgGrogCiAPQQN0aisDAKMFIBq6CyIbmiAbIBQbtjgCAAUgDCEOIAAgDGotAAAhDQNAIA1BCkcgDUEsR3EgDUENR3EEQCAMQQFqIgwgAGotAAAhDQwBCwsgGEF+TARAIBZBfiAYa0EDdGoiDyAONgIAIA8gDDYCBAsLAkAgDUEsRgRAIBAgEkYNAiAMQQFqIQwMAQsgECASRw0BIA1BCkYEfyAMQQFqBSANQQ1GBH8gACAMai0AAUEKRgVBAAtFDQIgDEECagshDEEBIRMLIBBBAWohEAwCCwsLIBNFBEBBASEXDAELIAwhASARQQFqIREMAgsLCyALIAE2AgAgCyAXNgIEIBEL";

// packages/core/src/data/csv-kernel.ts
var OUT_BYTES = 1 << 20;
var MAX_RUN = 8192;
function recordKernel(slot, keptAt, kept, featureWidth, chunkBytes, powers2) {
  const width = slot.length;
  const maxRun = Math.max(1, Math.min(MAX_RUN, Math.floor(OUT_BYTES / Math.max(1, featureWidth * 4))));
  const align = (n) => Math.ceil(n / 16) * 16;
  const stateAt = KERNEL_DATA_START;
  const powersAt = stateAt + 16;
  const slotsAt = powersAt + align(powers2.length * 8);
  const chunkAt = slotsAt + align(width * 4);
  const outAt = chunkAt + align(chunkBytes);
  const spansAt = outAt + align(maxRun * featureWidth * 4);
  const end = spansAt + maxRun * kept * 8;
  let kernel;
  try {
    kernel = loadKernel(CSV_KERNEL_WASM);
  } catch {
    return void 0;
  }
  const memory = kernel.memory(end);
  if (memory === void 0) return void 0;
  new Float64Array(memory, powersAt, powers2.length).set(powers2);
  const slots = new Int32Array(memory, slotsAt, width);
  for (let c = 0; c < width; c++) {
    const k = keptAt[c];
    slots[c] = k >= 0 ? -2 - k : slot[c] >= 0 ? slot[c] : -1;
  }
  const state = new Int32Array(memory, stateAt, 2);
  const parse = kernel.exports.parseRecords;
  return {
    chunk: Buffer.from(memory, chunkAt, chunkBytes),
    features: new Float32Array(memory, outAt, maxRun * featureWidth),
    spans: new Int32Array(memory, spansAt, maxRun * kept * 2),
    run: (pos, lastLf, max) => parse(
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
      stateAt
    ),
    pos: () => state[0],
    stopped: () => state[1] === 1
  };
}

// packages/core/src/data/stream.ts
import { closeSync as closeSync2, openSync as openSync2, readSync as readSync2 } from "node:fs";
var NotStreamable = class extends Error {
};
function refillWindow(fd, window) {
  const rest = window.length - window.pos;
  if (rest >= window.buffer.length / 2) {
    const larger = Buffer.allocUnsafe(window.buffer.length * 2);
    window.buffer.copy(larger, 0, window.pos, window.length);
    window.buffer = larger;
  } else {
    window.buffer.copy(window.buffer, 0, window.pos, window.length);
  }
  window.length = rest;
  window.pos = 0;
  const read = readSync2(
    fd,
    window.buffer,
    window.length,
    window.buffer.length - window.length,
    window.offset
  );
  window.offset += read;
  window.length += read;
  if (read === 0) window.eof = true;
}

// packages/core/src/data/csv-stream.ts
var CHUNK_BYTES = 1 << 20;
var MARK_RECORDS = 1024;
var SHORT_CELL_BYTES = 6;
var Dictionary = class {
  codes;
  texts = [];
  index = /* @__PURE__ */ new Map();
  constructor(rows) {
    this.codes = new Int32Array(rows);
  }
  /** Codes of short cells by their bytes as one number: no string is made for a text seen before. */
  byBytes = /* @__PURE__ */ new Map();
  /** The text of the cell last added. */
  last = "";
  add(row, text) {
    this.codes[row] = this.codeOf(text);
    this.last = text;
  }
  /** Adds the cell `bytes[from, to)` (UTF-8). */
  addBytes(row, bytes, from, to) {
    if (to - from > SHORT_CELL_BYTES) {
      this.add(row, bytes.toString("utf8", from, to));
      return;
    }
    let key = to - from;
    for (let at = from; at < to; at++) key = key * 256 + bytes[at];
    const code = this.byBytes.get(key);
    if (code === void 0) {
      this.add(row, bytes.toString("utf8", from, to));
      this.byBytes.set(key, this.codes[row]);
    } else {
      this.codes[row] = code;
      this.last = this.texts[code];
    }
  }
  /** Codes `codes` of a batch from row `start`, each indexing the batch's own `texts` (a parse worker's). */
  merge(start, codes, texts) {
    const global = Int32Array.from(texts, (text) => this.codeOf(text));
    for (let i = 0; i < codes.length; i++) this.codes[start + i] = global[codes[i]];
  }
  codeOf(text) {
    let code = this.index.get(text);
    if (code === void 0) {
      code = this.texts.length;
      this.texts.push(text);
      this.index.set(text, code);
    }
    return code;
  }
  /** The column as the whole read types it: numbers when every cell is one, else text. */
  source() {
    const numbers = this.texts.map(parseNumber);
    const codes = this.codes;
    if (numbers.every((n) => n !== void 0)) {
      const byCode = Float64Array.from(numbers);
      const values = new Float64Array(codes.length);
      for (let row = 0; row < codes.length; row++) values[row] = byCode[codes[row]];
      const trimmed = this.texts.map(trimNumberText);
      let cells2;
      return {
        column: { kind: "number", values },
        strings: () => {
          cells2 ??= textsOf(codes, trimmed);
          return cells2;
        }
      };
    }
    const cells = textsOf(codes, this.texts);
    return { column: { kind: "string", values: cells }, strings: () => cells };
  }
};
function textsOf(codes, texts) {
  const cells = new Array(codes.length);
  for (let row = 0; row < codes.length; row++) cells[row] = texts[codes[row]];
  return cells;
}
function keptSlots(slot, keptAt, kept) {
  const keptSlot = new Int32Array(kept).fill(-1);
  keptAt.forEach((k, c) => {
    if (k >= 0) keptSlot[k] = slot[c];
  });
  return keptSlot;
}
function parseRecords(reader, kernel, layout, into, featureWidth, run) {
  let backoff = 0;
  let resumeAt = 0;
  for (let i = 0; i < run.rows; ) {
    const bytes = reader.record();
    if (kernel !== void 0 && i >= resumeAt && reader.memory === kernel.chunk) {
      const n = kernel.run(reader.pos, reader.wholeUpTo, run.rows - i);
      if (n > 0) {
        into.set(kernel.features.subarray(0, n * featureWidth), i * featureWidth);
        if (layout.kept.length > 0) keptCells(kernel, bytes, n, layout, into, featureWidth, run, i);
        reader.pos = kernel.pos();
        i += n;
        backoff = 0;
        continue;
      }
      if (kernel.stopped()) {
        backoff = Math.min(1024, Math.max(1, backoff * 2));
        resumeAt = i + backoff;
      }
    }
    reader.pos = parseRecord(bytes, reader.pos, run.row + i, run.keptRow + i, layout, into, i * featureWidth);
    i++;
  }
}
function keptCells(kernel, bytes, n, layout, into, featureWidth, run, at) {
  const { kept, keptSlot } = layout;
  const spans = kernel.spans;
  const count = kept.length;
  for (let q = 0, s = 0; q < n; q++) {
    for (let k = 0; k < count; k++, s += 2) {
      const dictionary = kept[k];
      dictionary.addBytes(run.keptRow + at + q, bytes, spans[s], spans[s + 1]);
      const j = keptSlot[k];
      if (j < 0) continue;
      const single = Math.fround(parseNumber(dictionary.last) ?? Number.NaN);
      if (!Number.isFinite(single))
        throw new NotStreamable(`row ${run.row + at + q + 1}: a feature that is not a finite float32`);
      into[(at + q) * featureWidth + j] = single;
    }
  }
}
var FAST_POWERS = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);
function parseRecord(bytes, pos, r, keptRow, layout, into, base) {
  const { width, slot, keptAt } = layout;
  const powers2 = FAST_POWERS;
  const last = width - 1;
  for (let c = 0; c < width; c++) {
    const j = slot[c];
    if (j >= 0 && keptAt[c] < 0) {
      let p = pos;
      let d = (bytes[p] | 0) - 48 /* Zero */;
      const negative = d === 45 /* Minus */ - 48 /* Zero */;
      if (negative || d === 43 /* Plus */ - 48 /* Zero */) d = (bytes[++p] | 0) - 48 /* Zero */;
      const first = p;
      let m = 0;
      while (d >>> 0 <= 9) {
        m = m * 10 + d;
        d = (bytes[++p] | 0) - 48 /* Zero */;
      }
      let digits = p - first;
      let scale = 0;
      if (d === 46 /* Dot */ - 48 /* Zero */) {
        const dot = ++p;
        d = (bytes[p] | 0) - 48 /* Zero */;
        while (d >>> 0 <= 9) {
          m = m * 10 + d;
          d = (bytes[++p] | 0) - 48 /* Zero */;
        }
        scale = p - dot;
        digits += scale;
      }
      if (digits > 0 && digits <= 15 /* MaxDigits */ && (d === 44 /* Comma */ - 48 /* Zero */ || d === 10 /* Lf */ - 48 /* Zero */ || d === 13 /* Cr */ - 48 /* Zero */ && bytes[p + 1] === 10 /* Lf */)) {
        const value = scale === 0 ? m : m / powers2[scale];
        into[base + j] = negative ? -value : value;
        if (d === 44 /* Comma */ - 48 /* Zero */) {
          if (c === last) throw new NotStreamable(`row ${r + 1} is ragged`);
          pos = p + 1;
          continue;
        }
        if (c !== last) throw new NotStreamable(`row ${r + 1} is ragged`);
        return d === 10 /* Lf */ - 48 /* Zero */ ? p + 1 : p + 2;
      }
    }
    const cellEnd = otherCell(bytes, pos, c, r, keptRow, layout, into, base);
    const next = bytes[cellEnd];
    if (c < last) {
      if (next !== 44 /* Comma */) throw new NotStreamable(`row ${r + 1} is ragged`);
      pos = cellEnd + 1;
    } else {
      if (next === 44 /* Comma */) throw new NotStreamable(`row ${r + 1} is ragged`);
      pos = afterRecordEnd(bytes, cellEnd);
    }
  }
  return pos;
}
function otherCell(bytes, pos, c, r, keptRow, layout, into, base) {
  const j = layout.slot[c];
  const k = layout.keptAt[c];
  if (k < 0 && j < 0) return fieldEnd(bytes, pos);
  let value;
  let cellEnd;
  const numberEnd = k < 0 ? scanNumber(bytes, pos) : -1;
  if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
    value = scanned.value;
    cellEnd = numberEnd;
  } else if (k >= 0) {
    cellEnd = fieldEnd(bytes, pos);
    const dictionary = layout.kept[k];
    dictionary.addBytes(keptRow, bytes, pos, cellEnd);
    if (j >= 0) value = parseNumber(dictionary.last);
  } else {
    readField(bytes, pos, layout.field);
    cellEnd = layout.field.end;
    value = parseNumber(layout.field.text);
  }
  if (j >= 0) {
    const single = Math.fround(value ?? Number.NaN);
    if (!Number.isFinite(single))
      throw new NotStreamable(`row ${r + 1}: a feature that is not a finite float32`);
    into[base + j] = single;
  }
  return cellEnd;
}
function fieldEnd(bytes, pos) {
  let end = pos;
  for (; ; ) {
    const byte = bytes[end];
    if (byte === void 0 || byte === 44 /* Comma */ || byte === 10 /* Lf */ || byte === 13 /* Cr */) return end;
    end++;
  }
}
var ChunkReader = class {
  buffer;
  length = 0;
  offset;
  eof = false;
  fd;
  pos = 0;
  constructor(path, start, buffer = Buffer.allocUnsafe(CHUNK_BYTES)) {
    this.fd = openSync3(path, "r");
    this.offset = start;
    this.buffer = buffer;
    this.view = buffer.subarray(0, 0);
  }
  /** Skips `records` records unread. */
  skip(records) {
    for (let skipped = 0; skipped < records; skipped++) {
      const bytes = this.record();
      const lf = bytes.indexOf(10 /* Lf */, this.pos);
      this.pos = lf < 0 ? bytes.length : lf + 1;
    }
  }
  /** The buffer, grown if a record needed it (a parse worker keeps it for its next batch). */
  get memory() {
    return this.buffer;
  }
  /** The bytes read so far (a view, renewed on each refill). */
  view;
  /** The last line end in the view: a record starting at or before it is whole. */
  lastLf = -1;
  /** The last line end read: a record starting at or before it is whole. */
  get wholeUpTo() {
    return this.lastLf;
  }
  /** The bytes read, with a whole record (blank lines skipped) at `pos`; past the end, a NotStreamable. */
  record() {
    for (; ; ) {
      const bytes = this.view;
      while (bytes[this.pos] === 10 /* Lf */ || bytes[this.pos] === 13 /* Cr */ && bytes[this.pos + 1] === 10 /* Lf */) {
        this.pos += bytes[this.pos] === 10 /* Lf */ ? 1 : 2;
      }
      if (this.pos <= this.lastLf || this.eof && this.pos < this.length) return bytes;
      if (this.eof) throw new NotStreamable("the file ended before its last record");
      this.refill();
    }
  }
  /** Moves the unread bytes to the front and reads more after them (a larger buffer for a huge record). */
  refill() {
    if (this.fd === void 0) throw new Error("bug: read after close");
    refillWindow(this.fd, this);
    this.view = this.buffer.subarray(0, this.length);
    this.lastLf = this.view.lastIndexOf(10 /* Lf */);
  }
  close() {
    if (this.fd !== void 0) closeSync3(this.fd);
    this.fd = void 0;
  }
};
var PARSE_WORKERS_MIN_BYTES = 128 << 20;
var PARSE_CHUNK_BYTES = 1 << 20;
function parseBatch(job, request, chunk, kernel) {
  const { index, start, rows, row } = request;
  const size = rows * job.featureWidth;
  const features = request.buffer !== void 0 && request.buffer.byteLength >= size * 4 ? new Float32Array(request.buffer, 0, size) : new Float32Array(size);
  const dictionaries = Array.from({ length: job.kept }, () => new Dictionary(rows));
  const layout = {
    width: job.width,
    slot: job.slot,
    keptAt: job.keptAt,
    kept: dictionaries,
    keptSlot: keptSlots(job.slot, job.keptAt, job.kept),
    field: { text: "", end: 0, newlines: 0 }
  };
  const mark = Math.floor(start / MARK_RECORDS);
  let reader;
  try {
    reader = new ChunkReader(job.path, job.marks[mark], kernel?.chunk ?? chunk);
    reader.skip(start - mark * MARK_RECORDS);
    parseRecords(reader, kernel, layout, features, job.featureWidth, { rows, row, keptRow: 0 });
  } catch (error) {
    const message = String(error?.message ?? error);
    const failed = error instanceof NotStreamable ? { error: message } : { failure: message };
    return {
      reply: { index, features, codes: [], texts: [], ...failed },
      chunk: ownChunk(reader, kernel, chunk)
    };
  } finally {
    reader?.close();
  }
  const codes = dictionaries.map((d) => d.codes);
  return {
    reply: { index, features, codes, texts: dictionaries.map((d) => d.texts) },
    chunk: ownChunk(reader, kernel, chunk)
  };
}
function ownChunk(reader, kernel, chunk) {
  return kernel !== void 0 || reader === void 0 ? chunk : reader.memory;
}
function jobKernel(job) {
  return recordKernel(job.slot, job.keptAt, job.kept, job.featureWidth, PARSE_CHUNK_BYTES, FAST_POWERS);
}
function serveStream(job, listen, reply) {
  let chunk = Buffer.allocUnsafe(PARSE_CHUNK_BYTES);
  const kernel = jobKernel(job);
  listen((request) => {
    const parsed = parseBatch(job, request, chunk, kernel);
    chunk = parsed.chunk;
    const { features, codes } = parsed.reply;
    const transfer = [features.buffer, ...codes.map((c) => c.buffer)];
    reply(
      parsed.reply,
      parsed.reply.error === void 0 && parsed.reply.failure === void 0 ? transfer : []
    );
  });
  reply({ index: -1, features: new Float32Array(0), codes: [], texts: [] }, []);
}

// packages/core/src/data/worker.ts
parentPort?.once("message", (job) => {
  if ("stream" in job) {
    serveStream(
      job,
      (handle) => parentPort?.on("message", handle),
      (message, transfer) => parentPort?.postMessage(message, transfer)
    );
  } else {
    runJob(job, (message, transfer) => parentPort?.postMessage(message, transfer));
  }
});
