import { didYouMean, type ValueInfo } from '@modelgate/core';
import { HttpError } from './http.ts';

/**
 * Open Inference Protocol (KServe v2) tensors: checking a request's JSON tensors against the
 * model's inputs, and writing a session's outputs back as JSON tensors. Every refusal is a 400
 * that names the input and says what was expected.
 */

/** The OIP datatype of each ONNX element type (names from the KServe v2 spec). */
const OIP_DATATYPE: Readonly<Record<string, string>> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

/** Input element types this server decodes from JSON (CONTRACT.md promises FP32 and INT64). */
const DECODABLE = new Set(['float32', 'float64', 'int32', 'int64']);

export type InputData = Float32Array | Float64Array | Int32Array | BigInt64Array;

/** A request input, checked against the model and decoded into the typed array the session takes. */
export interface DecodedInput {
  readonly name: string;
  /** The ONNX element type (`float32`, `int64`, …). */
  readonly type: string;
  readonly shape: readonly number[];
  readonly data: InputData;
}

/** A checked infer request. */
export interface InferRequest {
  readonly id: string | undefined;
  /** One per model input, in the model's input order. */
  readonly inputs: readonly DecodedInput[];
  /** The outputs to return, in the order asked for (every tensor output when none were named). */
  readonly outputs: readonly string[];
}

/** What a request is checked against: the model's declared inputs and outputs. */
export interface ModelSignature {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/** The OIP datatype for an ONNX element type. */
export function oipDatatype(type: string): string {
  return OIP_DATATYPE[type] ?? type.toUpperCase();
}

/** An OIP shape: symbolic dimensions (`N`, `batch`) are -1, as the v2 metadata spec writes them. */
export function oipShape(shape: ReadonlyArray<number | string>): number[] {
  return shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
}

/** The tensor outputs a request gets when it names none (ZipMap maps cannot be returned). */
export function tensorOutputs(model: ModelSignature): string[] {
  return model.outputs.filter((o) => o.type !== 'non-tensor').map((o) => o.name);
}

/** Checks a request's input name: the model has it, and the request gives it once. */
export function checkInputName(
  name: string,
  model: ModelSignature,
  given: ReadonlyMap<string, unknown>,
): void {
  if (!model.inputs.some((input) => input.name === name)) {
    const guess = didYouMean(
      name,
      model.inputs.map((i) => i.name),
    );
    throw bad(
      `unknown input '${name}': the model's inputs are: ${names(model.inputs)}${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`,
    );
  }
  if (given.has(name)) throw bad(`input '${name}' is given twice`);
}

/** The request's inputs decoded in the model's input order; a 400 names a missing one. */
export function inModelOrder<T>(
  given: ReadonlyMap<string, T>,
  model: ModelSignature,
  decode: (tensor: T, declared: ValueInfo) => DecodedInput,
): DecodedInput[] {
  return model.inputs.map((declared) => {
    const tensor = given.get(declared.name);
    if (tensor === undefined) {
      throw bad(`input '${declared.name}' is missing: the model needs ${names(model.inputs)}`);
    }
    return decode(tensor, declared);
  });
}

/** Checks a shape of non-negative sizes against the declared one (-1: any size); returns its element count. */
export function checkShape(name: string, dims: readonly number[], declared: ValueInfo): number {
  const fits =
    dims.length === declared.shape.length &&
    declared.shape.every((dim, i) => typeof dim !== 'number' || dim < 0 || dim === dims[i]);
  if (!fits) {
    throw bad(
      `input '${name}' has shape [${dims.join(', ')}]; the model expects [${oipShape(declared.shape).join(', ')}] (-1: any size)`,
    );
  }
  return dims.reduce((a, b) => a * b, 1);
}

/** Checks an output a request asks for: the model has it, and it is a tensor. */
export function checkOutputName(name: string, model: ModelSignature): void {
  const declared = model.outputs.find((o) => o.name === name);
  if (declared === undefined) {
    throw bad(`unknown output '${name}': the model's outputs are: ${names(model.outputs)}`);
  }
  if (declared.type === 'non-tensor') {
    throw bad(
      `output '${name}' is a ZipMap (a sequence of maps), which onnxruntime cannot return; ask for a tensor output: ${tensorOutputs(model).join(', ')}`,
    );
  }
}

/** Checks an infer request body against the model and decodes its tensors. Throws a 400 HttpError. */
export function parseInferRequest(body: unknown, model: ModelSignature): InferRequest {
  if (!isObject(body)) throw bad('the request body must be a JSON object with an "inputs" array');
  const { inputs, outputs, id } = body;
  if (id !== undefined && typeof id !== 'string') throw bad('"id" must be a string');
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw bad(
      `"inputs" must be a non-empty array of tensors; the model's inputs are: ${names(model.inputs)}`,
    );
  }

  const given = new Map<string, Record<string, unknown>>();
  for (const [index, tensor] of inputs.entries()) {
    if (!isObject(tensor) || typeof tensor.name !== 'string') {
      throw bad(`inputs[${index}] must be an object with a "name", "shape", "datatype" and "data"`);
    }
    checkInputName(tensor.name, model, given);
    given.set(tensor.name, tensor);
  }
  const decoded = inModelOrder(given, model, decodeInput);

  return { id, inputs: decoded, outputs: requestedOutputs(outputs, model) };
}

