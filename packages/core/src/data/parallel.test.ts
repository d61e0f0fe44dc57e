import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { FIXTURES, tempFiles } from './__fixtures__/temp-files.ts';
import { readCsv, readCsvInParts } from './csv.ts';
import {
  type DataWorker,
  partStarts,
  runJob,
  type ScannedPart,
  scannedPart,
  type WorkerJob,
  type WorkerReply,
} from './parallel.ts';
import { createTable, type Table } from './table.ts';

const files = tempFiles();

/** A data worker's job run on this thread: what a worker thread runs, without the thread. */
function inThread(job: WorkerJob): DataWorker {
  const replies: WorkerReply[] = [];
  runJob(job, (message) => replies.push(message));
  const part = replies.find((reply) => reply.kind === 'part');
  const digest = replies.find((reply) => reply.kind === 'digest');
  // Like a worker's, a promise for work not asked for rejects, and nobody need wait for it.
  const missing = <T>(what: string) => {
    const promise = Promise.reject<T>(new Error(`no ${what}`));
    promise.catch(() => undefined);
    return promise;
  };
  return {
    part: part === undefined ? missing('part') : Promise.resolve(scannedPart(part)),
    digest: digest === undefined ? missing('digest') : Promise.resolve(digest.sha256),
    stop: () => undefined,
  };
}

async function inParts(path: string, parts: number): Promise<Table | undefined> {
  const size = readFileSync(path).length;
  const read = await readCsvInParts(path, size, parts, inThread);
  if (read === undefined) return undefined;
  return createTable({ path, format: 'csv', sha256: read.sha256, bytes: size }, read.parts);
}

async function inOnePiece(path: string): Promise<Table> {
  const bytes = readFileSync(path);
  const sha256 = Promise.resolve(createHash('sha256').update(bytes).digest('hex'));
  return createTable({ path, format: 'csv', sha256, bytes: bytes.length }, await readCsv(path, bytes));
}

/** Every column's kind, values and text, the matrix of the numeric ones, and the digest. */
async function expectSameTable(actual: Table | undefined, expected: Table): Promise<void> {
  expect(actual).toBeDefined();
  const table = actual as Table;
  expect(table.rows).toBe(expected.rows);
  expect(table.columns).toEqual(expected.columns);
  for (const name of expected.columns) {
    expect(table.column(name).kind, name).toBe(expected.column(name).kind);
    expect(table.column(name).values, name).toEqual(expected.column(name).values);
    expect(table.strings(name), name).toEqual(expected.strings(name));
  }
  const numeric = expected.columns.filter((name) => expected.column(name).kind === 'number');
  expect(table.matrix(numeric)).toEqual(expected.matrix(numeric));
  expect(await table.sha256).toBe(await expected.sha256);
}

/**
 * 3,000 records with blank lines and CRLF ends here and there; column `late` turns to text only
 * in the last third, `early` only in the first, and `label` is numeric with text-looking spellings.
 */
