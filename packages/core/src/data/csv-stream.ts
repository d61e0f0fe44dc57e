/**
 * A CSV file read as a stream, in memory that does not grow with the file: what a large
 * evaluation needs (DESIGN.md "Growing past one machine").
 *
 * Two passes over the file, each a chunk at a time:
 * 1. hash it, count its records, and make sure the fast path can take it: no quote anywhere, no
 *    CR that does not end a line;
 * 2. parse the records in order, straight into the model's float32 input a batch at a time
 *    (`features().copy`), keeping of each row only the cells of the few columns asked for (the
 *    label and the slice keys), dictionary-coded. Runs of plain records are parsed in
 *    WebAssembly (csv-kernel.ts), straight from the read buffer; parseRecord below takes the
 *    rest and is the rule the kernel follows.
 *
 * Anything unusual in pass 2 (a cell that is not a finite float32 number, a ragged row) throws
 * {@link NotStreamable}: the caller then reads the file whole, which words the error exactly as
 * it always has. So the stream only ever gives what the whole read gives, values included
 * (each equals `Math.fround(parseFloat(text))`).
 */

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { scanHeader } from './csv.ts';
import { type RecordKernel, recordKernel } from './csv-kernel.ts';
import { afterRecordEnd, Byte, type Field, isFieldEnd, readField } from './csv-scan.ts';
import { parseNumber, scanNumber, scanned, trimNumberText } from './numbers.ts';
import {
  type DataStreamWorker,
  type DataWorker,
  digestPath,
  PARALLEL_MIN_BYTES,
  startStreamWorker,
  startWorker,
  workersAvailable,
} from './parallel.ts';
import { NotStreamable, PassEnd, type ReadWindow, type RowStream, refillWindow } from './stream.ts';
import type { ColumnSource } from './table.ts';

/**
 * Bytes read at a time: big enough that a system call per chunk costs nothing, small enough to
 * stay in the cache while it is scanned. Reading a 612 MB file from the page cache took 150 ms
 * in 1 MiB chunks and 190–330 ms in 8 MiB ones (the copy writes over memory the cache has lost).
 */
const CHUNK_BYTES = 1 << 20;
/** The first pass notes where every this many records start, so that a worker can start there. */
const MARK_RECORDS = 1024;

/** Cells up to this many bytes are looked up by their bytes (Dictionary.addBytes). */
const SHORT_CELL_BYTES = 6;

/** A text column kept while streaming: a code per row, and the distinct texts. */
class Dictionary {
  readonly codes: Int32Array;
  readonly texts: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(rows: number) {
    this.codes = new Int32Array(rows);
  }

  /** Codes of short cells by their bytes as one number: no string is made for a text seen before. */
  private readonly byBytes = new Map<number, number>();
  /** The text of the cell last added. */
  last = '';

  add(row: number, text: string): void {
    this.codes[row] = this.codeOf(text);
    this.last = text;
  }

  /** Adds the cell `bytes[from, to)` (UTF-8). */
  addBytes(row: number, bytes: Buffer, from: number, to: number): void {
    if (to - from > SHORT_CELL_BYTES) {
      this.add(row, bytes.toString('utf8', from, to));
      return;
    }
    // Up to 6 bytes and their count are one integer below 2^51: exact as a number.
    let key = to - from;
    for (let at = from; at < to; at++) key = key * 256 + (bytes[at] as number);
    const code = this.byBytes.get(key);
    if (code === undefined) {
      this.add(row, bytes.toString('utf8', from, to));
      this.byBytes.set(key, this.codes[row] as number);
    } else {
      this.codes[row] = code;
      this.last = this.texts[code] as string;
    }
  }

  /** Codes `codes` of a batch from row `start`, each indexing the batch's own `texts` (a parse worker's). */
  merge(start: number, codes: Int32Array, texts: readonly string[]): void {
    // The batch's texts are in the order it first met them, so adding them in that order keeps
    // this dictionary's codes in the order of first appearance, as one pass gives them.
    const global = Int32Array.from(texts, (text) => this.codeOf(text));
    for (let i = 0; i < codes.length; i++) this.codes[start + i] = global[codes[i] as number] as number;
  }

  private codeOf(text: string): number {
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.texts.length;
      this.texts.push(text);
      this.index.set(text, code);
    }
    return code;
  }

  /** The column as the whole read types it: numbers when every cell is one, else text. */
  source(): ColumnSource {
    const numbers = this.texts.map(parseNumber);
    const codes = this.codes;
    if (numbers.every((n) => n !== undefined)) {
      // Plain loops: Float64Array.from with a mapping function costs a call per row.
      const byCode = Float64Array.from(numbers as number[]);
      const values = new Float64Array(codes.length);
      for (let row = 0; row < codes.length; row++) values[row] = byCode[codes[row] as number] as number;
      const trimmed = this.texts.map(trimNumberText);
      let cells: string[] | undefined;
      return {
        column: { kind: 'number', values },
        strings: () => {
          cells ??= textsOf(codes, trimmed);
          return cells;
        },
      };
    }
    const cells = textsOf(codes, this.texts);
    return { column: { kind: 'string', values: cells }, strings: () => cells };
  }
}

