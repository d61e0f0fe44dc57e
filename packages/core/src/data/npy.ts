import { InputError } from '../kernel/errors.ts';
import { type PythonValue, parsePythonLiteral } from './python-literal.ts';
import { type Column, type PackedColumn, sourceOf, type TableParts } from './table.ts';

/**
 * NumPy's NPY format (versions 1, 2 and 3) and NPZ, a zip of NPY members.
 *
 * - NPY: a 2-D array gives columns "0", "1", …; a 1-D array one column "0"; a 1-D
 *   structured array one column per field. C and Fortran order both work.
 * - NPZ (`np.savez`, `np.savez_compressed`): member `K.npy` gives column `K` when 1-D or
 *   one column wide, `K[0]` … `K[d-1]` when d wide, and `K.field` per field when structured.
 *   Every member must have the same number of rows.
 *
 * dtypes: f2/f4/f8, i1–i8, u1–u8 (either byte order) read as numbers; 64-bit integers
 * beyond 2^53 are refused, since a double would silently round them. `U` (unicode) and `S`
 * (bytes) arrays read as text, and so do booleans, as 'true' / 'false', the same as in JSONL
 * and Parquet. Object arrays are pickled Python objects and are refused.
 */
export function readNpy(path: string, bytes: Buffer): TableParts {
  const array = decodeNpy(bytes, path);
  return { rows: array.rows, names: array.names, sources: array.columns.map(sourceOf), packed: array.packed };
}

