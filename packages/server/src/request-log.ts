import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, SERVE_DEFAULTS } from '@modelgate/core';
import type { ServerLogger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import type { DecodedInput, OutputTensor } from './tensors.ts';

/**
 * The request log (`serve --log-requests DIR`): sampled requests' input rows, with the outputs
 * the model gave them, the answering version and the time, as JSON Lines for `modelgate monitor`.
 *
 * The request path only decides the sample and keeps references to the tensors it already has
 * (no copy, no formatting, no I/O); the rows are formatted and written later, a slice per
 * event-loop turn, by one writer. The queue is bounded: when it is full a request's rows are
 * dropped and counted (`modelgate_request_log_dropped_rows_total`), never waited for. The files
 * in DIR never hold more than `maxBytes` together: the oldest log files go first.
 *
 * Format, one line per input row:
 * `{"time":ISO,"model":NAME,"version":"N","features":{NAME: number},"outputs":{NAME: number | number[]}}`.
 * Features are named by the registered evaluation's `data.features` when it names as many as
 * the model's one 2-D input has columns, else `INPUT_j` for column j (a 1-D input: `INPUT`).
 * An output with one value per row is a number, a wider one an array; NaN and ±Infinity, which
 * JSON cannot write, are null; a string output (a class label) is a string.
 */

/** Files rotate at this size (or at a quarter of the cap when that is smaller, so the cap can drop old rows). */
export const LOG_FILE_BYTES = 16 * 1024 * 1024;
/** The default cap on the log files' total size: 1 GiB. */
export const DEFAULT_LOG_MAX_BYTES = SERVE_DEFAULTS.logMaxBytes;
/** The smallest cap: room for a few files of a few dozen rows each. */
export const MIN_LOG_MAX_BYTES = SERVE_DEFAULTS.logMinBytes;
/** The share of requests logged unless --log-sample says otherwise (SERVE_DEFAULTS says why). */
export const DEFAULT_LOG_SAMPLE = SERVE_DEFAULTS.logSample;
/**
 * Rows held for the writer at most: about a second of single-row traffic at the HTTP wire's
 * limit on a small machine. Past it, rows are dropped rather than held or waited for.
 */
const MAX_QUEUED_ROWS = 65_536;
/** How long queued rows wait for the writer, so that one write carries many rows. */
const FLUSH_MS = 50;
/** Rows formatted per event-loop turn: a slice takes well under a millisecond, so requests interleave. */
const ROWS_PER_SLICE = 512;
/** A log file's name: `requests-<UTC yyyymmddTHHMMSSZ>-<pid>-<seq>.jsonl`. */
const FILE_NAME = /^requests-\d{8}T\d{6}Z-\d+-\d+\.jsonl$/;

export interface RequestLogOptions {
  readonly dir: string;
  /** The fraction of requests logged, in (0, 1]. */
  readonly sample?: number;
  /** The most bytes the log files in `dir` hold together. */
  readonly maxBytes?: number;
  readonly metrics: ServerMetrics;
  readonly logger: ServerLogger;
}

/** What a request leaves for the writer: references only. */
interface Entry {
  readonly time: number;
  readonly model: string;
  readonly version: string;
  readonly features: readonly string[] | undefined;
  readonly inputs: readonly DecodedInput[];
  readonly outputs: readonly OutputTensor[];
  readonly rows: number;
}

interface LogFile {
  readonly name: string;
  bytes: number;
}

export class RequestLog {
  readonly dir: string;
  readonly sample: number;
  readonly maxBytes: number;
  readonly #fileBytes: number;
  readonly #metrics: ServerMetrics;
  readonly #logger: ServerLogger;
  /** The log files in `dir`, oldest first (their names sort by time), the one being written last. */
  readonly #files: LogFile[];
  #total: number;
  #queue: Entry[] = [];
  #queuedRows = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #handle: FileHandle | undefined;
  #current: LogFile | undefined;
  #seq = 0;
  #warned = false;

  constructor(options: RequestLogOptions) {
    this.dir = options.dir;
    this.sample = options.sample ?? DEFAULT_LOG_SAMPLE;
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    if (!(this.sample > 0 && this.sample <= 1)) {
      throw new InputError(`--log-sample must be a fraction in (0, 1], like 0.1; got ${this.sample}`);
    }
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < MIN_LOG_MAX_BYTES) {
      throw new InputError(
        `--log-max-bytes must be a whole number of bytes, at least ${MIN_LOG_MAX_BYTES} (64 KiB); got ${this.maxBytes}`,
      );
    }
    this.#fileBytes = Math.min(LOG_FILE_BYTES, Math.floor(this.maxBytes / 4));
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    try {
      mkdirSync(this.dir, { recursive: true });
      this.#files = readdirSync(this.dir)
        .filter((name) => FILE_NAME.test(name))
        .sort()
        .map((name) => ({ name, bytes: statSync(join(this.dir, name)).size }));
    } catch (error) {
      throw new InputError(`--log-requests ${this.dir} cannot be used: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#total = this.#files.reduce((sum, file) => sum + file.bytes, 0);
  }

  /**
   * Queues a request's rows when the sample takes it (Math.random: the sample needs no
   * reproducibility, only an unbiased share). Called with the tensors the request already has;
   * they are only read later.
   */
  record(
    model: string,
    version: string,
    features: readonly string[] | undefined,
    inputs: readonly DecodedInput[],
    outputs: readonly OutputTensor[],
  ): void {
    if (this.sample < 1 && Math.random() >= this.sample) return;
    const rows = inputs[0]?.shape[0] ?? 0;
    // A scalar input, or a model whose outputs do not have a row per input row, has no rows to log.
    if (rows === 0 || inputs.some((input) => input.shape[0] !== rows)) return;
    if (outputs.some((output) => output.shape[0] !== rows)) return;
    if (this.#queuedRows + rows > MAX_QUEUED_ROWS) {
      this.#metrics.requestLogDropped.inc(rows);
      return;
    }
    this.#queue.push({ time: Date.now(), model, version, features, inputs, outputs, rows });
    this.#queuedRows += rows;
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  /** Writes everything queued so far; resolves when it is on disk. */
  flush(): Promise<void> {
    this.#flush();
    return this.#writing;
  }

  /** Writes what is queued and closes the current file. */
  async close(): Promise<void> {
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const entries = this.#queue;
    this.#queue = [];
    // The rows stay counted as queued until written, so a writer that falls behind makes rows drop.
    this.#writing = this.#writing.then(() => this.#format(entries)).catch((error) => this.#failed(error));
  }

  async #format(entries: readonly Entry[]): Promise<void> {
    let lines: string[] = [];
    let sliced = 0;
    for (const entry of entries) {
      for (let row = 0; row < entry.rows; row++) {
        lines.push(line(entry, row));
        if (++sliced === ROWS_PER_SLICE) {
          sliced = 0;
          await this.#append(lines);
          lines = [];
          // Let requests run between slices.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      this.#queuedRows -= entry.rows;
    }
    if (lines.length > 0) await this.#append(lines);
  }

  /** Appends lines to the current file, rotating it when full and removing the oldest files to keep the cap. */
  async #append(lines: readonly string[]): Promise<void> {
    let chunk = '';
    let chunkBytes = 0;
    let chunkLines = 0;
    for (const text of lines) {
      const bytes = Buffer.byteLength(text) + 1;
      if (bytes > this.#fileBytes) {
        // Only a cap smaller than a few rows gets here: such a row cannot be kept within it.
        this.#metrics.requestLogDropped.inc();
        continue;
      }
      if (this.#current === undefined || this.#current.bytes + chunkBytes + bytes > this.#fileBytes) {
        await this.#write(chunk, chunkBytes, chunkLines);
        await this.#rotate();
        chunk = '';
        chunkBytes = 0;
        chunkLines = 0;
      }
      chunk += `${text}\n`;
      chunkBytes += bytes;
      chunkLines++;
    }
    await this.#write(chunk, chunkBytes, chunkLines);
  }

  async #write(text: string, bytes: number, lines: number): Promise<void> {
    const current = this.#current;
    if (lines === 0 || current === undefined) return;
    while (this.#total + bytes > this.maxBytes && this.#files[0] !== current) {
      const oldest = this.#files.shift() as LogFile;
      await unlink(join(this.dir, oldest.name)).catch(() => undefined);
      this.#total -= oldest.bytes;
    }
    await (this.#handle as FileHandle).write(text);
    current.bytes += bytes;
    this.#total += bytes;
    this.#metrics.requestLogRows.inc(lines);
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const name = `requests-${stamp}-${process.pid}-${String(this.#seq++).padStart(6, '0')}.jsonl`;
    // 'a': only ever appended to; a name is never reused, since it holds this process's id and sequence.
    this.#handle = await open(join(this.dir, name), 'a');
    this.#current = { name, bytes: 0 };
    this.#files.push(this.#current);
  }

  #failed(error: unknown): void {
    this.#queuedRows = this.#queue.reduce((sum, entry) => sum + entry.rows, 0);
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn(
      `the request log in ${this.dir} cannot be written (${(error as Error).message}); requests are still served`,
    );
  }
}

/** The `"NAME":` fragments of an input's columns, made once per model version and input. */
const keyCache = new Map<string, readonly string[]>();

function featureKeys(entry: Entry, input: DecodedInput, width: number): readonly string[] {
  const key = `${entry.model}\n${entry.version}\n${input.name}\n${input.shape.length}\n${width}`;
  let keys = keyCache.get(key);
  if (keys === undefined) {
    const named = entry.features !== undefined && entry.inputs.length === 1 ? entry.features : undefined;
    const names = named !== undefined && named.length === width ? named : undefined;
    keys = Array.from(
      { length: width },
      (_, j) =>
        `${JSON.stringify(names?.[j] ?? (input.shape.length === 1 ? input.name : `${input.name}_${j}`))}:`,
    );
    keyCache.set(key, keys);
  }
  return keys;
}

let lastTime = Number.NaN;
let lastIso = '';

/** One input row as a JSON line. */
function line(entry: Entry, row: number): string {
  if (entry.time !== lastTime) {
    lastTime = entry.time;
    lastIso = new Date(entry.time).toISOString();
  }
  let text = `{"time":"${lastIso}","model":${JSON.stringify(entry.model)},"version":"${entry.version}","features":{`;
  let first = true;
  for (const input of entry.inputs) {
    const width = input.shape.length === 1 ? 1 : input.data.length / (input.shape[0] as number);
    const keys = featureKeys(entry, input, width);
    const base = row * width;
    for (let j = 0; j < width; j++) {
      text += `${first ? '' : ','}${keys[j]}${number(input.data[base + j])}`;
      first = false;
    }
  }
  text += '},"outputs":{';
  first = true;
  for (const output of entry.outputs) {
    const width = output.shape.length === 1 ? 1 : output.data.length / (output.shape[0] as number);
    const base = row * width;
    text += `${first ? '' : ','}${JSON.stringify(output.name)}:`;
    first = false;
    if (output.shape.length === 1) text += number(output.data[base]);
    else {
      text += '[';
      for (let j = 0; j < width; j++) text += `${j === 0 ? '' : ','}${number(output.data[base + j])}`;
      text += ']';
    }
  }
  return `${text}}}`;
}

/** A value as JSON: numbers (bigints too) as numbers, NaN and ±Infinity as null, strings as strings. */
function number(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return JSON.stringify(String(value));
}