/** The text of each row's code. */
function textsOf(codes: Int32Array, texts: readonly string[]): string[] {
  const cells = new Array<string>(codes.length);
  for (let row = 0; row < codes.length; row++) cells[row] = texts[codes[row] as number] as string;
  return cells;
}

/**
 * Opens `path` for streaming, keeping the cells of `keep` (which must be columns of the file).
 * Undefined when the fast path cannot take the file: read it whole then.
 */
export function openCsvStream(path: string, keep: readonly string[]): RowStream | undefined {
  const fd = openSync(path, 'r');
  let hashing: DataWorker | undefined;
  let parsing: ParsePool | undefined;
  try {
    const size = fstatSync(fd).size;
    // A worker hashes the file on another core while this thread counts and parses it.
    hashing =
      size >= PARALLEL_MIN_BYTES && workersAvailable()
        ? startWorker({ path, size, digest: true })
        : undefined;
    // The parse workers start now too, so that they are ready when the first pass is done.
    const parsers = parserCount(size);
    parsing = parsers > 0 ? new ParsePool(parsers) : undefined;
    const first = firstPass(fd, path, hashing === undefined);
    if (first === undefined || !keep.every((name) => first.names.includes(name))) {
      hashing?.stop();
      parsing?.close();
      return undefined;
    }
    let stopped = false;
    const sha256 =
      first.sha256 !== undefined
        ? Promise.resolve(first.sha256)
        : // A worker that failed leaves the digest to this thread; one stopped is not asked.
          (hashing as DataWorker).digest.catch((error: unknown) => {
            if (stopped) throw error;
            return digestPath(path, size);
          });
    sha256.catch(() => undefined);
    const worker = hashing;
    const stopHashing = () => {
      stopped = true;
      worker?.stop();
    };
    return streamOf(path, size, { ...first, sha256 }, keep, parsing, stopHashing);
  } catch (error) {
    hashing?.stop();
    parsing?.close();
    throw error;
  } finally {
    closeSync(fd);
  }
}

interface FirstPass {
  readonly names: string[];
  /** Byte offset of the first data record. */
  readonly start: number;
  readonly rows: number;
  /** Undefined when a worker hashes the file. */
  readonly sha256: string | undefined;
  /** Where data record `k × MARK_RECORDS` starts (or blank lines before it), for each k. */
  readonly marks: readonly number[];
}

/** Pass 1: count records, check for quotes and lone CRs, and hash unless a worker does. Undefined: not for the stream. */
function firstPass(fd: number, path: string, digest: boolean): FirstPass | undefined {
  const hash = digest ? createHash('sha256') : undefined;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let header: { names: string[]; pos: number } | undefined;
  let lines = 0;
  let content = false;
  let pendingCr = false;
  let offset = 0;
  const marks: number[] = [];
  for (;;) {
    const read = readSync(fd, buffer, 0, CHUNK_BYTES, offset);
    if (read === 0) break;
    const bytes = buffer.subarray(0, read);
    hash?.update(bytes);
    if (header === undefined) {
      let found: ReturnType<typeof scanHeader>;
      try {
        found = scanHeader(path, bytes);
      } catch {
        return undefined;
      }
      if (found === undefined || found.pos >= read) return undefined;
      header = { names: found.names, pos: found.pos };
    }
    if (bytes.indexOf(Byte.Quote) >= 0) return undefined;
    if (pendingCr && bytes[0] !== Byte.Lf) return undefined;
    for (let cr = bytes.indexOf(Byte.Cr); cr >= 0; cr = bytes.indexOf(Byte.Cr, cr + 1)) {
      if (cr + 1 < read && bytes[cr + 1] !== Byte.Lf) return undefined;
    }
    pendingCr = bytes[read - 1] === Byte.Cr;
    let from = 0;
    for (let lf = bytes.indexOf(Byte.Lf); lf >= 0; lf = bytes.indexOf(Byte.Lf, lf + 1)) {
      if (content || hasContent(bytes, from, lf)) {
        lines++;
        // Data record lines - 1 starts past this line end (the header is line 1).
        if ((lines - 1) % MARK_RECORDS === 0) marks.push(offset + lf + 1);
      }
      content = false;
      from = lf + 1;
    }
    content ||= hasContent(bytes, from, read);
    offset += read;
  }
  if (pendingCr || header === undefined) return undefined;
  if (content) lines++;
  // The header is the first line with content; blank lines before it are not counted either.
  const rows = lines - 1;
  return rows > 0
    ? { names: header.names, start: header.pos, rows, sha256: hash?.digest('hex'), marks }
    : undefined;
}