export async function readNpz(path: string, bytes: Buffer): Promise<TableParts> {
  // Loaded on first use, like every reader's dependency (start-up cost).
  const { unzipSync } = await import('fflate');
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (error) {
    throw new InputError(
      `${path} is not a valid NPZ file (a zip of .npy arrays): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const names: string[] = [];
  const columns: Column[] = [];
  const packed: Array<PackedColumn | undefined> = [];
  let first: { member: string; rows: number } | undefined;
  for (const [member, data] of Object.entries(members)) {
    if (member.endsWith('/')) continue;
    if (!member.endsWith('.npy')) {
      throw new InputError(`${path}: member '${member}' is not an .npy array`, {
        hint: 'write the file with numpy.savez or numpy.savez_compressed',
      });
    }
    const key = member.slice(0, -'.npy'.length);
    const array = decodeNpy(data, `${path} member '${member}'`);
    if (first === undefined) {
      first = { member, rows: array.rows };
    } else if (array.rows !== first.rows) {
      throw new InputError(
        `${path}: member '${member}' has ${array.rows} rows, expected ${first.rows} (as in '${first.member}')`,
        { hint: 'every array in the NPZ is a column (or columns) of the same rows' },
      );
    }
    array.names.forEach((name, index) => {
      names.push(
        array.layout === 'fields' ? `${key}.${name}` : array.names.length === 1 ? key : `${key}[${index}]`,
      );
    });
    columns.push(...array.columns);
    packed.push(...array.columns.map((_, j) => array.packed?.[j]));
  }
  if (first === undefined) throw new InputError(`${path} holds no arrays`);
  return { rows: first.rows, names, sources: columns.map(sourceOf), packed };
}

/** An NPY array split into columns. */
interface NpyColumns {
  readonly rows: number;
  /** 'columns': a 1-D or 2-D array, named "0", "1", …; 'fields': a structured array, named by field. */
  readonly layout: 'columns' | 'fields';
  readonly names: readonly string[];
  readonly columns: readonly Column[];
  /** For a C-order float matrix: where each column's values sit, for matrix() to copy directly. */
  readonly packed?: readonly PackedColumn[];
}

/** One scalar type: kind, bytes per item, byte order. */
export interface Scalar {
  readonly kind: 'f' | 'i' | 'u' | 'b' | 'U' | 'S';
  readonly size: number;
  readonly littleEndian: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const; // \x93NUMPY

/** An NPY file's header: where its data starts, and the array's dtype, order and shape. */
export interface NpyHeader {
  readonly dataStart: number;
  readonly descr: Descr;
  readonly fortranOrder: boolean;
  /** One or two dimensions. */
  readonly dims: readonly number[];
}

/** The bytes an NPY file's header needs, from its first 12 (more when `bytes` is shorter than that). */
export function npyHeaderBytes(bytes: Uint8Array): number {
  if (bytes.length < 12) return 12;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (bytes[6] as number) === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

/** Reads an NPY header from the file's first bytes (at least {@link npyHeaderBytes} of them). */
export function readNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new InputError(`${where} is not an NPY file (it does not start with \\x93NUMPY)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  if (major < 1 || major > 3) {
    throw new InputError(
      `${where} is NPY format version ${major}.${bytes[7]}; versions 1 to 3 are supported`,
    );
  }
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new InputError(`${where} is truncated inside its NPY header`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new InputError(`${where} is truncated inside its NPY header`);
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  let header: PythonValue;
  try {
    header = parsePythonLiteral(headerText);
  } catch (error) {
    throw new InputError(`${where} has a corrupt NPY header: ${(error as Error).message}`, { cause: error });
  }
  const { descr, fortran_order: fortranOrder, shape } = (header ?? {}) as Record<string, PythonValue>;
  if (
    typeof fortranOrder !== 'boolean' ||
    !Array.isArray(shape) ||
    !shape.every((n) => typeof n === 'number' && n >= 0)
  ) {
    throw new InputError(`${where} has a corrupt NPY header: ${headerText.trim()}`);
  }
  const dims = shape as number[];
  if (dims.length === 0 || dims.length > 2) {
    throw new InputError(
      `${where} is a ${dims.length}-D array (shape (${dims.join(', ')})); expected a 1-D or 2-D array`,
      { hint: 'reshape it to (rows, columns) before saving' },
    );
  }
  return { dataStart, descr: parseDescr(descr, where), fortranOrder, dims };
}

/** Decodes one NPY file; `where` names it in messages ("data.npy", "data.npz member 'X.npy'"). */
function decodeNpy(bytes: Uint8Array, where: string): NpyColumns {
  const { dataStart, descr: fields, fortranOrder, dims } = readNpyHeader(bytes, where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = dims[0] as number;

  if (fields.kind === 'structured') {
    if (dims.length !== 1) {
      throw new InputError(`${where} is a 2-D structured array; expected a 1-D array of records`);
    }
    checkLength(bytes, dataStart, rows * fields.itemSize, where);
    const columns = fields.fields.map((field) =>
      decodeColumn(
        view,
        field.scalar,
        dataStart + field.offset,
        fields.itemSize,
        rows,
        `${where} field '${field.name}'`,
      ),
    );
    return { rows, layout: 'fields', names: fields.fields.map((field) => field.name), columns };
  }

  const width = dims.length === 2 ? (dims[1] as number) : 1;
  const { scalar } = fields;
  checkLength(bytes, dataStart, rows * width * scalar.size, where);
  const columns: Column[] = [];
  const whole = packedFloatMatrix(bytes, scalar, dataStart, rows, width, fortranOrder);
  if (whole !== undefined) {
    return { rows, layout: 'columns', names: whole.columns.map((_, j) => String(j)), ...whole };
  }
  for (let j = 0; j < width; j++) {
    // C order: element (i, j) is item i·width + j. Fortran order: item j·rows + i.
    const start = dataStart + (fortranOrder ? j * rows : j) * scalar.size;
    const stride = (fortranOrder ? 1 : width) * scalar.size;
    columns.push(decodeColumn(view, scalar, start, stride, rows, `${where} column ${j}`));
  }
  return { rows, layout: 'columns', names: columns.map((_, j) => String(j)), columns };
}

/**
 * A C-order little-endian float matrix, kept as it is: matrix() copies the features straight
 * from it, and a column is split out (as float64) only when something asks for it, e.g. the
 * label. Splitting every column up front costs more than the model's whole forward pass.
 */
function packedFloatMatrix(
  bytes: Uint8Array,
  scalar: Scalar,
  dataStart: number,
  rows: number,
  width: number,
  fortranOrder: boolean,
): { columns: Column[]; packed: PackedColumn[] } | undefined {
  const { kind, size, littleEndian } = scalar;
  if (fortranOrder || !littleEndian || kind !== 'f' || (size !== 4 && size !== 8)) return undefined;
  const Typed = size === 4 ? Float32Array : Float64Array;
  const absolute = bytes.byteOffset + dataStart;
  const count = rows * width;
  const source =
    absolute % size === 0
      ? new Typed(bytes.buffer as ArrayBuffer, absolute, count)
      : new Typed((bytes.buffer as ArrayBuffer).slice(absolute, absolute + count * size));
  const packed = Array.from({ length: width }, (_, offset): PackedColumn => ({ source, width, offset }));
  const columns = packed.map((p): Column => {
    let values: Float64Array | undefined;
    return {
      kind: 'number',
      get values(): Float64Array {
        if (values === undefined) {
          values = new Float64Array(rows);
          for (let i = 0; i < rows; i++) values[i] = source[i * width + p.offset] as number;
        }
        return values;
      },
    };
  });
  return { columns, packed };
}

function checkLength(bytes: Uint8Array, dataStart: number, needed: number, where: string): void {
  if (bytes.length < dataStart + needed) {
    throw new InputError(
      `${where} is truncated: its header promises ${needed} bytes of data, the file has ${Math.max(0, bytes.length - dataStart)}`,
    );
  }
}

export type Descr =
  | { readonly kind: 'plain'; readonly scalar: Scalar }
  | {
      readonly kind: 'structured';
      readonly itemSize: number;
      readonly fields: readonly { name: string; offset: number; scalar: Scalar }[];
    };

function parseDescr(descr: PythonValue | undefined, where: string): Descr {
  if (typeof descr === 'string') return { kind: 'plain', scalar: parseScalar(descr, where) };
  if (!Array.isArray(descr)) {
    throw new InputError(`${where} has a dtype this reader does not support: ${JSON.stringify(descr)}`);
  }
  const fields: { name: string; offset: number; scalar: Scalar }[] = [];
  let offset = 0;
  for (const entry of descr) {
    const [name, type, subShape] = Array.isArray(entry) ? entry : [];
    if (typeof name !== 'string' || typeof type !== 'string' || subShape !== undefined) {
      throw new InputError(
        `${where} has a structured dtype field this reader does not support: ${JSON.stringify(entry)}`,
        { hint: 'use fields of one scalar each (no sub-arrays, nested records or titles)' },
      );
    }
    // Aligned records pad with unnamed void fields ('', '|V4'): skip the bytes.
    const padding = /^\|V(\d+)$/.exec(type);
    if (name === '' && padding !== null) {
      offset += Number(padding[1]);
      continue;
    }
    const scalar = parseScalar(type, `${where} field '${name}'`);
    fields.push({ name, offset, scalar });
    offset += scalar.size;
  }
  return { kind: 'structured', itemSize: offset, fields };
}

const SCALAR = /^([<>|=]?)([fiubUSO])(\d*)$/;
const SIZES: Readonly<Record<string, readonly number[]>> = {
  f: [2, 4, 8],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  b: [1],
};

function parseScalar(descr: string, where: string): Scalar {
  const match = SCALAR.exec(descr);
  const [, order = '', kind = '', count = ''] = match ?? [];
  if (kind === 'O') {
    throw new InputError(
      `${where} is an object array (pickled Python objects), which cannot be read safely`,
      {
        hint: 'save numbers with a numeric dtype and text with astype(str) before numpy.save',
      },
    );
  }
  const n = Number(count);
  const valid =
    match !== null &&
    count !== '' &&
    (kind === 'U' || kind === 'S' ? true : (SIZES[kind]?.includes(n) ?? false));
  if (!valid) {
    throw new InputError(`${where} has dtype '${descr}', which this reader does not support`, {
      hint: 'supported: float16/32/64, int8–64, uint8–64, bool, unicode (U) and bytes (S) strings',
    });
  }
  return {
    kind: kind as Scalar['kind'],
    size: kind === 'U' ? 4 * n : n,
    // '|' is "not applicable" (single bytes, strings); '=' is the writer's native order, little on every platform numpy targets today.
    littleEndian: order !== '>',
  };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function decodeColumn(
  view: DataView,
  scalar: Scalar,
  start: number,
  stride: number,
  rows: number,
  where: string,
): Column {
  const { kind, size, littleEndian: le } = scalar;
  if (kind === 'U' || kind === 'S' || kind === 'b') {
    const values = new Array<string>(rows);
    for (let i = 0, at = start; i < rows; i++, at += stride) values[i] = decodeText(view, scalar, at, where);
    return { kind: 'string', values };
  }
  const values = new Float64Array(rows);
  // Little-endian floats (what numpy writes on every common machine) read through a typed view:
  // a DataView call per element is about 4× slower on 200k × 32 arrays.
  if (le && kind === 'f' && (size === 4 || size === 8) && stride % size === 0) {
    const Typed = size === 4 ? Float32Array : Float64Array;
    const absolute = view.byteOffset + start;
    const count = (rows - 1) * (stride / size) + 1;
    const source =
      absolute % size === 0
        ? new Typed(view.buffer as ArrayBuffer, absolute, count)
        : new Typed((view.buffer as ArrayBuffer).slice(absolute, absolute + count * size));
    const step = stride / size;
    for (let i = 0, k = 0; i < rows; i++, k += step) values[i] = source[k] as number;
    return { kind: 'number', values };
  }
  const read = numberReader(kind, size);
  for (let i = 0, at = start; i < rows; i++, at += stride) {
    const value = read(view, at, le);
    if (typeof value === 'bigint') {
      if (value > MAX_EXACT || value < -MAX_EXACT) {
        throw new InputError(
          `${where} row ${i + 1} is ${value}, beyond 2^53, where doubles stop being exact`,
          {
            hint: 'store identifiers as strings, or drop them from the data',
          },
        );
      }
      values[i] = Number(value);
    } else {
      values[i] = value;
    }
  }
  return { kind: 'number', values };
}

type NumberReader = (view: DataView, at: number, littleEndian: boolean) => number | bigint;

function numberReader(kind: 'f' | 'i' | 'u', size: number): NumberReader {
  const key = `${kind}${size}`;
  switch (key) {
    case 'f2':
      return (view, at, le) => halfToNumber(view.getUint16(at, le));
    case 'f4':
      return (view, at, le) => view.getFloat32(at, le);
    case 'f8':
      return (view, at, le) => view.getFloat64(at, le);
    case 'i1':
      return (view, at) => view.getInt8(at);
    case 'i2':
      return (view, at, le) => view.getInt16(at, le);
    case 'i4':
      return (view, at, le) => view.getInt32(at, le);
    case 'i8':
      return (view, at, le) => view.getBigInt64(at, le);
    case 'u1':
      return (view, at) => view.getUint8(at);
    case 'u2':
      return (view, at, le) => view.getUint16(at, le);
    case 'u4':
      return (view, at, le) => view.getUint32(at, le);
    case 'u8':
      return (view, at, le) => view.getBigUint64(at, le);
    default:
      throw new Error(`bug: no reader for dtype ${key}`);
  }
}

/** IEEE 754 binary16, which DataView cannot read in Node 20. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const MAX_CODE_POINT = 0x10ffff;

/** A text cell: `U` is UTF-32 code points, `S` is bytes (read as UTF-8); numpy pads both with NULs. */
function decodeText(view: DataView, scalar: Scalar, at: number, where: string): string {
  if (scalar.kind === 'b') return view.getUint8(at) !== 0 ? 'true' : 'false';
  if (scalar.kind === 'U') {
    let text = '';
    for (let k = 0; k < scalar.size; k += 4) {
      const codePoint = view.getUint32(at + k, scalar.littleEndian);
      if (codePoint === 0) break;
      if (codePoint > MAX_CODE_POINT) {
        throw new InputError(`${where} holds ${codePoint.toString(16)}, which is not a Unicode code point`);
      }
      text += String.fromCodePoint(codePoint);
    }
    return text;
  }
  let end = at + scalar.size;
  while (end > at && view.getUint8(end - 1) === 0) end--;
  return Buffer.from(view.buffer, view.byteOffset + at, end - at).toString('utf8');
}
