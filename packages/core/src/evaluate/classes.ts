import type { Column } from '../data/index.ts';
import { InputError } from '../errors.ts';

/** Canonical text of a numeric label, so that "1", "1.0" and 1 name the same class. */
export function numericLabel(value: number): string {
  return String(value);
}

/**
 * The class order of CONTRACT.md: the sorted set of label values (numeric order when every value
 * is a number, otherwise by code point), extended with any extra names (e.g. from proba_<class>
 * columns), unless `--classes` gives the order.
 */
export function classOrder(labels: Column, extra: readonly string[] = []): string[] {
  if (labels.kind === 'number') {
    const values = new Set<number>();
    for (const v of labels.values) if (!Number.isNaN(v)) values.add(v);
    for (const name of extra) {
      const n = Number(name);
      if (name.trim() === '' || Number.isNaN(n))
        return codePointOrder([...[...values].map(numericLabel), ...extra]);
      values.add(n);
    }
    return [...values].sort((a, b) => a - b).map(numericLabel);
  }
  return codePointOrder([...labels.values.filter((v) => v !== ''), ...extra]);
}

function codePointOrder(names: readonly string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Maps a label (or hard-prediction) column to class indices, naming the first value that is not a class. */
export function classIndices(
  column: Column,
  classes: readonly string[],
  where: { file: string; column: string; classesFlag: boolean },
): Int32Array {
  const out = new Int32Array(column.values.length);
  const byName = new Map(classes.map((c, i) => [c, i]));
  const numericClasses = classes.every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
  const byNumber = numericClasses ? new Map(classes.map((c, i) => [Number(c), i])) : undefined;
  for (let row = 0; row < column.values.length; row++) {
    const value = column.values[row] as string | number;
    let index: number | undefined;
    if (typeof value === 'number') {
      index = byNumber?.get(value) ?? byName.get(numericLabel(value));
    } else {
      index =
        byName.get(value) ??
        (byNumber !== undefined && value.trim() !== '' ? byNumber.get(Number(value)) : undefined);
    }
    if (index === undefined) {
      const shown = typeof value === 'number' ? numericLabel(value) : value;
      if (shown === '' || (typeof value === 'number' && Number.isNaN(value))) {
        throw new InputError(
          `${where.file}: column '${where.column}' row ${row + 1} is empty; every row needs a label`,
        );
      }
      throw new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} has '${shown}', which is not one of the classes (${classes.join(', ')})`,
        where.classesFlag ? { hint: 'add it to --classes, or fix the data' } : {},
      );
    }
    out[row] = index;
  }
  return out;
}

/** A numeric target for regression, naming the first empty or non-numeric cell. */
export function numericTarget(column: Column, where: { file: string; column: string }): Float64Array {
  if (column.kind === 'number') {
    const index = column.values.findIndex((v) => Number.isNaN(v));
    if (index >= 0) throw emptyOrText(where, index, '');
    return column.values;
  }
  const out = new Float64Array(column.values.length);
  for (let row = 0; row < out.length; row++) {
    const text = column.values[row] as string;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isNaN(value)) throw emptyOrText(where, row, text);
    out[row] = value;
  }
  return out;
}

function emptyOrText(where: { file: string; column: string }, row: number, text: string): InputError {
  return text.trim() === ''
    ? new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is empty; a regression label must be a number`,
      )
    : new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is '${text}', expected a number`,
      );
}
