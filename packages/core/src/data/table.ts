import { didYouMean, InputError } from '../kernel/errors.ts';
import { parseNumber, trimNumberText } from './numbers.ts';

/**
 * One column of a dataset. A column is `number` when every cell is a number (NaN and ±∞
 * included, see numbers.ts); one empty or non-numeric cell makes the whole column `string`,
 * so that a label column of class names, or a feature column with a gap, is never half
 * converted.
 */
export type Column =
  | { readonly kind: 'number'; readonly values: Float64Array }
  | { readonly kind: 'string'; readonly values: readonly string[] };

export type TableFormat = 'csv' | 'jsonl' | 'npy' | 'npz' | 'parquet';

/** A dataset read into columns. */
export interface Table {
  /** The path as given. */
  readonly path: string;
  readonly format: TableFormat;
  /**
   * Hex sha256 of the file bytes. A promise: a large file is hashed on another thread while
   * the table is used, so only what needs the digest waits for it.
   */
  readonly sha256: Promise<string>;
  readonly bytes: number;
  readonly rows: number;
  /** Column names, in file order. */
  readonly columns: readonly string[];
  /** The column, or an InputError naming the file and the column, with a did-you-mean hint. */
  column(name: string): Column;
  /**
   * The column's cells as strings: numbers as the source text spelled them where the format
   * has text (CSV), else `String(value)`. Used for labels and slices.
   */
  strings(name: string): readonly string[];
  /**
   * The given columns as the model input, row-major float32, copied out a batch of rows at a
   * time (no matrix of the whole file is ever built). Each value equals
   * `Math.fround(parseFloat(text))` for CSV. Throws an InputError naming the file, the column
   * and the row of the first cell that is not a number, before any row is handed out; and, from
   * `copy`, of the first NaN, ±∞ or value beyond float32's range in the rows it copies.
   */
  features(columns: readonly string[]): FeatureRows;
  /** {@link features} copied out whole: one row-major float32 matrix. */
  matrix(columns: readonly string[]): Float32Array;
}

/** The model input of a table, handed out in batches of rows. */
export interface FeatureRows {
  readonly rows: number;
  /** Values per row. */
  readonly width: number;
  /** Writes rows [start, end) into `into`, row-major, from its index 0. */
  copy(start: number, end: number, into: Float32Array): void;
  /**
   * {@link copy} for an input parsed on other threads (a streamed CSV file): resolves once the
   * rows are in `into`. Where it is given, the model's runner uses it for the batched pass, so
   * that the next batch is parsed while the model runs on this thread.
   */
  fill?(start: number, end: number, into: Float32Array): Promise<void>;
}

/** A column as a reader produced it, with its cells as text, computed only when asked for. */
export interface ColumnSource {
  readonly column: Column;
  readonly strings: () => readonly string[];
}

/** What identifies the file a table came from. */
export interface FileFacts {
  readonly path: string;
  readonly format: TableFormat;
  readonly sha256: Promise<string>;
  readonly bytes: number;
}

export interface TableParts {
  readonly rows: number;
  readonly names: readonly string[];
  readonly sources: readonly ColumnSource[];
  /** How an error message points at data row `index` (0-based): "row 12", "line 13". */
  readonly locate?: (index: number) => string;
  /**
   * Per column, where its values already sit in a row-major float array (a 2-D NPY array):
   * matrix() then copies straight from there instead of through float64 columns.
   */
  readonly packed?: ReadonlyArray<PackedColumn | undefined>;
}

/** Column `offset` of a row-major float array `width` values wide. */
export interface PackedColumn {
  readonly source: Float32Array | Float64Array;
  readonly width: number;
  readonly offset: number;
}

/** A column source for a reader that keeps no source text: numbers print as String(value). */
export function sourceOf(column: Column): ColumnSource {
  let text: readonly string[] | undefined;
  return {
    column,
    strings: () => {
      if (column.kind === 'string') return column.values;
      text ??= Array.from(column.values, (value) => String(value));
      return text;
    },
  };
}