/** Whether bytes [from, to) of a line hold more than the CR of a CRLF. */
function hasContent(bytes: Buffer, from: number, to: number): boolean {
  return to - from > 1 || (to - from === 1 && bytes[from] !== Byte.Cr);
}

function streamOf(
  path: string,
  size: number,
  first: Omit<FirstPass, 'sha256'> & { sha256: Promise<string> },
  keep: readonly string[],
  pool: ParsePool | undefined,
  stopHashing: () => void,
): RowStream {
  const { names, rows } = first;
  const width = names.length;
  let kept: Dictionary[] = [];
  let count = 0;
  let parsed = 0;
  const end = new PassEnd(() => pool?.close(), stopHashing);
  return {
    path,
    bytes: size,
    rows,
    sha256: first.sha256,
    names,
    features(columns, again, range = { start: 0, end: rows }) {
      count = range.end - range.start;
      kept = keep.map(() => new Dictionary(count));
      const layout = recordLayout(names, columns, keep, kept);
      const featureWidth = columns.length;
      const stash = new Map<number, Float32Array>(again.map((row) => [row, new Float32Array(featureWidth)]));
      // The rows kept aside for `again`, in order, and the next of them the pass reaches.
      const stashed = [...stash.keys()].sort((a, b) => a - b);
      let nextStash = 0;
      /** Keeps aside the rows of `again` among rows [start, end), just written to `into`. */
      const keepAside = (start: number, end: number, into: Float32Array) => {
        for (; nextStash < stashed.length && (stashed[nextStash] as number) < end; nextStash++) {
          const base = ((stashed[nextStash] as number) - start) * featureWidth;
          if (base >= 0)
            stash.get(stashed[nextStash] as number)?.set(into.subarray(base, base + featureWidth));
        }
      };
      /** A single row of `again`, after the pass. */
      const fromStash = (start: number, end: number, into: Float32Array) => {
        const saved = end === start + 1 ? stash.get(start) : undefined;
        if (saved === undefined) throw new Error(`bug: streamed rows ${start}-${end} asked out of order`);
        into.set(saved);
      };
      if (pool !== undefined) {
        const job: StreamJob = {
          stream: true,
          path,
          width,
          slot: layout.slot,
          keptAt: layout.keptAt,
          kept: keep.length,
          featureWidth,
          marks: first.marks,
        };
        pool.start(job);
        // Batches the workers and this thread may have parsed ahead of the one the model needs.
        const window = 2 * (pool.size + 1);
        const results = new Map<number, BatchReply | Promise<BatchReply>>();
        let chunk: Buffer = Buffer.allocUnsafe(PARSE_CHUNK_BYTES);
        let kernel: RecordKernel | undefined | null = null;
        let batch = 0;
        let batches = 0;
        let next = 0;
        let handedOut = 0;
        const request = (index: number): BatchRequest => ({
          index,
          row: index * batch,
          start: range.start + index * batch,
          rows: Math.min(batch, count - index * batch),
        });
        /** Parses batch `handedOut` on this thread. */
        const parseHere = () => {
          if (kernel === null) kernel = jobKernel(job);
          const parsedHere = parseBatch(job, request(handedOut), chunk, kernel);
          chunk = parsedHere.chunk;
          results.set(handedOut++, parsedHere.reply);
        };
        return {
          rows: count,
          width: featureWidth,
          copy(start, end, into) {
            if (start === parsed)
              throw new Error('bug: a streamed file parsed in workers is read with fill()');
            fromStash(start, end, into);
          },
          async fill(start, end, into) {
            if (start !== parsed) return fromStash(start, end, into);
            // Batches are asked for in order, all `batch` rows but the last.
            if (batch === 0) {
              batch = end - start;
              batches = Math.ceil(count / batch);
            }
            if (start !== next * batch || (end !== start + batch && end !== count)) {
              pool.close();
              throw new Error(`bug: streamed rows ${start}-${end} are not batch ${next} of ${batch} rows`);
            }
            const last = Math.min(batches, next + window);
            // The workers that are ready take the next batches; this thread parses the one the
            // model needs when no worker has it, or, while a worker still parses it, one ahead.
            for (let w = pool.idle(); w >= 0 && handedOut < last; w = pool.idle()) {
              results.set(handedOut, pool.ask(w, request(handedOut)));
              handedOut++;
            }
            if (handedOut === next || (!pool.arrived(next) && handedOut < last)) parseHere();
            let reply: BatchReply;
            try {
              reply = await (results.get(next) as BatchReply | Promise<BatchReply>);
            } catch (error) {
              pool.close();
              throw error;
            }
            results.delete(next);
            if (reply.error !== undefined || reply.failure !== undefined) {
              pool.close();
              throw new NotStreamable(reply.error ?? `a parse worker failed: ${reply.failure}`);
            }
            into.set(reply.features.subarray(0, (end - start) * featureWidth));
            reply.codes.forEach((codes, k) => {
              (kept[k] as Dictionary).merge(start, codes, reply.texts[k] as string[]);
            });
            pool.recycle(reply);
            keepAside(start, end, into);
            parsed = end;
            next++;
            if (parsed === count) pool.close();
          },
        };
      }
      const kernel = recordKernel(
        layout.slot,
        layout.keptAt,
        keep.length,
        featureWidth,
        CHUNK_BYTES,
        FAST_POWERS,
      );
      const reader = new ChunkReader(path, first.start, kernel?.chunk);
      // A shard's rows start past the earlier shards': skip their records unread.
      reader.skip(range.start);
      return {
        rows: count,
        width: featureWidth,
        copy(start, end, into) {
          if (start !== parsed) return fromStash(start, end, into);
          parseRecords(reader, kernel, layout, into, featureWidth, {
            rows: end - start,
            row: start,
            keptRow: start,
          });
          keepAside(start, end, into);
          parsed = end;
          if (parsed === count) reader.close();
        },
      };
    },
    close: end.close,
    table: () =>
      end.table({ path, format: 'csv', sha256: first.sha256, bytes: size }, { parsed, count }, keep, () =>
        kept.map((d) => d.source()),
      ),
  };
}

