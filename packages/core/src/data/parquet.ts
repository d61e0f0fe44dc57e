import type { FileMetaData } from 'hyparquet';
import { InputError } from '../kernel/errors.ts';
import { type ColumnSource, sourceOf, type TableParts } from './table.ts';

/**
 * Parquet, through hyparquet, with every codec but the long-deprecated LZO: uncompressed,
 * snappy (the pandas / pyarrow default), gzip, brotli, zstd, lz4 and lz4_raw, decoded by
 * hyparquet-compressors.
 * Numeric columns read as numbers; 64-bit integers beyond 2^53 are refused, since a double
 * would silently round them. Strings read as text, booleans as 'true' / 'false' (as in
 * JSONL), dates and timestamps as ISO 8601 text. A null is an empty cell, which makes the
 * column text. Nested columns (lists, structs, maps) are refused.
 */
export async function readParquet(path: string, bytes: Buffer): Promise<TableParts> {
  // Loaded on first use: most runs read no Parquet, and start-up should not compile it.
  const [{ parquetMetadata, parquetRead, parquetSchema }, { compressors }] = await Promise.all([
    import('hyparquet'),
    import('hyparquet-compressors'),
  ]);
  // hyparquet wants an ArrayBuffer of just the file; a pooled Buffer shares a larger one.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const file = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    throw new InputError(`${path} is not a valid Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const top = parquetSchema(metadata).children;
  const nested = top.find((child) => child.children.length > 0);
  if (nested !== undefined) {
    throw new InputError(`${path}: column '${nested.element.name}' is nested (a list, struct or map)`, {
      hint: 'flatten it into scalar columns before writing the file',
    });
  }
  const names = top.map((child) => child.element.name);
  const rows = Number(metadata.num_rows);
  const cells = new Map(names.map((name) => [name, new Array<unknown>(rows)]));
  try {
    await parquetRead({
      file,
      metadata,
      compressors,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const target = cells.get(columnName);
        if (target === undefined) return;
        for (let row = rowStart; row < rowEnd; row++) target[row] = columnData[row - rowStart];
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    throw new InputError(`${path}: cannot read the Parquet data: ${message}`, {
      cause: error,
      ...(/compression|codec/i.test(message)
        ? { hint: 'write it with a codec other than LZO, e.g. df.to_parquet(path, compression="zstd")' }
        : {}),
    });
  }
  const sources = names.map((name) => toSource(path, name, cells.get(name) as unknown[]));
  return { rows, names, sources };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A cell as the number a numeric column holds: a number, or an integer within 2^53; else undefined. */
export function parquetCellNumber(cell: unknown): number | undefined {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint' && cell <= MAX_EXACT && cell >= -MAX_EXACT) return Number(cell);
  return undefined;
}

/**
 * A column's cells as the whole read types them: numbers when every cell is a number (or an
 * integer within 2^53), else text. The streamed read (parquet-stream.ts) types its kept columns here too;
 * a shard's cells start at file row `firstRow` (0-based), so that an error names the file's row.
 */
export function toSource(path: string, name: string, cells: readonly unknown[], firstRow = 0): ColumnSource {
  const numbers = new Float64Array(cells.length);
  let numeric = true;
  for (let row = 0; row < cells.length && numeric; row++) {
    const cell = cells[row];
    if (typeof cell === 'number') {
      numbers[row] = cell;
    } else if (typeof cell === 'bigint') {
      if (cell > MAX_EXACT || cell < -MAX_EXACT) {
        throw new InputError(
          `${path}: column '${name}' row ${firstRow + row + 1} is ${cell}, beyond 2^53, where doubles stop being exact`,
          { hint: 'store identifiers as strings, or drop them from the data' },
        );
      }
      numbers[row] = Number(cell);
    } else {
      numeric = false;
    }
  }
  if (numeric) return sourceOf({ kind: 'number', values: numbers });
  return sourceOf({
    kind: 'string',
    values: cells.map((cell, row) => toText(path, name, firstRow + row, cell)),
  });
}

function toText(path: string, name: string, row: number, cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'bigint') return String(cell);
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (cell instanceof Date) return cell.toISOString();
  throw new InputError(
    `${path}: column '${name}' row ${row + 1} holds ${cell instanceof Uint8Array ? 'binary data' : 'a nested value'}, expected a number, string or boolean`,
    { hint: 'convert it to a number or text column before writing the file' },
  );
}