/**
 * Splits cells into a number column when every cell is a number, else keeps the strings.
 * Readers that see text (CSV through csv-parse, JSONL strings) use this to type a column.
 */
export function typeColumn(cells: readonly string[]): ColumnSource {
  const values = new Float64Array(cells.length);
  for (let row = 0; row < cells.length; row++) {
    const value = parseNumber(cells[row] as string);
    if (value === undefined) return { column: { kind: 'string', values: cells }, strings: () => cells };
    values[row] = value;
  }
  const text = cells.map(trimNumberText);
  return { column: { kind: 'number', values }, strings: () => text };
}

/** Checks the parts of a table and wraps them in the {@link Table} interface. */
export function createTable(file: FileFacts, parts: TableParts): Table {
  const { path } = file;
  const { rows, names, sources } = parts;
  const locate = parts.locate ?? ((index: number) => `row ${index + 1}`);
  if (names.length === 0) throw new InputError(`${path} has no columns`);
  if (rows === 0) throw new InputError(`${path} has no data rows`);
  const byName = new Map<string, ColumnSource>();
  names.forEach((name, index) => {
    if (byName.has(name)) throw new InputError(`${path} has two columns named '${name}'`);
    const source = sources[index];
    // A packed column's values are split out lazily; its length is the packed array's by construction.
    if (
      source === undefined ||
      (parts.packed?.[index] === undefined && source.column.values.length !== rows)
    ) {
      throw new Error(`bug: column '${name}' of ${path} does not have ${rows} rows`);
    }
    byName.set(name, source);
  });

  const find = (name: string): ColumnSource => {
    const source = byName.get(name);
    if (source !== undefined) return source;
    const suggestion = didYouMean(name, names);
    throw new InputError(`${path} has no column '${name}'`, {
      hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its columns are ${preview(names)}`,
    });
  };

  const features = (columns: readonly string[]): FeatureRows => {
    const packed = columns.map((name) => {
      find(name);
      return parts.packed?.[names.indexOf(name)];
    });
    const notFinite = (row: number, j: number): InputError => {
      const name = columns[j] as string;
      const { column, strings } = find(name);
      const value =
        column.kind === 'number' ? (column.values[row] as number) : parseNumber(column.values[row] as string);
      return notFiniteFeature(path, name, locate(row), strings()[row] as string, value ?? Number.NaN);
    };
    if (packed.every((p) => p !== undefined))
      return finiteRows(packedRows(packed as PackedColumn[], rows), notFinite);
    const values = columns.map((name) => {
      const { column } = find(name);
      return column.kind === 'number' ? column.values : parseCells(path, name, column.values, locate);
    });
    return finiteRows(columnRows(values, rows), notFinite);
  };

  return {
    ...file,
    rows,
    columns: names,
    column: (name) => find(name).column,
    strings: (name) => find(name).strings(),
    features,
    matrix: (columns) => {
      const input = features(columns);
      const out = new Float32Array(rows * input.width);
      input.copy(0, rows, out);
      return out;
    },
  };
}

/** A string column's cells as numbers (a JSONL field written as "1.5" is one), or an error at the first that is not. */
function parseCells(
  path: string,
  name: string,
  cells: readonly string[],
  locate: (index: number) => string,
): Float64Array {
  const values = new Float64Array(cells.length);
  cells.forEach((cell, row) => {
    const value = parseNumber(cell);
    if (value === undefined) throw notANumber(path, name, locate(row), cell);
    values[row] = value;
  });
  return values;
}

/**
 * The model input from a row-major float array (`stride` values a row) of the columns at
 * `offsets`, each batch checked as it is copied: `fail` words a value that is not finite.
 * A streamed NPY file (npy-stream.ts) reads its rows a batch at a time into such an array.
 */
export function packedFeatureRows(
  source: Float32Array | Float64Array,
  stride: number,
  offsets: readonly number[],
  rows: number,
  fail: (row: number, column: number) => Error,
): FeatureRows {
  return finiteRows(
    packedRows(
      offsets.map((offset) => ({ source, width: stride, offset })),
      rows,
    ),
    fail,
  );
}

/** Rows per block of the transpose: a block of every column stays in cache while it is written out. */
const TRANSPOSE_BLOCK_ROWS = 256;

/**
 * The model input straight from packed row-major arrays (a 2-D NPY array): no float64 detour.
 * Batch by batch into a buffer that is reused, 30% faster than filling one matrix of every
 * row, which is fresh memory the system must first map in.
 */
function packedRows(columns: readonly PackedColumn[], rows: number): FeatureRows {
  const width = columns.length;
  const first = columns[0];
  if (first !== undefined && columns.every((c) => c.source === first.source && c.width === first.width)) {
    // The usual case (one 2-D array): a tight loop over plain offsets, 3× faster than the general one.
    const { source, width: stride } = first;
    const offsets = Int32Array.from(columns, (c) => c.offset);
    const run = offsets.every((offset, j) => offset === first.offset + j);
    const copy: FeatureRows['copy'] = (start, end, into) => {
      for (let i = start, k = 0; i < end; i++) {
        const base = i * stride;
        for (let j = 0; j < width; j++, k++) into[k] = source[base + (offsets[j] as number)] as number;
      }
    };
    if (run && source instanceof Float32Array && width % 2 === 0) {
      return float32Run(source, stride, first.offset, width, rows, copy);
    }
    return { rows, width, copy };
  }
  return {
    rows,
    width,
    copy: (start, end, into) => {
      for (let i = start, k = 0; i < end; i++) {
        for (let j = 0; j < width; j++, k++) {
          const { source, width: stride, offset } = columns[j] as PackedColumn;
          into[k] = source[i * stride + offset] as number;
        }
      }
    },
  };
}

/**
 * A run of `width` neighbouring float32 columns (an even number) from `offset`, in rows `stride`
 * values apart: the usual model input of a 2-D NPY array, every column but the label. Two
 * values move at a time as the 8 bytes of one float64, through a DataView since every other row
 * starts 4 bytes off an 8-byte boundary: half the loop turns and no float conversions, 1.6× faster
 * at 200k rows and 2.4× at 1M. A non-NaN float64 is stored bit for bit; a NaN one might not be
 * (an engine may pick its own NaN bits), so a pair that reads as NaN goes value by value.
 * `plain` copies when the target is not 8-byte aligned.
 */
function float32Run(
  source: Float32Array,
  stride: number,
  offset: number,
  width: number,
  rows: number,
  plain: FeatureRows['copy'],
): FeatureRows {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const pairs = width / 2;
  const rowBytes = stride * 4;
  return {
    rows,
    width,
    copy: (start, end, into) => {
      if (into.byteOffset % 8 !== 0) return plain(start, end, into);
      const out = new Float64Array(into.buffer, into.byteOffset, ((end - start) * width) / 2);
      for (let i = start, k = 0; i < end; i++) {
        let at = i * rowBytes + offset * 4;
        for (let p = 0; p < pairs; p++, k++, at += 8) {
          const two = view.getFloat64(at, true);
          if (!Number.isNaN(two)) {
            out[k] = two;
          } else {
            const from = at / 4;
            into[2 * k] = source[from] as number;
            into[2 * k + 1] = source[from + 1] as number;
          }
        }
      }
    },
  };
}

/**
 * Checks each batch as it is copied out: a NaN, ±∞, or a finite value beyond float32's range
 * (±3.4e38, ∞ once stored as float32) would reach the model and turn its output into NaN, which
 * then reads as logits and hides metrics for a wrong reason. The batch is checked in the float32
 * buffer just written, while it is in cache: `x * 0` is 0 for every finite x and NaN otherwise,
 * so four sums stay 0 unless some value is not finite. That costs about 4 ms on 200k × 32, a
 * fraction of a per-cell test inside the copy loops, and covers every reader in one place.
 * The row and column are found again only when a batch fails.
 */
function finiteRows(input: FeatureRows, fail: (row: number, column: number) => Error): FeatureRows {
  const { rows, width } = input;
  return {
    rows,
    width,
    copy: (start, end, into) => {
      input.copy(start, end, into);
      const n = (end - start) * width;
      if (allFinite(into, n)) return;
      for (let k = 0; k < n; k++) {
        if (!Number.isFinite(into[k] as number)) throw fail(start + Math.floor(k / width), k % width);
      }
    },
  };
}

/** Whether `values[0..n)` are all finite: `x * 0` is 0 for a finite x and NaN otherwise. */
function allFinite(values: Float32Array, n: number): boolean {
  // Four independent sums: one would wait on each addition before the next.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    a += (values[k] as number) * 0;
    b += (values[k + 1] as number) * 0;
    c += (values[k + 2] as number) * 0;
    d += (values[k + 3] as number) * 0;
  }
  for (; k < n; k++) a += (values[k] as number) * 0;
  return a + b + c + d === 0;
}

/** Column-major doubles to row-major float32, in blocks of rows (2.5× faster than column by column). */
function columnRows(columns: readonly Float64Array[], rows: number): FeatureRows {
  const width = columns.length;
  return {
    rows,
    width,
    copy: (start, end, into) => {
      for (let first = start; first < end; first += TRANSPOSE_BLOCK_ROWS) {
        const last = Math.min(end, first + TRANSPOSE_BLOCK_ROWS);
        // A plain loop, not forEach: a closure call per column and block cost a third more.
        for (let j = 0; j < width; j++) {
          const values = columns[j] as Float64Array;
          for (let row = first, at = (first - start) * width + j; row < last; row++, at += width)
            into[at] = values[row] as number;
        }
      }
    },
  };
}

const PREVIEW_CELL_CHARS = 40;

function notANumber(path: string, column: string, where: string, cell: string): InputError {
  if (cell === '') {
    return new InputError(`${path}: column '${column}' ${where} is empty, expected a number`, {
      hint: 'missing values cannot be fed to the model: fill or drop them (pandas writes NaN as an empty cell unless to_csv(na_rep="nan"))',
    });
  }
  const shown = cell.length > PREVIEW_CELL_CHARS ? `${cell.slice(0, PREVIEW_CELL_CHARS)}…` : cell;
  return new InputError(`${path}: column '${column}' ${where} is '${shown}', expected a number`, {
    hint: 'choose numeric feature columns with --features, or leave text columns out of them',
  });
}

function notFiniteFeature(
  path: string,
  column: string,
  where: string,
  cell: string,
  value: number,
): InputError {
  const shown = cell.length > PREVIEW_CELL_CHARS ? `${cell.slice(0, PREVIEW_CELL_CHARS)}…` : cell;
  const at = `${path}: column '${column}' ${where} is '${shown}'`;
  if (Number.isNaN(value)) {
    return new InputError(`${at} (not a number); features must be finite numbers`, {
      hint: 'fill or drop missing values before evaluating (pandas: df.fillna(…) or df.dropna())',
    });
  }
  // 'inf' as written; a decimal too long for a double also reads as ∞, but is a range problem.
  if (!Number.isFinite(value) && /^[+-]?inf/i.test(cell.trim())) {
    return new InputError(`${at} (infinite); features must be finite numbers`, {
      hint: 'clip or drop infinite values before evaluating (numpy: np.nan_to_num or np.clip)',
    });
  }
  return new InputError(`${at}, beyond float32's range (±3.4e38), the type the model takes`, {
    hint: 'rescale or clip the feature to float32 range before evaluating',
  });
}

const PREVIEW_NAMES = 12;

function preview(names: readonly string[]): string {
  const shown = names.slice(0, PREVIEW_NAMES).join(', ');
  return names.length > PREVIEW_NAMES ? `${shown}, … (${names.length} in all)` : shown;
}