function mixedCsv(): string {
  const lines = ['x,late,early,label,name'];
  for (let i = 0; i < 3000; i++) {
    const late = i === 2500 ? 'n/a' : String(i * 0.25);
    const early = i === 10 ? 'missing' : `${i}e-3`;
    const label = i % 3 === 0 ? '1.0' : ' 0 ';
    const end = i % 7 === 0 ? '\r' : '';
    lines.push(`${(i * 1.5 - 700).toFixed(3)},${late},${early},${label},row${i}${end}`);
    if (i % 500 === 0) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

describe('reading a CSV file in parts', () => {
  it('gives the same table as reading it in one piece, for 2, 3 and 8 parts', async () => {
    const path = files.write('mixed.csv', mixedCsv());
    const whole = await inOnePiece(path);
    expect(whole.column('late').kind).toBe('string');
    expect(whole.column('early').kind).toBe('string');
    for (const parts of [2, 3, 8]) await expectSameTable(await inParts(path, parts), whole);
  });

  it('names the absolute line of a ragged row in a later part, as the one-piece read does', async () => {
    const lines = ['a,b', ...Array.from({ length: 2000 }, (_, i) => `${i},${i}`)];
    lines[1700] = '1,2,3';
    const path = files.write('ragged.csv', `${lines.join('\n')}\n`);
    const message = (await inOnePiece(path).catch((error: InputError) => error)) as InputError;
    expect(message).toBeInstanceOf(InputError);
    expect(message.message).toBe(`${path} line 1701 has 3 fields, expected 2 (header)`);
    for (const parts of [2, 4]) {
      await expect(inParts(path, parts)).rejects.toThrow(message.message);
    }
  });

  it('reads in one piece when a quote could hide a line end from a cut', async () => {
    const lines = ['a,note', ...Array.from({ length: 2000 }, (_, i) => `${i},plain`)];
    lines[1500] = '1500,"two\nlines"';
    const path = files.write('quoted.csv', `${lines.join('\n')}\n`);
    expect(await inParts(path, 2)).toBeUndefined();
    expect((await inOnePiece(path)).strings('note')[1499]).toBe('two\nlines');
  });

  it('reads in one piece what the scanner hands to csv-parse (CR-only line ends)', async () => {
    const path = files.write(
      'old-mac.csv',
      `a,b\r${Array.from({ length: 3000 }, (_, i) => `${i},${i}`).join('\r')}\r`,
    );
    expect(await inParts(path, 2)).toBeUndefined();
  });

  it('hashes the whole file in the worker', async () => {
    const content = mixedCsv();
    const table = await inParts(files.write('hashed.csv', content), 2);
    expect(await table?.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  });
});

describe('partStarts', () => {
  const startsOf = (content: string, parts: number) => {
    const fd = openSync(files.write('starts.csv', content), 'r');
    try {
      return partStarts(fd, Buffer.byteLength(content), parts);
    } finally {
      closeSync(fd);
    }
  };

  it('cuts just past the first line end at or after each even share', () => {
    const content = 'h\n0123456789\n0123456789\n0123456789\n0123456789\n';
    const starts = startsOf(content, 2);
    expect(starts).toEqual([24]); // 46 bytes: the share ends at 23, a line end
    expect(content[(starts[0] as number) - 1]).toBe('\n');
  });

  it('makes fewer parts when lines are longer than a share, and none past the last line end', () => {
    expect(startsOf(`h\n${'x'.repeat(100)}\n`, 4)).toEqual([]);
    expect(startsOf(`h\n${'x'.repeat(100)}\ny\n`, 2)).toEqual([103]);
  });

  it('finds a line end more than one probe past the share', () => {
    const long = 'x'.repeat(200_000);
    const content = `h\n${long}\n1\n`;
    expect(startsOf(content, 2)).toEqual([content.length - 2]);
  });
});

describe('runJob', () => {
  it('hands over the scan and the part bytes it indexes, and hashes the file', () => {
    const path = `${FIXTURES}/../__fixtures__/temp-files.ts`;
    const size = readFileSync(path).length;
    const replies: Array<{ message: WorkerReply; transfer: ArrayBuffer[] }> = [];
    runJob({ path, size, digest: true }, (message, transfer) => replies.push({ message, transfer }));
    expect(replies).toEqual([
      {
        message: { kind: 'digest', sha256: createHash('sha256').update(readFileSync(path)).digest('hex') },
        transfer: [],
      },
    ]);

    const csv = files.write('job.csv', 'a,b\n1,x\n2,y\n3,z\n');
    const parts: ScannedPart[] = [];
    runJob(
      { path: csv, size: 16, part: { start: 4, end: 16, width: 2 }, digest: false },
      (message, transfer) => {
        if (message.kind !== 'part') throw new Error('expected a part');
        const part = scannedPart(message);
        parts.push(part);
        expect(transfer).toContain(message.bytes.buffer);
        if (part.scan.kind === 'rows') expect(transfer).toContain(part.scan.cellStarts.buffer);
      },
    );
    const [part] = parts;
    expect(part?.scan).toMatchObject({ kind: 'rows', rows: 3, nextLine: 3 });
    expect(part?.bytes.toString()).toBe('1,x\n2,y\n3,z\n');
  });
});
