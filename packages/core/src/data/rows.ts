import type { Column, FeatureRows, Table } from './table.ts';

/** The model input of rows [start, end) of `features`, its row 0 being their row `start`. */
export function featureRange(features: FeatureRows, start: number, end: number): FeatureRows {
  return {
    rows: end - start,
    width: features.width,
    copy: (from, to, into) => features.copy(start + from, start + to, into),
  };
}

function columnRange(column: Column, start: number, end: number): Column {
  return column.kind === 'number'
    ? { kind: 'number', values: column.values.subarray(start, end) }
    : { kind: 'string', values: column.values.slice(start, end) };
}

/**
 * Rows [start, end) of `table` as a table of their own (one shard of an evaluation): the same
 * file, path and digest, its columns cut to those rows. Column views are taken when asked for.
 */
export function rowRange(table: Table, start: number, end: number): Table {
  const columns = new Map<string, Column>();
  const strings = new Map<string, readonly string[]>();
  return {
    path: table.path,
    format: table.format,
    sha256: table.sha256,
    bytes: table.bytes,
    rows: end - start,
    columns: table.columns,
    column: (name) => {
      let column = columns.get(name);
      if (column === undefined) {
        column = columnRange(table.column(name), start, end);
        columns.set(name, column);
      }
      return column;
    },
    strings: (name) => {
      let text = strings.get(name);
      if (text === undefined) {
        text = table.strings(name).slice(start, end);
        strings.set(name, text);
      }
      return text;
    },
    features: (names) => featureRange(table.features(names), start, end),
    matrix: (names) => {
      const input = featureRange(table.features(names), start, end);
      const out = new Float32Array(input.rows * input.width);
      input.copy(0, input.rows, out);
      return out;
    },
  };
}
