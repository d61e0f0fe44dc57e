import type { Column } from '../data/index.ts';
import { InputError } from '../kernel/errors.ts';
import { type LabelSlots, labelSlots } from './labels-kernel.ts';

/** Canonical text of a numeric label, so that "1", "1.0" and 1 name the same class. */
export function numericLabel(value: number): string {
  return String(value);
}

/** Up to this many classes a scan of a typed array beats a Set or Map lookup per row. */
const LINEAR_SCAN_CLASSES = 16;
/** From this many rows the WebAssembly kernel (labels-kernel.ts) pays for copying the column in. */
const KERNEL_MIN_ROWS = 4096;

/**
 * The kernel's slots of a numeric column, found once for both classOrder and classIndices.
 * Columns are not changed once read, so a column's slots stay right; null: past 16 values.
 */
const slotsOf = new WeakMap<Float64Array, LabelSlots | null>();

function slotsFor(values: Float64Array): LabelSlots | undefined {
  if (values.length < KERNEL_MIN_ROWS) return undefined;
  let found = slotsOf.get(values);
  if (found === undefined) {
    found = labelSlots(values) ?? null;
    slotsOf.set(values, found);
  }
  return found ?? undefined;
}

/**
 * The class order of CONTRACT.md: the sorted set of label values (numeric order when every value
 * is a number, otherwise by code point), extended with any extra names (e.g. from proba_<class>
 * columns), unless `--classes` gives the order.
 */
export function classOrder(labels: Column, extra: readonly string[] = []): string[] {
  if (labels.kind === 'number') {
    const values = distinctNumbers(labels.values);
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

/**
 * The distinct values of a numeric column, NaN left out. Labels take few values: while there
 * are at most {@link LINEAR_SCAN_CLASSES}, a scan of a typed array finds a value already seen,
 * which is 3× faster on 200k rows than a Set lookup per row; past that, a Set.
 */
function distinctNumbers(column: Float64Array): Set<number> {
  const slots = slotsFor(column);
  // A Set keeps -0 as 0, as below.
  if (slots !== undefined) return new Set(slots.distinct);
  const values = new Set<number>();
  const seen = new Float64Array(LINEAR_SCAN_CLASSES);
  let count = 0;
  let row = 0;
  for (; row < column.length && count < LINEAR_SCAN_CLASSES; row++) {
    const value = column[row] as number;
    let k = 0;
    while (k < count && seen[k] !== value) k++;
    if (k === count && !Number.isNaN(value)) {
      seen[count++] = value;
      values.add(value);
    }
  }
  for (; row < column.length; row++) {
    const value = column[row] as number;
    if (!Number.isNaN(value)) values.add(value);
  }
  return values;
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
  const cells = column.values;
  const out = new Int32Array(cells.length);
  const byName = new Map(classes.map((c, i) => [c, i]));
  const numericClasses = classes.every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
  const byNumber = numericClasses ? new Map(classes.map((c, i) => [Number(c), i])) : undefined;
  if (
    column.kind === 'number' &&
    byNumber !== undefined &&
    numericIndices(cells as Float64Array, byNumber, out)
  ) {
    return out;
  }
  for (let row = 0; row < cells.length; row++) {
    const value = cells[row] as string | number;
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

/**
 * The fast path of {@link classIndices} for a numeric column with numeric classes: a scan of
 * the class values (a Map past a few), and only when the value changes from the row before. False
 * at the first value that is not a class, so that the general loop words the error.
 */
function numericIndices(
  values: Float64Array,
  byNumber: ReadonlyMap<number, number>,
  out: Int32Array,
): boolean {
  const slots = slotsFor(values);
  if (slots !== undefined) return slotIndices(slots, byNumber, out);
  const keys = Float64Array.from(byNumber.keys());
  const indices = Int32Array.from(byNumber.values());
  let previous = Number.NaN;
  let index = -1;
  for (let row = 0; row < values.length; row++) {
    const value = values[row] as number;
    if (value !== previous) {
      let found: number | undefined;
      if (keys.length <= LINEAR_SCAN_CLASSES) {
        for (let k = 0; k < keys.length && found === undefined; k++)
          if (keys[k] === value) found = indices[k];
      } else {
        found = byNumber.get(value);
      }
      if (found === undefined) return false;
      previous = value;
      index = found;
    }
    out[row] = index;
  }
  return true;
}

/** {@link numericIndices} from the kernel's slots: a table from slot to class, then a lookup per row. */
function slotIndices(slots: LabelSlots, byNumber: ReadonlyMap<number, number>, out: Int32Array): boolean {
  const table = new Int32Array(256).fill(-1);
  slots.distinct.forEach((value, slot) => {
    table[slot] = byNumber.get(value) ?? -1;
  });
  const rows = slots.slots;
  for (let row = 0; row < rows.length; row++) {
    const index = table[rows[row] as number] as number;
    if (index < 0) return false;
    out[row] = index;
  }
  return true;
}

/**
 * A numeric target for regression (or a regression prediction), naming the first empty,
 * non-numeric, NaN or infinite cell: any of them would make every metric NaN, and drop it.
 */
export function numericTarget(column: Column, where: { file: string; column: string }): Float64Array {
  if (column.kind === 'number') {
    const index = column.values.findIndex((v) => !Number.isFinite(v));
    if (index >= 0) throw notFinite(where, index, column.values[index] as number);
    return column.values;
  }
  const out = new Float64Array(column.values.length);
  for (let row = 0; row < out.length; row++) {
    const text = column.values[row] as string;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw emptyOrText(where, row, text);
    out[row] = value;
  }
  return out;
}

function notFinite(where: { file: string; column: string }, row: number, value: number): InputError {
  return Number.isNaN(value)
    ? new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is empty or NaN; a regression label must be a number`,
      )
    : new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is ${value}, expected a finite number`,
      );
}

function emptyOrText(where: { file: string; column: string }, row: number, text: string): InputError {
  return text.trim() === ''
    ? new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is empty; a regression label must be a number`,
      )
    : new InputError(
        `${where.file}: column '${where.column}' row ${row + 1} is '${text}', expected a finite number`,
      );
}
