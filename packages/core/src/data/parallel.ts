/**
 * Reading a large data file on every core. Worker threads (worker.ts) read the file
 * themselves, beside this thread: one hashes it, so the sha256 never holds this thread up;
 * for a CSV file, each scans a part of the records while this thread scans the first part
 * (csv.ts merges them).
 *
 * A worker runs worker.js, which the build writes next to each bundle. Run from the
 * TypeScript sources (vitest, tsx) there is no such file: the file is then read, hashed and
 * scanned on this thread, with the same result. A worker that fails rejects its promises,
 * and readTable reads the file again on this thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type PartScan, scanRecords } from './csv-scan.ts';

const WORKER_FILE = new URL('./worker.js', import.meta.url);
/**
 * Below this size a file is read on one thread: a worker's start costs about 25 ms, which is
 * what hashing 40 MB, or scanning 6–8 MB of CSV, costs.
 */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** CSV parts are at least this large, for the same reason. */
const MIN_PART_BYTES = 8 << 20;
/** A cap, so that a 64-core runner does not start 63 isolates for one file. */
const MAX_PARTS = 8;

/** What a worker is asked to do. */
export interface WorkerJob {
  readonly path: string;
  readonly size: number;
  /** Scan the CSV records in bytes [start, end), each `width` fields wide. */
  readonly part?: { readonly start: number; readonly end: number; readonly width: number };
  /** Hash the whole file. */
  readonly digest: boolean;
}

export type WorkerReply =
  | { readonly kind: 'part'; readonly scan: PartScan; readonly bytes: Uint8Array; readonly quoted: boolean }
  | { readonly kind: 'digest'; readonly sha256: string };

/** A part scanned by a worker: the cell starts of the scan index into `bytes`. */
export interface ScannedPart {
  readonly scan: PartScan;
  readonly bytes: Buffer;
  /** Whether the part has a quote character: then a cut may have fallen inside a quoted field. */
  readonly quoted: boolean;
}

export interface DataWorker {
  readonly part: Promise<ScannedPart>;
  readonly digest: Promise<string>;
  stop(): void;
}

let workerFile: boolean | undefined;

/** Whether data workers can run here: from a bundle, yes; from the sources, no. */
export function workersAvailable(): boolean {
  workerFile ??= WORKER_FILE.protocol === 'file:' && existsSync(fileURLToPath(WORKER_FILE));
  return workerFile;
}

/** How many parts a CSV file of `size` bytes is scanned in (1: on this thread alone). */
export function csvParts(size: number): number {
  return Math.max(1, Math.min(MAX_PARTS, availableParallelism(), Math.floor(size / MIN_PART_BYTES)));
}

/** The part a worker sent, its bytes as a Buffer again. */
export function scannedPart(reply: Extract<WorkerReply, { kind: 'part' }>): ScannedPart {
  const bytes = Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.length);
  return { scan: reply.scan, bytes, quoted: reply.quoted };
}

/** Starts a worker on a job. Its promises reject when it fails, or stops before doing what they stand for. */
export function startWorker(job: WorkerJob): DataWorker {
  let settlePart: { resolve: (part: ScannedPart) => void; reject: (error: Error) => void } | undefined;
  let settleDigest: { resolve: (sha256: string) => void; reject: (error: Error) => void } | undefined;
  const part = new Promise<ScannedPart>((resolve, reject) => {
    settlePart = { resolve, reject };
  });
  const digest = new Promise<string>((resolve, reject) => {
    settleDigest = { resolve, reject };
  });
  // Whoever does not wait for one of them (a fallback, a failed parse) must not see an unhandled rejection.
  part.catch(() => undefined);
  digest.catch(() => undefined);
  const worker = new Worker(WORKER_FILE);
  const fail = (error: Error) => {
    settlePart?.reject(error);
    settleDigest?.reject(error);
  };
  worker.on('message', (reply: WorkerReply) => {
    if (reply.kind === 'part') {
      settlePart?.resolve(scannedPart(reply));
    } else {
      settleDigest?.resolve(reply.sha256);
      void worker.terminate();
    }
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`a data worker stopped (exit code ${code})`)));
  worker.postMessage(job);
  const stop = () => void worker.terminate();
  if (!job.digest) part.then(stop, stop);
  return { part, digest, stop };
}

/** `end - start` bytes of the file from `start`, in one buffer. */
export function readRange(fd: number, start: number, end: number): Buffer {
  const bytes = Buffer.allocUnsafe(end - start);
  for (let done = 0; done < bytes.length; ) {
    const read = readSync(fd, bytes, done, bytes.length - done, start + done);
    if (read === 0)
      throw new Error(`the file ended at byte ${start + done}, before ${end}: it changed while being read`);
    done += read;
  }
  return bytes;
}

/** Bytes read at a time while looking for a line end. */
const PROBE_BYTES = 64 << 10;

/**
 * Where the parts after the first start: just past the first line end at or after each even
 * share of the file. Fewer when lines are longer than a share.
 */