function decodeInput(tensor: Record<string, unknown>, declared: ValueInfo): DecodedInput {
  const { name } = declared;
  const expectedType = oipDatatype(declared.type);
  if (!DECODABLE.has(declared.type)) {
    throw bad(`input '${name}' is ${expectedType} in the model, which this server cannot decode from JSON`);
  }
  if (tensor.datatype !== expectedType) {
    throw bad(
      `input '${name}' has datatype ${JSON.stringify(tensor.datatype)}; the model expects ${expectedType}`,
    );
  }

  const shape = tensor.shape;
  const expectedShape = `[${oipShape(declared.shape).join(', ')}]`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(
      `input '${name}' has shape ${JSON.stringify(shape)}; expected an array of non-negative integers like ${expectedShape}`,
    );
  }
  const dims = shape as number[];
  const size = checkShape(name, dims, declared);
  // A binary tensor data input (binary-extension.ts) arrives as the typed array its bytes make.
  const decoded = ArrayBuffer.isView(tensor.data) ? (tensor.data as InputData) : undefined;
  const values = decoded ?? flatten(tensor.data, name);
  if (values.length !== size) {
    throw bad(`input '${name}' has ${values.length} values, but shape [${dims.join(', ')}] needs ${size}`);
  }
  return {
    name,
    type: declared.type,
    shape: dims,
    data: decoded ?? toTyped(values as unknown[], declared.type, name),
  };
}

/** The `data` array, flat; OIP allows nested row-major arrays too. */
function flatten(data: unknown, name: string): unknown[] {
  if (!Array.isArray(data)) throw bad(`input '${name}' has no "data" array`);
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  const flat: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else flat.push(value);
  };
  walk(data);
  return flat;
}

function toTyped(values: unknown[], type: string, name: string): InputData {
  const n = values.length;
  if (type === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const value = values[i];
      if (!Number.isSafeInteger(value)) throw badValue(name, i, value, 'an integer (INT64)');
      out[i] = BigInt(value as number);
    }
    return out;
  }
  if (type === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const value = values[i];
      if (!Number.isInteger(value) || (value as number) < -(2 ** 31) || (value as number) >= 2 ** 31) {
        throw badValue(name, i, value, 'a 32-bit integer (INT32)');
      }
      out[i] = value as number;
    }
    return out;
  }
  const out = type === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (typeof value !== 'number') throw badValue(name, i, value, 'a number');
    out[i] = value;
  }
  return out;
}

function requestedOutputs(outputs: unknown, model: ModelSignature): string[] {
  if (outputs === undefined) return tensorOutputs(model);
  if (!Array.isArray(outputs)) throw bad('"outputs" must be an array of { "name": … }');
  const chosen: string[] = [];
  for (const [index, output] of outputs.entries()) {
    if (!isObject(output) || typeof output.name !== 'string') {
      throw bad(`outputs[${index}] must be an object with a "name"`);
    }
    checkOutputName(output.name, model);
    if (!chosen.includes(output.name)) chosen.push(output.name);
  }
  if (chosen.length === 0) return tensorOutputs(model);
  return chosen;
}

/**
 * An output tensor: its OIP name, datatype and shape, and the session's values as they came,
 * never copied (a request's rows of a batched run are a view into the batch's output). Each
 * wire writes them its own way: JSON numbers here, raw bytes on the binary wires.
 */
export interface OutputTensor {
  name: string;
  /** The OIP datatype (`FP32`, `INT64`, `BOOL`, `BYTES`, …). */
  datatype: string;
  shape: number[];
  /** A typed array (BigInt64Array for INT64, Uint8Array for BOOL), or strings for BYTES. */
  data: ArrayLike<unknown>;
}

/** An output tensor over a session's values (or a view of a row range of them). */
export function encodeOutput(
  name: string,
  type: string,
  shape: readonly number[],
  data: ArrayLike<unknown>,
): OutputTensor {
  return { name, datatype: oipDatatype(type), shape: [...shape], data };
}

/**
 * The JSON text of an infer response. Written directly rather than through JSON.stringify of
 * an object: the values go from the session's typed array to text in one pass, with no array
 * of numbers in between.
 */
export function inferResponseJson(
  model: string,
  version: string,
  id: string | undefined,
  outputs: readonly OutputTensor[],
): string {
  let text = `{"model_name":${JSON.stringify(model)},"model_version":${JSON.stringify(version)}`;
  if (id !== undefined) text += `,"id":${JSON.stringify(id)}`;
  text += ',"outputs":[';
  for (let i = 0; i < outputs.length; i++) {
    const { name, datatype, shape, data } = outputs[i] as OutputTensor;
    if (i > 0) text += ',';
    text += `{"name":${JSON.stringify(name)},"datatype":"${datatype}","shape":[${shape.join(',')}],"data":${valuesJson(datatype, data)}}`;
  }
  return `${text}]}`;
}

/** A tensor's values as a JSON array: INT64 as numbers (exact digits), BOOL as booleans. */
export function valuesJson(datatype: string, data: ArrayLike<unknown>): string {
  if (datatype === 'BYTES') return JSON.stringify(Array.from(data));
  if (datatype === 'BOOL') {
    let text = '[';
    for (let i = 0; i < data.length; i++)
      text += i === 0 ? (data[i] ? 'true' : 'false') : data[i] ? ',true' : ',false';
    return `${text}]`;
  }
  // A typed array joins its elements as Number#toString writes them, the same text as JSON's,
  // except that NaN and ±Infinity have no JSON form: JSON.stringify writes null for them.
  const text = Array.prototype.join.call(data, ',');
  if (text.includes('N') || text.includes('I')) return JSON.stringify(Array.from(data, Number));
  return `[${text}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function names(values: readonly ValueInfo[]): string {
  return values.map((v) => `'${v.name}'`).join(', ');
}

export function bad(message: string): HttpError {
  return new HttpError(400, message);
}

function badValue(name: string, index: number, value: unknown, expected: string): HttpError {
  return bad(
    `input '${name}' data[${index}] is ${JSON.stringify(value) ?? String(value)}; expected ${expected}`,
  );
}
