import type { Table } from '../data/table.ts';
import { didYouMean, InputError } from '../kernel/errors.ts';
import type { ColumnPair } from './analyze.ts';

/** A two-sample test needs at least this many rows on each side. */
export const MIN_ROWS = 2;

export interface PairOptions {
  /** The columns to compare; default every column of the reference but the excluded ones. */
  readonly features?: readonly string[];
  /** Never compared as features (the label). */
  readonly exclude: readonly string[];
  /** How errors name the options (`--reference`, `input 'reference'`). */
  readonly referenceOption: string;
  readonly currentOption: string;
}

const kindName = (kind: 'number' | 'string') => (kind === 'number' ? 'numeric' : 'text');

/**
 * The columns to compare, checked: at least {@link MIN_ROWS} rows a side, the same columns on
 * both sides (or the named ones present on both), one kind per column on both sides, and no NaN
 * or ±∞ in a numeric column. Each problem is an InputError naming the column and the side.
 */
export function columnPairs(reference: Table, current: Table, options: PairOptions): ColumnPair[] {
  const ref = `${reference.path} (${options.referenceOption})`;
  const cur = `${current.path} (${options.currentOption})`;
  for (const [table, side] of [
    [reference, ref],
    [current, cur],
  ] as const) {
    if (table.rows < MIN_ROWS)
      throw new InputError(
        `${side} has ${table.rows} row; drift needs at least ${MIN_ROWS} rows on each side`,
      );
  }
  const excluded = new Set(options.exclude);
  const named = options.features;
  let names: readonly string[];
  if (named !== undefined) {
    for (const name of named) {
      for (const [table, side] of [
        [reference, ref],
        [current, cur],
      ] as const) {
        if (!table.columns.includes(name)) {
          const guess = didYouMean(name, table.columns);
          throw new InputError(`feature '${name}' is not a column of ${side}`, {
            hint:
              guess === undefined
                ? `its columns are ${table.columns.join(', ')}`
                : `did you mean '${guess}'?`,
          });
        }
      }
    }
    names = named;
  } else {
    names = reference.columns.filter((c) => !excluded.has(c));
    const missing = names.find((c) => !current.columns.includes(c));
    if (missing !== undefined) {
      throw new InputError(`column '${missing}' of ${ref} is missing from ${cur}`, {
        hint: 'compare data with the same columns, or name the ones to compare with the features option',
      });
    }
    const extra = current.columns.find((c) => !excluded.has(c) && !reference.columns.includes(c));
    if (extra !== undefined) {
      throw new InputError(`column '${extra}' of ${cur} is missing from ${ref}`, {
        hint: 'compare data with the same columns, or name the ones to compare with the features option',
      });
    }
  }
  if (names.length === 0) throw new InputError(`${ref} has no feature columns to compare`);
  return names.map((name) => {
    const r = reference.column(name);
    const c = current.column(name);
    if (r.kind !== c.kind) {
      throw new InputError(
        `column '${name}' is ${kindName(r.kind)} in ${ref} but ${kindName(c.kind)} in ${cur}`,
        { hint: 'a column must hold numbers on both sides, or text on both sides' },
      );
    }
    for (const [column, table, side] of [
      [r, reference, ref],
      [c, current, cur],
    ] as const) {
      if (column.kind !== 'number') continue;
      const row = column.values.findIndex((v) => !Number.isFinite(v));
      if (row >= 0) {
        throw new InputError(
          `column '${name}' of ${side} holds ${String(column.values[row])} in ${table.rows > 0 ? `row ${row + 1}` : 'a row'}; drift tests need finite numbers`,
        );
      }
    }
    return { name, reference: r, current: c };
  });
}
