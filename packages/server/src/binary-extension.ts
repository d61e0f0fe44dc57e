import { HttpError } from './http.ts';
import { type InputData, type ModelSignature, type OutputTensor, oipDatatype } from './tensors.ts';

/**
 * The binary tensor data extension of the Open Inference Protocol over HTTP, as Triton defines it
 * (triton-inference-server/server, docs/protocol/extension_binary_data.md): a body is a JSON
 * object of `Inference-Header-Content-Length` bytes followed by raw tensors, little-endian, row
 * major, in the order of the inputs (or outputs) that carry `"parameters": {"binary_data_size": N}`.
 * An output is returned this way when the request asks for it with `binary_data: true` on the
 * output, or `binary_data_output: true` in the request's parameters.
 *
 * Only the splitting and joining of bytes lives here: the JSON header is then checked against the
 * model by the same `parseInferRequest` as a JSON body, so both wires refuse the same things the
 * same way.
 */

/** The header that gives the length of a body's JSON part, on requests and responses alike. */
export const HEADER_LENGTH = 'inference-header-content-length';

/** The name Triton reports for this extension in the server metadata's `extensions`. */
export const BINARY_EXTENSION = 'binary_tensor_data';

type TypedArrayConstructor = {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): InputData;
};

/**
 * The input datatypes decoded from binary: the ones `parseInferRequest` takes from JSON. The
 * bytes are copied as they are, because onnxruntime-node ships only for x64 and arm64, both
 * little-endian like the extension's bytes.
 */
const INPUT_ARRAYS: Readonly<Record<string, TypedArrayConstructor>> = {
  FP32: Float32Array,
  FP64: Float64Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
};

/** The output datatypes written as binary, and how each element is written. */
const OUTPUT_ARRAYS: Readonly<Record<string, { new (values: ArrayLike<never>): ArrayBufferView }>> = {
  FP32: Float32Array,
  FP64: Float64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
};

/** An output whose values are any array-like: a session's typed array, or values ready for JSON. */
type AnyOutput = Omit<OutputTensor, 'data'> & { readonly data: ArrayLike<unknown> };

/** Output datatypes with a layout of their own: BOOL is one byte an element, BYTES is length-prefixed. */
const OUTPUT_SPECIAL = new Set(['BOOL', 'BYTES']);

/**
 * Splits a binary-extension request body: parses its JSON part and gives each input that carries
 * `binary_data_size` its bytes, decoded into `data` as a typed array. Throws a 400 HttpError that
 * names the input when the header length or the sizes do not fit the body.
 */
export function splitRequest(body: Buffer, headerLengthText: string | string[]): unknown {
  const headerLength = parseHeaderLength(headerLengthText, body.length);
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
  } catch (error) {
    throw new HttpError(
      400,
      `the request's JSON part (its first ${headerLength} bytes, by Inference-Header-Content-Length) is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const binary = body.subarray(headerLength);
  const inputs = isObject(header) && Array.isArray(header.inputs) ? header.inputs : [];
  let offset = 0;
  for (const tensor of inputs) {
    const size = binarySize(tensor);
    if (size === undefined) continue;
    const name = (tensor as { name?: unknown }).name;
    if (offset + size > binary.length) {
      throw new HttpError(
        400,
        `input '${name}' has binary_data_size ${size}, but only ${binary.length - offset} of the ${binary.length} bytes after the JSON part are left for it`,
      );
    }
    tensor.data = decodeInput(tensor, binary.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== binary.length) {
    throw new HttpError(
      400,
      `${binary.length} bytes follow the request's JSON part, but its inputs' binary_data_size add up to ${offset}: Inference-Header-Content-Length must be the JSON part's length in bytes`,
    );
  }
  return header;
}

/**
 * Refuses a plain JSON request whose inputs say `binary_data_size`: without
 * Inference-Header-Content-Length nothing says where their bytes start.
 */
export function refuseStrayBinary(body: unknown): void {
  if (!isObject(body) || !Array.isArray(body.inputs)) return;
  for (const tensor of body.inputs) {
    if (binarySize(tensor) !== undefined) {
      throw new HttpError(
        400,
        `input '${(tensor as { name?: unknown }).name}' has binary_data_size, but the request has no Inference-Header-Content-Length header to say where its JSON part ends`,
      );
    }
  }
}

/**
 * The outputs a request wants back as binary: those with `binary_data: true`, and when the
 * request says `binary_data_output: true`, every other one that does not say `binary_data: false`.
 * Throws a 400 for a parameter that is not a boolean, or an output that cannot be written as binary.
 */
