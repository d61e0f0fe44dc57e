import { InputError } from '../kernel/errors.ts';
import { type ColumnSource, sourceOf, type TableParts } from './table.ts';

/** A cell as the whole read keeps it: a number, text, or empty. */
export type Cell = number | string | undefined;

/**
 * JSON Lines: one object per line, its keys the columns (the union over all lines, in the
 * order first seen). Values are numbers, strings or booleans (read as 'true' / 'false'); a
 * null or a key a line leaves out is an empty cell. A column is a number column only when
 * every line gives it a JSON number, so a label column of "1"-style strings stays text.
 * Blank lines are skipped; errors name the line as it is numbered in the file.
 */
export function readJsonl(path: string, bytes: Buffer): TableParts {
  const columns = new Map<string, Cell[]>();
  const lines: number[] = [];
  let lineNumber = 0;
  // Line by line from the bytes (a UTF-8 LF is never part of another character): the file as one
  // string would stop at V8's longest string, 512 MiB.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  for (let start = bom ? 3 : 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    lineNumber++;
    if (line.trim() === '') continue;
    const record = parseLine(path, lineNumber, line);
    const row = lines.length;
    lines.push(lineNumber);
    for (const [key, value] of Object.entries(record)) {
      let cells = columns.get(key);
      if (cells === undefined) {
        cells = new Array<Cell>(row).fill(undefined);
        columns.set(key, cells);
      }
      cells.push(toCell(path, lineNumber, key, value));
    }
    for (const cells of columns.values()) if (cells.length === row) cells.push(undefined);
  }
  if (lines.length === 0)
    throw new InputError(`${path} is empty`, { hint: 'expected one JSON object per line' });
  const names = [...columns.keys()];
  const sources = [...columns.values()].map(toSource);
  return { rows: lines.length, names, sources, locate: (row) => `line ${lines[row]}` };
}

/** One line of a JSON Lines file as an object, or an InputError naming the file and line. */
export function parseLine(path: string, lineNumber: number, line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InputError(`${path} line ${lineNumber} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${path} line ${lineNumber} is not a JSON object`, {
      hint: 'write one object per line, e.g. {"x1": 0.5, "label": "cat"}',
    });
  }
  return value as Record<string, unknown>;
}

/** A value of a line as its cell; a nested value is an InputError naming the line and key. */
export function toCell(path: string, lineNumber: number, key: string, value: unknown): Cell {
  switch (typeof value) {
    case 'number':
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return undefined;
      throw new InputError(
        `${path} line ${lineNumber}: '${key}' is ${Array.isArray(value) ? 'an array' : 'an object'}, expected a number, string or boolean`,
        { hint: 'flatten nested values into columns of their own' },
      );
  }
}

/** A column's cells as the whole read types them: numbers when every line gave a number, else text. */
export function toSource(cells: readonly Cell[]): ColumnSource {
  if (cells.every((cell) => typeof cell === 'number')) {
    return sourceOf({ kind: 'number', values: Float64Array.from(cells as number[]) });
  }
  return sourceOf({ kind: 'string', values: cells.map((cell) => (cell === undefined ? '' : String(cell))) });
}