/** How a record's cells map to the model input and the kept columns (see `features`). */
interface RecordLayout {
  readonly width: number;
  /** Per file column: its index in the model input, or -1. */
  readonly slot: Int32Array;
  /** Per file column: its index among the kept columns, or -1. */
  readonly keptAt: Int32Array;
  readonly kept: readonly Dictionary[];
  /** Per kept column: its index in the model input, or -1. */
  readonly keptSlot: Int32Array;
  readonly field: Field;
}

/** Where each column of the file goes: into the model input (`columns`), among the kept columns, or nowhere. */
function recordLayout(
  names: readonly string[],
  columns: readonly string[],
  keep: readonly string[],
  kept: readonly Dictionary[],
): RecordLayout {
  const slot = new Int32Array(names.length).fill(-1);
  columns.forEach((name, j) => {
    slot[names.indexOf(name)] = j;
  });
  const keptAt = new Int32Array(names.length).fill(-1);
  keep.forEach((name, k) => {
    keptAt[names.indexOf(name)] = k;
  });
  return {
    width: names.length,
    slot,
    keptAt,
    kept,
    keptSlot: keptSlots(slot, keptAt, keep.length),
    field: { text: '', end: 0, newlines: 0 },
  };
}

/** Per kept column, its index in the model input or -1. */
function keptSlots(slot: Int32Array, keptAt: Int32Array, kept: number): Int32Array {
  const keptSlot = new Int32Array(kept).fill(-1);
  keptAt.forEach((k, c) => {
    if (k >= 0) keptSlot[k] = slot[c] as number;
  });
  return keptSlot;
}

/** Where {@link parseRecords} puts its records: `rows` of them, numbered from `row` in messages and from `keptRow` in the dictionaries. */
interface RecordRun {
  readonly rows: number;
  readonly row: number;
  readonly keptRow: number;
}

/**
 * Parses `run.rows` records from `reader` into `into` (record i at i × featureWidth), as
 * parseRecord does one at a time. The kernel, when there is one and the records are in its
 * memory, takes runs of plain records; parseRecord takes the others, and words what is wrong.
 * A kernel that keeps stopping at the first record of a run (a file of exponents, say) is
 * asked again only after twice as many records each time, up to 1,024.
 */