export function partStarts(fd: number, size: number, parts: number): number[] {
  const starts: number[] = [];
  for (let k = 1; k < parts; k++) {
    let at = Math.max(Math.floor((size * k) / parts), starts.at(-1) ?? 0);
    let found = -1;
    while (found < 0 && at < size) {
      const probe = readRange(fd, at, Math.min(size, at + PROBE_BYTES));
      const lineEnd = probe.indexOf(0x0a);
      if (lineEnd >= 0) found = at + lineEnd + 1;
      else at += probe.length;
    }
    if (found < 0 || found >= size) break;
    if (found > (starts.at(-1) ?? 0)) starts.push(found);
  }
  return starts;
}

/**
 * Read size for hashing: large enough to amortise a system call, small enough that the hash reads
 * what the read just wrote from a core's own cache (256 KiB fits every current core's L2). On 2
 * shared Xeon cores a 26 MB file hashed in 26-31 ms through a 4 MiB buffer, in 20 through this one
 * (264 MB: 195-243 ms, 188-191).
 */
const HASH_CHUNK_BYTES = 256 << 10;

/** Hex sha256 of the file, read in chunks through one buffer (no fresh memory to fault in). */
export function digestFile(fd: number, size: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(Math.min(size, HASH_CHUNK_BYTES));
  for (let at = 0; at < size; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (read === 0)
      throw new Error(`the file ended at byte ${at}, before ${size}: it changed while being read`);
    hash.update(read === chunk.length ? chunk : chunk.subarray(0, read));
    at += read;
  }
  return hash.digest('hex');
}

/**
 * The sha256 of a file a stream reads: hashed by a worker on another core when the file is large
 * enough and workers can run, else on this thread when first asked for; a worker that fails
 * leaves it to this thread. `stop` ends the worker of a stream that will not be read.
 */
export function hashAside(path: string, size: number): { sha256: Promise<string>; stop(): void } {
  const worker =
    size >= PARALLEL_MIN_BYTES && workersAvailable() ? startWorker({ path, size, digest: true }) : undefined;
  let stopped = false;
  const sha256 =
    worker !== undefined
      ? worker.digest.catch((error: unknown) => {
          if (stopped) throw error;
          return digestPath(path, size);
        })
      : Promise.resolve().then(() => digestPath(path, size));
  sha256.catch(() => undefined);
  return {
    sha256,
    stop: () => {
      stopped = true;
      worker?.stop();
    },
  };
}

/** Hex sha256 of the file at `path`, on this thread (no worker, or a worker that failed). */
export function digestPath(path: string, size: number): string {
  const fd = openSync(path, 'r');
  try {
    return digestFile(fd, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * A data worker's job (see worker.ts), on whatever thread calls it: scan the part, if any, and
 * reply; then hash the file, if asked, and reply. Each reply lists the buffers it hands over.
 */
export function runJob(job: WorkerJob, reply: (message: WorkerReply, transfer: ArrayBuffer[]) => void): void {
  const fd = openSync(job.path, 'r');
  try {
    if (job.part !== undefined) {
      const { start, end, width } = job.part;
      const part = readRange(fd, start, end);
      const scan = scanRecords(part, 0, part.length, width, 0);
      const quoted = part.indexOf(0x22) >= 0;
      // The part's bytes go back with the scan (its cell starts index into them), handed over
      // whole: a Buffer this large has an ArrayBuffer of its own, else it is copied into one.
      const bytes =
        part.byteOffset === 0 && part.buffer.byteLength === part.length ? part : new Uint8Array(part);
      const transfer: ArrayBuffer[] = [bytes.buffer as ArrayBuffer];
      if (scan.kind === 'rows') {
        for (const values of scan.numbers)
          if (values !== undefined) transfer.push(values.buffer as ArrayBuffer);
        transfer.push(scan.cellStarts.buffer as ArrayBuffer);
      }
      reply({ kind: 'part', scan, bytes, quoted }, transfer);
    }
    if (job.digest) reply({ kind: 'digest', sha256: digestFile(fd, job.size) }, []);
  } finally {
    closeSync(fd);
  }
}

/** A long-lived data worker that parses the batches of a streamed CSV file (csv-stream.ts). */
export interface DataStreamWorker {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Whether the worker holds the process open (only while it has work). */
  ref(): void;
  unref(): void;
  stop(): void;
}

/**
 * Starts a parse worker, to be sent its job (csv-stream.ts StreamJob) and then its batches: every
 * message it sends goes to `onReply`; an error, or an exit before `stop`, to `onFail`.
 */
export function startStreamWorker<Reply>(
  onReply: (reply: Reply) => void,
  onFail: (error: Error) => void,
): DataStreamWorker {
  const worker = new Worker(WORKER_FILE);
  worker.on('message', onReply);
  worker.once('error', onFail);
  worker.once('exit', (code) => onFail(new Error(`a data worker stopped (exit code ${code})`)));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    stop: () => void worker.terminate(),
  };
}