export function binaryOutputs(
  body: unknown,
  outputs: readonly string[],
  model: ModelSignature,
): ReadonlySet<string> {
  if (!isObject(body)) return new Set();
  const parameters = body.parameters;
  const fallback = isObject(parameters) ? parameters.binary_data_output : undefined;
  if (fallback !== undefined && typeof fallback !== 'boolean') {
    throw new HttpError(
      400,
      `"parameters": {"binary_data_output": ${JSON.stringify(fallback)}} must be true or false`,
    );
  }
  const asked = new Map<string, unknown>();
  if (Array.isArray(body.outputs)) {
    for (const output of body.outputs) {
      if (isObject(output) && isObject(output.parameters) && typeof output.name === 'string') {
        asked.set(output.name, output.parameters.binary_data);
      }
    }
  }
  const chosen = new Set<string>();
  for (const name of outputs) {
    const wanted = asked.get(name) ?? fallback ?? false;
    if (typeof wanted !== 'boolean') {
      throw new HttpError(
        400,
        `output '${name}' has "binary_data": ${JSON.stringify(wanted)}; it must be true or false`,
      );
    }
    if (!wanted) continue;
    const type = model.outputs.find((o) => o.name === name)?.type ?? 'unknown';
    const datatype = oipDatatype(type);
    if (!(Object.hasOwn(OUTPUT_ARRAYS, datatype) || OUTPUT_SPECIAL.has(datatype))) {
      throw new HttpError(
        400,
        `output '${name}' is ${datatype}, which this server cannot return as binary data; ask for it as JSON ("binary_data": false)`,
      );
    }
    chosen.add(name);
  }
  return chosen;
}

/** An infer response in the extension's layout: the JSON part, then each binary output's bytes. */
export interface BinaryResponse {
  /** The whole body. */
  readonly body: Buffer;
  /** The JSON part's length, for the response's Inference-Header-Content-Length. */
  readonly headerLength: number;
}

/** Writes an infer response with the outputs named in `binary` as bytes after the JSON part. */
export function joinResponse(
  answer: Record<string, unknown> & { outputs: readonly AnyOutput[] },
  binary: ReadonlySet<string>,
): BinaryResponse {
  const parts: Buffer[] = [];
  const outputs = answer.outputs.map((output) => {
    if (!binary.has(output.name)) return { ...output, data: jsonValues(output) };
    const bytes = encodeOutput(output);
    parts.push(bytes);
    const { data: _data, ...described } = output;
    return { ...described, parameters: { binary_data_size: bytes.length } };
  });
  const json = Buffer.from(JSON.stringify({ ...answer, outputs }), 'utf8');
  return { body: Buffer.concat([json, ...parts]), headerLength: json.length };
}

/** An output's values as JSON can write them: INT64 as numbers, BOOL as booleans. */
function jsonValues({ datatype, data }: AnyOutput): unknown[] {
  if (datatype === 'BOOL') return Array.from(data, Boolean);
  return Array.from(data, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

function parseHeaderLength(text: string | string[], bodyLength: number): number {
  const value = Array.isArray(text) ? text.join(', ') : text.trim();
  const length = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(length >= 1 && length <= bodyLength)) {
    throw new HttpError(
      400,
      `Inference-Header-Content-Length is ${JSON.stringify(value)}; expected the length in bytes of the body's JSON part, a whole number from 1 to the body's ${bodyLength} bytes`,
    );
  }
  return length;
}

/** An input's `binary_data_size`, checked; undefined when it has none. */
function binarySize(tensor: unknown): number | undefined {
  if (!isObject(tensor) || !isObject(tensor.parameters)) return undefined;
  const size = tensor.parameters.binary_data_size;
  if (size === undefined) return undefined;
  if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw new HttpError(
      400,
      `input '${tensor.name}' has binary_data_size ${JSON.stringify(size)}; expected a whole number of bytes`,
    );
  }
  if (tensor.data !== undefined) {
    throw new HttpError(400, `input '${tensor.name}' has both "data" and binary_data_size; send one of them`);
  }
  return size as number;
}

/** An input's bytes as the typed array of its datatype, once they fit its shape. */
function decodeInput(tensor: Record<string, unknown>, bytes: Buffer): InputData {
  const { name, datatype, shape } = tensor;
  // Own keys only: a datatype of "constructor" must not find Object's.
  const Array_ =
    typeof datatype === 'string' && Object.hasOwn(INPUT_ARRAYS, datatype)
      ? INPUT_ARRAYS[datatype]
      : undefined;
  if (Array_ === undefined) {
    throw new HttpError(
      400,
      `input '${name}' has datatype ${JSON.stringify(datatype)}; binary data is taken as ${Object.keys(INPUT_ARRAYS).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new HttpError(
      400,
      `input '${name}' has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`,
    );
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = count * Array_.BYTES_PER_ELEMENT;
  if (bytes.length !== expected) {
    throw new HttpError(
      400,
      `input '${name}' has binary_data_size ${bytes.length}, but shape [${shape.join(', ')}] of ${datatype} takes ${expected} bytes (${count} × ${Array_.BYTES_PER_ELEMENT})`,
    );
  }
  // A copy, not a view: the body's bytes need not be aligned to the element size.
  const data = new Array_(count);
  new Uint8Array(data.buffer).set(bytes);
  return data;
}

function encodeOutput({ datatype, data }: AnyOutput): Buffer {
  if (datatype === 'BOOL') return Buffer.from(Array.from(data, (v) => (v ? 1 : 0)));
  if (datatype === 'BYTES') {
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i++) {
      const text = Buffer.from(String(data[i]), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      parts.push(length, text);
    }
    return Buffer.concat(parts);
  }
  const Array_ = OUTPUT_ARRAYS[datatype];
  if (Array_ === undefined) throw new Error(`no binary layout for ${datatype}`);
  let typed: ArrayBufferView;
  if (data instanceof Array_) typed = data as ArrayBufferView;
  else if (Array_ === BigInt64Array || Array_ === BigUint64Array) {
    typed = new Array_(Array.from(data, (v) => BigInt(v as number | bigint)) as never[]);
  } else typed = new Array_(data as ArrayLike<never>);
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
