// A data worker thread's entry (see parallel.ts). It is sent one job: the path of a data file
// and, for a CSV file read in parts, the byte range of its part. It reads what it needs from
// the file itself, so the thread that started it never reads, copies or hashes those bytes. It
// replies with the part's scan first (the columns handed over, not copied), then, when asked,
// the whole file's sha256.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { scanRecords } from './csv-scan.ts';
import { readRange, type WorkerJob, type WorkerReply } from './parallel.ts';

/** Read size for hashing: large enough to amortise a system call, small enough to stay in cache. */
const HASH_CHUNK_BYTES = 4 << 20;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

/** Hex sha256 of the file, read in chunks through one buffer (no fresh memory to fault in). */
function digestFile(fd: number, size: number): string {
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

parentPort?.once('message', (job: WorkerJob) => {
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
    if (job.digest) reply({ kind: 'digest', sha256: digestFile(fd, job.size) });
  } finally {
    closeSync(fd);
  }
});
