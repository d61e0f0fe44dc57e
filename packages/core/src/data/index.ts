import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError } from '../errors.ts';
import { readInputFile } from '../util/fs.ts';
import { readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';
import { readNpy, readNpz } from './npy.ts';
import { readParquet } from './parquet.ts';
import { createTable, type Table, type TableFormat, type TableParts } from './table.ts';

export type { Column, Table, TableFormat } from './table.ts';

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
 */
export async function readTable(path: string): Promise<Table> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new InputError(`cannot tell the format of data file ${path} from its extension`, {
      hint: `use one of ${Object.keys(FORMATS).join(', ')}`,
    });
  }
  const bytes = await readWhole(path);
  // WebCrypto hashes on the libuv thread pool, so the digest (45 ms on 74 MB) overlaps the parse.
  const digest = webcrypto.subtle.digest('SHA-256', bytes);
  let parts: TableParts;
  try {
    parts = await READERS[format](path, bytes);
  } finally {
    // Never leave the digest's promise unobserved, even when parsing fails.
    await digest.catch(() => undefined);
  }
  const sha256 = Buffer.from(await digest).toString('hex');
  return createTable({ path, format, sha256, bytes: bytes.length }, parts);
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