function parseRecords(
  reader: ChunkReader,
  kernel: RecordKernel | undefined,
  layout: RecordLayout,
  into: Float32Array,
  featureWidth: number,
  run: RecordRun,
): void {
  let backoff = 0;
  let resumeAt = 0;
  for (let i = 0; i < run.rows; ) {
    const bytes = reader.record();
    if (kernel !== undefined && i >= resumeAt && reader.memory === kernel.chunk) {
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

/** The kept cells of `n` records the kernel parsed, from record `at` of the run: as otherCell keeps them. */
function keptCells(
  kernel: RecordKernel,
  bytes: Buffer,
  n: number,
  layout: RecordLayout,
  into: Float32Array,
  featureWidth: number,
  run: RecordRun,
  at: number,
): void {
  const { kept, keptSlot } = layout;
  const spans = kernel.spans;
  const count = kept.length;
  for (let q = 0, s = 0; q < n; q++) {
    for (let k = 0; k < count; k++, s += 2) {
      const dictionary = kept[k] as Dictionary;
      dictionary.addBytes(run.keptRow + at + q, bytes, spans[s] as number, spans[s + 1] as number);
      const j = keptSlot[k] as number;
      if (j < 0) continue;
      const single = Math.fround(parseNumber(dictionary.last) ?? Number.NaN);
      if (!Number.isFinite(single))
        throw new NotStreamable(`row ${run.row + at + q + 1}: a feature that is not a finite float32`);
      into[(at + q) * featureWidth + j] = single;
    }
  }
}

/** 10^0 … 10^15: the scales of the fast path, each an exact double. */
const FAST_POWERS = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);

/** Bytes of the fast path, inlined as literals (see numbers.ts on why an enum). */
enum Fast {
  Zero = 0x30,
  Plus = 0x2b,
  Minus = 0x2d,
  Dot = 0x2e,
  /** Up to 15 digits, the mantissa is an exact integer below 2^53 (10^15 < 2^53). */
  MaxDigits = 15,
}

/**
 * Parses the record at `pos` (row `r` of the pass, as errors name it) into `into` from `base`,
 * keeping the cells of the kept columns as row `keptRow`; returns the index just past it. A top-level function, so that the layout's
 * arrays sit in registers rather than in a closure's context.
 *
 * A feature cell that is `[+-]?digits[.digits]` with at most 15 digits in all, followed by a
 * field end, is read on the spot: its digits form an integer m < 2^53 and its scale k ≤ 15, so
 * m / 10^k is one correctly rounded division (Clinger), the double parseFloat gives, and storing
 * it in the float32 array rounds it as Math.fround does. Anything else (exponents, more digits,
 * spaces, `nan`) goes through scanNumber / parseNumber as before; values are the same either way.
 */
function parseRecord(
  bytes: Buffer,
  pos: number,
  r: number,
  keptRow: number,
  layout: RecordLayout,
  into: Float32Array,
  base: number,
): number {
  const { width, slot, keptAt } = layout;
  const powers = FAST_POWERS;
  const last = width - 1;
  for (let c = 0; c < width; c++) {
    const j = slot[c] as number;
    if (j >= 0 && (keptAt[c] as number) < 0) {
      // The fast path, on int32s: byte - '0' is a digit when it is 0…9 as an unsigned number;
      // past the end of the bytes, `undefined | 0` gives 0, which is no digit and ends no field.
      let p = pos;
      let d = ((bytes[p] as number) | 0) - Fast.Zero;
      const negative = d === Fast.Minus - Fast.Zero;
      if (negative || d === Fast.Plus - Fast.Zero) d = ((bytes[++p] as number) | 0) - Fast.Zero;
      const first = p;
      let m = 0;
      while (d >>> 0 <= 9) {
        m = m * 10 + d;
        d = ((bytes[++p] as number) | 0) - Fast.Zero;
      }
      let digits = p - first;
      let scale = 0;
      if (d === Fast.Dot - Fast.Zero) {
        const dot = ++p;
        d = ((bytes[p] as number) | 0) - Fast.Zero;
        while (d >>> 0 <= 9) {
          m = m * 10 + d;
          d = ((bytes[++p] as number) | 0) - Fast.Zero;
        }
        scale = p - dot;
        digits += scale;
      }
      if (
        digits > 0 &&
        digits <= Fast.MaxDigits &&
        (d === Byte.Comma - Fast.Zero ||
          d === Byte.Lf - Fast.Zero ||
          (d === Byte.Cr - Fast.Zero && bytes[p + 1] === Byte.Lf))
      ) {
        const value = scale === 0 ? m : m / (powers[scale] as number);
        into[base + j] = negative ? -value : value;
        // The byte after the number ends the field: a comma, or this record's last field.
        if (d === Byte.Comma - Fast.Zero) {
          if (c === last) throw new NotStreamable(`row ${r + 1} is ragged`);
          pos = p + 1;
          continue;
        }
        if (c !== last) throw new NotStreamable(`row ${r + 1} is ragged`);
        return d === Byte.Lf - Fast.Zero ? p + 1 : p + 2;
      }
    }
    const cellEnd = otherCell(bytes, pos, c, r, keptRow, layout, into, base);
    const next = bytes[cellEnd];
    if (c < last) {
      if (next !== Byte.Comma) throw new NotStreamable(`row ${r + 1} is ragged`);
      pos = cellEnd + 1;
    } else {
      if (next === Byte.Comma) throw new NotStreamable(`row ${r + 1} is ragged`);
      pos = afterRecordEnd(bytes, cellEnd);
    }
  }
  return pos;
}

/**
 * A cell the fast path did not take, at `pos` in column `c`: a feature through scanNumber /
 * parseNumber, a kept cell into its dictionary, any other skipped. Returns the index past it.
 */
function otherCell(
  bytes: Buffer,
  pos: number,
  c: number,
  r: number,
  keptRow: number,
  layout: RecordLayout,
  into: Float32Array,
  base: number,
): number {
  const j = layout.slot[c] as number;
  const k = layout.keptAt[c] as number;
  if (k < 0 && j < 0) return fieldEnd(bytes, pos);
  let value: number | undefined;
  let cellEnd: number;
  const numberEnd = k < 0 ? scanNumber(bytes, pos) : -1;
  if (numberEnd > pos && isFieldEnd(bytes, numberEnd)) {
    value = scanned.value;
    cellEnd = numberEnd;
  } else if (k >= 0) {
    cellEnd = fieldEnd(bytes, pos);
    const dictionary = layout.kept[k] as Dictionary;
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

/**
 * The end of the unquoted field at `pos`: the next comma, line end or CR. The first pass let
 * through no quote and no CR but a CRLF's, so this is where readField would stop.
 */
function fieldEnd(bytes: Buffer, pos: number): number {
  let end = pos;
  for (;;) {
    const byte = bytes[end];
    if (byte === undefined || byte === Byte.Comma || byte === Byte.Lf || byte === Byte.Cr) return end;
    end++;
  }
}

/** The file a record at a time: `record()` makes sure one whole record starts at `pos`. */
class ChunkReader implements ReadWindow {
  buffer: Buffer;
  length = 0;
  offset: number;
  eof = false;
  private fd: number | undefined;
  pos = 0;

  constructor(path: string, start: number, buffer: Buffer = Buffer.allocUnsafe(CHUNK_BYTES)) {
    this.fd = openSync(path, 'r');
    this.offset = start;
    this.buffer = buffer;
    this.view = buffer.subarray(0, 0);
  }

  /** Skips `records` records unread. */
  skip(records: number): void {
    for (let skipped = 0; skipped < records; skipped++) {
      const bytes = this.record();
      const lf = bytes.indexOf(Byte.Lf, this.pos);
      this.pos = lf < 0 ? bytes.length : lf + 1;
    }
  }

  /** The buffer, grown if a record needed it (a parse worker keeps it for its next batch). */
  get memory(): Buffer {
    return this.buffer;
  }

  /** The bytes read so far (a view, renewed on each refill). */
  private view: Buffer;
  /** The last line end in the view: a record starting at or before it is whole. */
  private lastLf = -1;

  /** The last line end read: a record starting at or before it is whole. */
  get wholeUpTo(): number {
    return this.lastLf;
  }

  /** The bytes read, with a whole record (blank lines skipped) at `pos`; past the end, a NotStreamable. */
  record(): Buffer {
    for (;;) {
      const bytes = this.view;
      // Blank lines are not records.
      while (
        bytes[this.pos] === Byte.Lf ||
        (bytes[this.pos] === Byte.Cr && bytes[this.pos + 1] === Byte.Lf)
      ) {
        this.pos += bytes[this.pos] === Byte.Lf ? 1 : 2;
      }
      if (this.pos <= this.lastLf || (this.eof && this.pos < this.length)) return bytes;
      if (this.eof) throw new NotStreamable('the file ended before its last record');
      this.refill();
    }
  }

  /** Moves the unread bytes to the front and reads more after them (a larger buffer for a huge record). */
  private refill(): void {
    if (this.fd === undefined) throw new Error('bug: read after close');
    refillWindow(this.fd, this);
    this.view = this.buffer.subarray(0, this.length);
    this.lastLf = this.view.lastIndexOf(Byte.Lf);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Batches asked of each parse worker ahead of the one the model needs next. */
const PARSE_AHEAD = 2;
/** Files from this size are parsed by worker threads too (see parserCount). */
const PARSE_WORKERS_MIN_BYTES = 128 << 20;
/** At most this many parse workers: past it, the model (on this thread) is what waits. */
const MAX_PARSERS = 4;
/** Bytes a parse worker reads at a time: a batch of 8,192 rows of 32 features is about 2.5 MB. */
const PARSE_CHUNK_BYTES = 1 << 20;

/**
 * How many worker threads parse a file of `size` bytes besides this thread: one per other core,
 * up to MAX_PARSERS, from PARSE_WORKERS_MIN_BYTES. Below that this thread parses alone: measured
 * on 2 busy cores, 200k rows × 32 (61 MB) took more CPU and more time with parse workers, whose
 * start-up (an isolate each) costs about what parsing 20 MB does. MODELGATE_PARSE_WORKERS=N
 * sets the count whatever the size (the tests use it on small files).
 */
function parserCount(size: number): number {
  if (!workersAvailable()) return 0;
  const forced = process.env[PARSE_WORKERS_ENV];
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(MAX_PARSERS, Number(forced));
  if (size < PARSE_WORKERS_MIN_BYTES) return 0;
  return Math.max(0, Math.min(MAX_PARSERS, availableParallelism() - 1));
}

/** The environment variable that sets the number of parse workers (see parserCount). */
export const PARSE_WORKERS_ENV = 'MODELGATE_PARSE_WORKERS';

/** What a parse worker is told once: the file, and how its records map to the model input. */
export interface StreamJob {
  readonly stream: true;
  readonly path: string;
  readonly width: number;
  readonly slot: Int32Array;
  readonly keptAt: Int32Array;
  /** How many columns are kept. */
  readonly kept: number;
  readonly featureWidth: number;
  readonly marks: readonly number[];
}

/** A batch asked of a parse worker: `rows` records from record `start` of the file. */
interface BatchRequest {
  readonly index: number;
  readonly start: number;
  readonly rows: number;
  /** The first row's number in the pass, for messages. */
  readonly row: number;
  /** A features buffer of an earlier batch, handed back to be filled again. */
  readonly buffer?: ArrayBuffer;
}

/** A parsed batch: features row-major, and per kept column a code per row into the batch's texts. */
interface BatchReply {
  readonly index: number;
  readonly features: Float32Array;
  readonly codes: Int32Array[];
  readonly texts: string[][];
  /** Set when the batch holds something only the whole read words right (a NotStreamable). */
  readonly error?: string;
  /** Set when the worker failed otherwise. */
  readonly failure?: string;
}

/**
 * Worker threads parsing batches of a streamed file, each from the nearest mark of the first
 * pass. A worker takes batches once it has loaded its code and said so; it holds the process
 * open only while it has work.
 */
class ParsePool {
  private readonly workers: DataStreamWorker[];
  private readonly ready: boolean[];
  private readonly busy: number[];
  private readonly spare: Array<ArrayBuffer | undefined>;
  /** Which worker parses each batch asked for, until its reply comes. */
  private readonly owner = new Map<number, number>();
  private readonly waiting = new Map<
    number,
    { resolve: (reply: BatchReply) => void; reject: (error: Error) => void }
  >();
  private readonly done = new Set<number>();
  private closed = false;

  /** Starts `count` workers; they load their code while the first pass runs, then wait for {@link start}. */
  constructor(count: number) {
    this.ready = new Array(count).fill(false);
    this.busy = new Array(count).fill(0);
    this.spare = new Array(count).fill(undefined);
    this.workers = Array.from({ length: count }, (_, w) =>
      startStreamWorker(
        (reply: BatchReply) => this.receive(w, reply),
        (error) => this.fail(error),
      ),
    );
    for (const worker of this.workers) worker.unref();
  }

  get size(): number {
    return this.workers.length;
  }

  /** Tells every worker the file and the layout of its records; each says when it is ready. */
  start(job: StreamJob): void {
    for (const [w, worker] of this.workers.entries()) {
      worker.ref();
      this.busy[w] = 1;
      worker.post(job, []);
    }
  }

  /** A ready worker with room for one more batch (the least busy), or -1. */
  idle(): number {
    let best = -1;
    for (let w = 0; w < this.workers.length; w++) {
      if (!this.ready[w] || (this.busy[w] as number) >= PARSE_AHEAD) continue;
      if (best < 0 || (this.busy[w] as number) < (this.busy[best] as number)) best = w;
    }
    return this.closed ? -1 : best;
  }

  /** Asks worker `w` for a batch; the promise fails if a worker does. */
  ask(w: number, request: BatchRequest): Promise<BatchReply> {
    const reply = new Promise<BatchReply>((resolve, reject) =>
      this.waiting.set(request.index, { resolve, reject }),
    );
    // A batch parsed ahead may fail with its worker after the pass has stopped waiting for it.
    reply.catch(() => undefined);
    const buffer = this.spare[w];
    this.spare[w] = undefined;
    this.owner.set(request.index, w);
    this.busy[w] = (this.busy[w] as number) + 1;
    const worker = this.workers[w] as DataStreamWorker;
    worker.ref();
    worker.post(
      buffer === undefined ? request : { ...request, buffer },
      buffer === undefined ? [] : [buffer],
    );
    return reply;
  }

  /** Whether the reply to batch `index` has come. */
  arrived(index: number): boolean {
    return this.done.has(index);
  }

  /** Keeps a batch's features buffer, to hand back to its worker with the next batch it is asked for. */
  recycle(reply: BatchReply): void {
    const w = this.owner.get(reply.index);
    this.owner.delete(reply.index);
    this.done.delete(reply.index);
    if (w !== undefined) this.spare[w] = reply.features.buffer as ArrayBuffer;
  }

  private receive(w: number, reply: BatchReply): void {
    this.busy[w] = (this.busy[w] as number) - 1;
    if (this.busy[w] === 0) this.workers[w]?.unref();
    if (reply.index < 0) {
      this.ready[w] = true;
      return;
    }
    this.done.add(reply.index);
    this.waiting.get(reply.index)?.resolve(reply);
    this.waiting.delete(reply.index);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    const failed = new NotStreamable(`a parse worker failed: ${error.message}`);
    for (const { reject } of this.waiting.values()) reject(failed);
    this.waiting.clear();
    this.ready.fill(false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const worker of this.workers) worker.stop();
  }
}

/** Parses one batch (`request`) of a streamed file, on a worker or this thread; `chunk` is the read buffer, kept for the next. */
function parseBatch(
  job: StreamJob,
  request: BatchRequest,
  chunk: Buffer,
  kernel: RecordKernel | undefined,
): { reply: BatchReply; chunk: Buffer } {
  const { index, start, rows, row } = request;
  const size = rows * job.featureWidth;
  const features =
    request.buffer !== undefined && request.buffer.byteLength >= size * 4
      ? new Float32Array(request.buffer, 0, size)
      : new Float32Array(size);
  const dictionaries = Array.from({ length: job.kept }, () => new Dictionary(rows));
  const layout: RecordLayout = {
    width: job.width,
    slot: job.slot,
    keptAt: job.keptAt,
    kept: dictionaries,
    keptSlot: keptSlots(job.slot, job.keptAt, job.kept),
    field: { text: '', end: 0, newlines: 0 },
  };
  const mark = Math.floor(start / MARK_RECORDS);
  let reader: ChunkReader | undefined;
  try {
    reader = new ChunkReader(job.path, job.marks[mark] as number, kernel?.chunk ?? chunk);
    reader.skip(start - mark * MARK_RECORDS);
    parseRecords(reader, kernel, layout, features, job.featureWidth, { rows, row, keptRow: 0 });
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    const failed = error instanceof NotStreamable ? { error: message } : { failure: message };
    return {
      reply: { index, features, codes: [], texts: [], ...failed },
      chunk: ownChunk(reader, kernel, chunk),
    };
  } finally {
    reader?.close();
  }
  const codes = dictionaries.map((d) => d.codes);
  return {
    reply: { index, features, codes, texts: dictionaries.map((d) => d.texts) },
    chunk: ownChunk(reader, kernel, chunk),
  };
}

/** The read buffer to keep for the next batch: the reader's (grown for a long record) unless it reads into the kernel's. */
function ownChunk(reader: ChunkReader | undefined, kernel: RecordKernel | undefined, chunk: Buffer): Buffer {
  return kernel !== undefined || reader === undefined ? chunk : reader.memory;
}

/** The kernel for a parse job's records (undefined: parse in JavaScript). */
function jobKernel(job: StreamJob): RecordKernel | undefined {
  return recordKernel(job.slot, job.keptAt, job.kept, job.featureWidth, PARSE_CHUNK_BYTES, FAST_POWERS);
}

/**
 * A parse worker's side (worker.ts): says it is ready, then parses each batch asked for and
 * replies with it, the features buffer and the codes handed over, not copied.
 */
export function serveStream(
  job: StreamJob,
  listen: (handle: (request: BatchRequest) => void) => void,
  reply: (message: BatchReply, transfer: ArrayBuffer[]) => void,
): void {
  let chunk: Buffer = Buffer.allocUnsafe(PARSE_CHUNK_BYTES);
  const kernel = jobKernel(job);
  listen((request) => {
    const parsed = parseBatch(job, request, chunk, kernel);
    chunk = parsed.chunk;
    const { features, codes } = parsed.reply;
    const transfer = [features.buffer as ArrayBuffer, ...codes.map((c) => c.buffer as ArrayBuffer)];
    reply(
      parsed.reply,
      parsed.reply.error === undefined && parsed.reply.failure === undefined ? transfer : [],
    );
  });
  reply({ index: -1, features: new Float32Array(0), codes: [], texts: [] }, []);
}
