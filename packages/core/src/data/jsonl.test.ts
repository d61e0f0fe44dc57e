import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { tempFiles } from './__fixtures__/temp-files.ts';
import { readTable, type Table } from './index.ts';

const files = tempFiles();

async function readJsonlText(content: string, name = 'data.jsonl'): Promise<Table> {
  return readTable(files.write(name, content));
}

async function jsonlError(content: string, name: string): Promise<InputError> {
  const error = await readJsonlText(content, name).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('reading JSON Lines', () => {
  it('makes a column per key, in the order keys are first seen', async () => {
    const table = await readJsonlText(
      '{"x1": 0.1, "label": "cat"}\n{"label": "dog", "x1": 2.5, "x2": -1}\n{"x2": 3, "x1": 1e-30, "label": "cat"}\n',
    );
    expect(table.format).toBe('jsonl');
    expect(table.columns).toEqual(['x1', 'label', 'x2']);
    expect(table.rows).toBe(3);
    expect(table.column('x1')).toEqual({ kind: 'number', values: Float64Array.from([0.1, 2.5, 1e-30]) });
    expect(table.column('label')).toEqual({ kind: 'string', values: ['cat', 'dog', 'cat'] });
  });

  it('leaves a key that a line lacks, or a null, as an empty cell', async () => {
    const table = await readJsonlText('{"a": 1}\n{"a": 2, "b": "x"}\n{"a": null, "b": "y"}\n');
    expect(table.column('b')).toEqual({ kind: 'string', values: ['', 'x', 'y'] });
    expect(table.column('a')).toEqual({ kind: 'string', values: ['1', '2', ''] });
    expect(() => table.matrix(['a'])).toThrow(`${table.path}: column 'a' line 3 is empty, expected a number`);
  });

  it("reads booleans as 'true' and 'false'", async () => {
    const table = await readJsonlText('{"ok": true}\n{"ok": false}\n');
    expect(table.column('ok')).toEqual({ kind: 'string', values: ['true', 'false'] });
  });

  it('keeps numeric strings as text, and still feeds them to the model', async () => {
    const table = await readJsonlText('{"x": "1.5", "y": 2}\n{"x": "-3", "y": 4}\n');
    expect(table.column('x')).toEqual({ kind: 'string', values: ['1.5', '-3'] });
    expect([...table.matrix(['x', 'y'])]).toEqual([1.5, 2, -3, 4]);
  });

  it('skips blank lines, reads CRLF line ends and a BOM, and numbers errors by file line', async () => {
    const table = await readJsonlText('\ufeff{"x": 1}\r\n\r\n  \n{"x": "oops"}\r\n');
    expect(table.rows).toBe(2);
    expect(table.strings('x')).toEqual(['1', 'oops']);
    expect(() => table.matrix(['x'])).toThrow(
      `${table.path}: column 'x' line 4 is 'oops', expected a number`,
    );
  });

  it('formats numbers for strings() as String(value)', async () => {
    const table = await readJsonlText('{"x": 1.0}\n{"x": 1e21}\n');
    expect(table.strings('x')).toEqual(['1', '1e+21']);
  });
});

describe('bad JSON Lines input', () => {
  it('names the line that is not valid JSON, keeping the parser error as the cause', async () => {
    const error = await jsonlError('{"x": 1}\n\n{"x": 2,}\n', 'broken.jsonl');
    expect(error.message).toMatch(/broken\.jsonl line 3 is not valid JSON: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a line that is not an object', async () => {
    const error = await jsonlError('{"x": 1}\n[1, 2]\n', 'array.jsonl');
    expect(error.message).toMatch(/array\.jsonl line 2 is not a JSON object$/);
  });

  it('refuses nested values, naming the line and key', async () => {
    const error = await jsonlError('{"x": 1, "tags": ["a"]}\n', 'nested.jsonl');
    expect(error.message).toMatch(
      /nested\.jsonl line 1: 'tags' is an array, expected a number, string or boolean$/,
    );
  });

  it('refuses an empty file', async () => {
    expect((await jsonlError('\n \n', 'empty.ndjson')).message).toMatch(/empty\.ndjson is empty$/);
  });
});
