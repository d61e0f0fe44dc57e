import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { FIXTURES, tempFiles } from './__fixtures__/temp-files.ts';
import { readTable } from './index.ts';

const files = tempFiles();

async function errorOf(path: string): Promise<InputError> {
  const error = await readTable(path).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('readTable', () => {
  it('chooses the format by extension, in any case', async () => {
    expect((await readTable(files.write('UPPER.CSV', 'a\n1\n'))).format).toBe('csv');
    expect((await readTable(files.write('lines.ndjson', '{"a": 1}\n'))).format).toBe('jsonl');
    expect((await readTable(files.write('lines.jsonl', '{"a": 1}\n'))).format).toBe('jsonl');
    expect((await readTable(join(FIXTURES, 'vector-f4.npy'))).format).toBe('npy');
    expect((await readTable(join(FIXTURES, 'dataset.npz'))).format).toBe('npz');
  });

  it('refuses an unknown extension, listing the known ones, before touching the file', async () => {
    const error = await errorOf(join(files.dir, 'data.tsv'));
    expect(error.message).toBe(
      `cannot tell the format of data file ${join(files.dir, 'data.tsv')} from its extension`,
    );
    expect(error.hint).toBe('use one of .csv, .jsonl, .ndjson, .npy, .npz, .parquet');
  });

  it('says a missing file is not found', async () => {
    const path = join(files.dir, 'missing.csv');
    const error = await errorOf(path);
    expect(error.message).toBe(`data file not found: ${path}`);
  });

  it('says a directory is not a data file', async () => {
    const path = join(files.dir, 'folder.csv');
    mkdirSync(path);
    const error = await errorOf(path);
    expect(error.message).toBe(`data file is a directory, expected a file: ${path}`);
  });
});
