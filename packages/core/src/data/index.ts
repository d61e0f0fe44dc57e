import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../kernel/errors.ts';
import { readInputFile } from '../kernel/fs.ts';
import { readCsv, readCsvInParts } from './csv.ts';
import { readJsonl } from './jsonl.ts';
import { readNpy, readNpz } from './npy.ts';
import { csvParts, PARALLEL_MIN_BYTES, startWorker, workersAvailable } from './parallel.ts';
import { readParquet } from './parquet.ts';
import { createTable, type Table, type TableFormat, type TableParts } from './table.ts';

export type { Column, FeatureRows, Table, TableFormat } from './table.ts';

const FORMATS: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.npy': 'npy',
  '.npz': 'npz',
  '.parquet': 'parquet',
};

type Reader = (path: string, bytes: Buffer) => TableParts | Promise<TableParts>;

const READERS: Readonly<Record<TableFormat, Reader>> = {
  csv: readCsv,
  jsonl: readJsonl,
  npy: readNpy,
  npz: readNpz,
  parquet: readParquet,
};

/**
 * Reads a dataset file into columns (CONTRACT.md "Data formats"), choosing the format by
 * the file's extension. The whole file is read into memory: simple, and fine up to a few
 * hundred MB. Every problem with the file is an InputError that names it.
 *
 * A large file is read on every core (parallel.ts): a worker hashes it while this thread
 * parses, and a CSV file's records are scanned in parts. If a worker fails, the file is read
 * again on this thread alone; the table is the same either way.
 */
export async function readTable(path: string): Promise<Table> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new InputError(`cannot tell the format of data file ${path} from its extension`, {
      hint: `use one of ${Object.keys(FORMATS).join(', ')}`,
    });
  }
  const size = sizeOf(path);
  if (size !== undefined && size >= PARALLEL_MIN_BYTES && workersAvailable()) {
    try {
      const read = await readInParallel(path, format, size);
      if (read !== undefined) {
        // A worker that fails while hashing leaves the digest to this thread. Whoever never
        // asks for the digest must not see an unhandled rejection either.
        const sha256 = read.sha256.catch(() => hashFile(path));
        sha256.catch(() => undefined);
        return createTable({ path, format, sha256, bytes: size }, read.parts);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      // A worker failed: read the file again, on this thread.
    }
  }
  const bytes = await readWhole(path);
  const parts = await READERS[format](path, bytes);
  const sha256 = Promise.resolve(hashBytes(bytes));
  return createTable({ path, format, sha256, bytes: bytes.length }, parts);
}

/** Reads with workers beside this thread. Undefined when the file must be read on this thread alone. */
async function readInParallel(
  path: string,
  format: TableFormat,
  size: number,
): Promise<{ parts: TableParts; sha256: Promise<string> } | undefined> {
  const parts = csvParts(size);
  if (format === 'csv' && parts > 1) return readCsvInParts(path, size, parts);
  const hashing = startWorker({ path, size, digest: true });
  try {
    const bytes = await readWholeAside(path, size);
    return { parts: await READERS[format](path, bytes), sha256: hashing.digest };
  } catch (error) {
    hashing.stop();
    throw error;
  }
}

function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function hashFile(path: string): Promise<string> {
  return hashBytes(await readWhole(path));
}

/** The file's size, or undefined when it cannot be read (readWhole then words the error). */
function sizeOf(path: string): number | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's bytes in one read. readFileSync makes one system call where fs.promises.readFile
 * makes a round trip per 512 KiB (30 ms more on a 65 MB file); when it fails, readInputFile
 * reads again and words the error ("data file not found: PATH").
 */
async function readWhole(path: string): Promise<Buffer> {
  try {
    return readFileSync(path);
  } catch {
    return readInputFile(path, 'data file');
  }
}

/**
 * The file's bytes in one read on libuv's thread pool, while this thread goes on (loading the
 * model, say): one request, not fs.promises.readFile's round trip per 512 KiB.
 */
async function readWholeAside(path: string, size: number): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? bytes : readWhole(path);
  } catch {
    return readWhole(path);
  } finally {
    await handle?.close();
  }
}
