import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine } from '../data/jsonl.ts';
import { type Column, createTable, sourceOf, type Table } from '../data/table.ts';
import { InputError } from '../kernel/errors.ts';

/** The server's request logs: `requests-<UTC time>-<pid>-<seq>.jsonl` in the folder it was given. */
export const REQUEST_LOG_PATTERN = /\.jsonl$/;

/** Whether a path is a folder (of request logs), not a data file. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads a folder of the server's request logs (`serve --log-requests DIR`) into a table of the
 * features the requests carried: every `*.jsonl` file, in name order (the names start with the
 * UTC time they were opened), one line per input row:
 * `{"time", "model", "version", "features": {NAME: number | string}, "outputs": {…}}`.
 * Every line must give the same features. A feature is a number column when every line gives a
 * JSON number, else text. A last line without its newline that does not parse is a line still
 * being written, and is left out. The digest covers every file's name and bytes, in order.
 */
export function readRequestLogs(dir: string): Table {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => REQUEST_LOG_PATTERN.test(name))
      .sort();
  } catch (error) {
    throw new InputError(`cannot read the request log folder ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (names.length === 0) {
    throw new InputError(`the request log folder ${dir} holds no *.jsonl files`, {
      hint: "point it at the folder 'modelgate serve --log-requests DIR' writes, once requests have been logged",
    });
  }
  const hash = createHash('sha256');
  const cells = new Map<string, Array<number | string>>();
  const where: Array<[number, number]> = [];
  let bytes = 0;
  names.forEach((name, fileIndex) => {
    const path = join(dir, name);
    const content = readFileSync(path);
    bytes += content.length;
    hash.update(`${name}\0`).update(content);
    const lines = content.toString('utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      // The newest file may be open for writing: an unfinished last line is not there yet.
      if (index === lines.length - 1 && !isJson(text)) return;
      const features = featuresOf(path, index + 1, text);
      const row = where.length;
      if (row === 0) for (const key of Object.keys(features)) cells.set(key, []);
      for (const [key, values] of cells) {
        const value = features[key];
        if (value === undefined) {
          throw new InputError(
            `${path} line ${index + 1} has no feature '${key}', which the logs before it have`,
            {
              hint: 'keep one model version per log folder: every line must carry the same features',
            },
          );
        }
        values.push(value);
      }
      for (const key of Object.keys(features)) {
        if (!cells.has(key))
          throw new InputError(
            `${path} line ${index + 1} has a feature '${key}' that the logs before it lack`,
          );
      }
      where.push([fileIndex, index + 1]);
    });
  });
  if (where.length === 0) throw new InputError(`the request logs in ${dir} hold no requests`);
  const columns = [...cells.keys()];
  const sources = [...cells.values()].map((values) => sourceOf(toColumn(values)));
  return createTable(
    { path: dir, format: 'jsonl', sha256: Promise.resolve(hash.digest('hex')), bytes },
    {
      rows: where.length,
      names: columns,
      sources,
      locate: (row) => {
        const [file, line] = where[row] ?? [0, 0];
        return `${names[file]} line ${line}`;
      },
    },
  );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function featuresOf(path: string, line: number, text: string): Record<string, number | string> {
  const value = parseLine(path, line, text);
  const features = (value as { features?: unknown } | null)?.features;
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    throw new InputError(`${path} line ${line} is not a request log line: it has no "features" object`, {
      hint: 'expected {"time", "model", "version", "features": {…}, "outputs": {…}} per line',
    });
  }
  for (const [key, cell] of Object.entries(features)) {
    if (typeof cell !== 'number' && typeof cell !== 'string')
      throw new InputError(
        `${path} line ${line}: feature '${key}' is ${JSON.stringify(cell)}; expected a number or a string`,
      );
  }
  return features as Record<string, number | string>;
}

function toColumn(values: ReadonlyArray<number | string>): Column {
  if (values.every((v) => typeof v === 'number'))
    return { kind: 'number', values: Float64Array.from(values as number[]) };
  return { kind: 'string', values: values.map(String) };
}
