import type { ValueInfo } from '@modelgate/core';
import {
  bad,
  checkInputName,
  checkOutputName,
  checkShape,
  type DecodedInput,
  type InferRequest,
  type InputData,
  inModelOrder,
  type ModelSignature,
  names,
  type OutputTensor,
  oipDatatype,
  oipShape,
  tensorOutputs,
} from '../tensors.ts';

/**
 * Open Inference Protocol v2 gRPC messages to and from the server's checked requests and
 * answers. A request's tensors come either as `raw_input_contents` (the bytes of each tensor,
 * little-endian, row-major) or as each input's typed `contents`; the answer uses the same form
 * the request used. Every refusal is a 400 HttpError naming the input, which the gRPC server
 * turns into INVALID_ARGUMENT.
 */

/** `InferTensorContents`, as proto-loader decodes it (int64 as decimal strings). */
export interface TensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Array<string | number>;
  uint_contents?: number[];
  uint64_contents?: Array<string | number>;
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export interface InferInputTensor {
  name: string;
  datatype: string;
  shape: Array<string | number>;
  contents?: TensorContents | null;
}

/** `ModelInferRequest` (parameters are accepted and ignored: modelgate defines none). */
export interface ModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  inputs: InferInputTensor[];
  outputs: Array<{ name: string }>;
  raw_input_contents: Uint8Array[];
}

export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  contents?: TensorContents;
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensor[];
  raw_output_contents: Buffer[];
}

/** A checked request, and whether it sent raw bytes (then the answer does too). */
export interface GrpcInferRequest extends InferRequest {
  readonly raw: boolean;
}

type Decodable = 'float32' | 'float64' | 'int32' | 'int64';

/** What each input element type this server takes needs: its bytes, its typed array, its contents field. */
const DECODE: Readonly<
  Record<
    Decodable,
    {
      bytes: number;
      array: new (length: number) => InputData;
      field: keyof TensorContents;
    }
  >
> = {
  float32: { bytes: 4, array: Float32Array, field: 'fp32_contents' },
  float64: { bytes: 8, array: Float64Array, field: 'fp64_contents' },
  int32: { bytes: 4, array: Int32Array, field: 'int_contents' },
  int64: { bytes: 8, array: BigInt64Array, field: 'int64_contents' },
};

/** Checks a ModelInferRequest against the model and decodes its tensors. Throws a 400 HttpError. */
export function decodeInferRequest(message: ModelInferRequest, model: ModelSignature): GrpcInferRequest {
  const inputs = message.inputs ?? [];
  if (inputs.length === 0) {
    throw bad(`the request has no inputs; the model's inputs are: ${names(model.inputs)}`);
  }
  const raw = message.raw_input_contents ?? [];
  if (raw.length > 0 && raw.length !== inputs.length) {
    throw bad(
      `raw_input_contents has ${raw.length} entries for ${inputs.length} inputs; give one per input, in the order of inputs`,
    );
  }

  const given = new Map<string, { tensor: InferInputTensor; bytes: Uint8Array | undefined }>();
  for (const [index, tensor] of inputs.entries()) {
    checkInputName(tensor.name, model, given);
    if (raw.length > 0 && hasContents(tensor.contents)) {
      throw bad(
        `input '${tensor.name}' has contents, but the request also has raw_input_contents; use one or the other`,
      );
    }
    given.set(tensor.name, { tensor, bytes: raw.length > 0 ? raw[index] : undefined });
  }
  const decoded = inModelOrder(given, model, (entry, declared) =>
    decodeInput(entry.tensor, entry.bytes, declared),
  );

  return {
    id: message.id === '' ? undefined : message.id,
    inputs: decoded,
    outputs: requestedOutputs(message.outputs ?? [], model),
    raw: raw.length > 0,
  };
}

function decodeInput(
  tensor: InferInputTensor,
  bytes: Uint8Array | undefined,
  declared: ValueInfo,
): DecodedInput {
  const { name } = declared;
  const expectedType = oipDatatype(declared.type);
  const decode = DECODE[declared.type as Decodable];
  if (decode === undefined) {
    throw bad(`input '${name}' is ${expectedType} in the model, which this server cannot take`);
  }
  if (tensor.datatype !== expectedType) {
    throw bad(
      `input '${name}' has datatype ${JSON.stringify(tensor.datatype)}; the model expects ${expectedType}`,
    );
  }

  const dims = (tensor.shape ?? []).map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(
      `input '${name}' has shape [${tensor.shape.join(', ')}]; expected non-negative sizes like [${oipShape(declared.shape).join(', ')}]`,
    );
  }
  const size = checkShape(name, dims, declared);

  if (bytes !== undefined) {
    const needed = size * decode.bytes;
    if (bytes.byteLength !== needed) {
      throw bad(
        `input '${name}' has ${bytes.byteLength} bytes of raw content, but shape [${dims.join(', ')}] of ${expectedType} needs ${needed} (${size} × ${decode.bytes})`,
      );
    }
    // A copy, not a view: protobuf's buffers are not aligned to the element size. The bytes are
    // little-endian, as the protocol and every machine onnxruntime-node runs on have them.
    const data = new decode.array(size);
    new Uint8Array(data.buffer).set(bytes);
    return { name, type: declared.type, shape: dims, data };
  }

  const values = tensor.contents?.[decode.field] as ArrayLike<unknown> | undefined;
  const count = values?.length ?? 0;
  if (count !== size) {
    const hint =
      hasContents(tensor.contents) && count === 0 ? `; ${expectedType} values go in ${decode.field}` : '';
    throw bad(
      `input '${name}' has ${count} values in contents.${decode.field}, but shape [${dims.join(', ')}] needs ${size}${hint}`,
    );
  }
  const data = new decode.array(size);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < size; i++) data[i] = BigInt((values as ArrayLike<string | number>)[i] as string);
  } else {
    (data as Float32Array).set(values as ArrayLike<number>);
  }
  return { name, type: declared.type, shape: dims, data };
}

function requestedOutputs(outputs: ReadonlyArray<{ name: string }>, model: ModelSignature): string[] {
  const chosen: string[] = [];
  for (const output of outputs) {
    checkOutputName(output.name, model);
    if (!chosen.includes(output.name)) chosen.push(output.name);
  }
  return chosen.length === 0 ? tensorOutputs(model) : chosen;
}

/** The typed array and contents field of each output datatype. */
const ENCODE: Readonly<
  Record<string, { array?: new (values: ArrayLike<number>) => ArrayBufferView; field?: keyof TensorContents }>
> = {
  FP32: { array: Float32Array, field: 'fp32_contents' },
  FP64: { array: Float64Array, field: 'fp64_contents' },
  INT8: { array: Int8Array, field: 'int_contents' },
  INT16: { array: Int16Array, field: 'int_contents' },
  INT32: { array: Int32Array, field: 'int_contents' },
  UINT8: { array: Uint8Array, field: 'uint_contents' },
  UINT16: { array: Uint16Array, field: 'uint_contents' },
  UINT32: { array: Uint32Array, field: 'uint_contents' },
  BOOL: { array: Uint8Array, field: 'bool_contents' },
  // No typed field holds a 16-bit float: FP16 travels raw only.
  FP16: { array: Uint16Array },
  INT64: { field: 'int64_contents' },
  UINT64: { field: 'uint64_contents' },
  BYTES: { field: 'bytes_contents' },
};

/** Writes the answer in the form the request used: raw bytes, or typed contents. */
export function encodeInferResponse(
  request: GrpcInferRequest,
  modelName: string,
  version: number,
  outputs: readonly OutputTensor[],
): ModelInferResponse {
  const response: ModelInferResponse = {
    model_name: modelName,
    model_version: String(version),
    id: request.id ?? '',
    outputs: [],
    raw_output_contents: [],
  };
  for (const output of outputs) {
    const tensor: InferOutputTensor = { name: output.name, datatype: output.datatype, shape: output.shape };
    if (request.raw) response.raw_output_contents.push(rawBytes(output));
    else tensor.contents = typedContents(output);
    response.outputs.push(tensor);
  }
  return response;
}

function rawBytes(output: OutputTensor): Buffer {
  const data = output.data as ArrayLike<unknown>;
  let view: ArrayBufferView;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    view = data;
  } else if (output.datatype === 'INT64' || output.datatype === 'UINT64') {
    const array =
      output.datatype === 'INT64' ? new BigInt64Array(data.length) : new BigUint64Array(data.length);
    for (let i = 0; i < data.length; i++) array[i] = BigInt(data[i] as number | bigint);
    view = array;
  } else if (output.datatype === 'BYTES') {
    // The protocol's raw BYTES layout: each element as a 4-byte little-endian length, then its bytes.
    const parts = Array.from(data, (value) => Buffer.from(String(value)));
    const out = Buffer.alloc(parts.reduce((sum, part) => sum + 4 + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.writeUInt32LE(part.length, offset);
      part.copy(out, offset + 4);
      offset += 4 + part.length;
    }
    return out;
  } else {
    const Array_ = ENCODE[output.datatype]?.array;
    if (Array_ === undefined)
      throw new Error(`output '${output.name}' has datatype ${output.datatype}, which has no raw form here`);
    view =
      ArrayBuffer.isView(data) && data.constructor === Array_ ? data : new Array_(Array.from(data, Number));
  }
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function typedContents(output: OutputTensor): TensorContents {
  const field = ENCODE[output.datatype]?.field;
  if (field === undefined) {
    throw bad(
      `output '${output.name}' is ${output.datatype}, which only raw contents can carry; send the inputs as raw_input_contents to get raw outputs`,
    );
  }
  const data = output.data as ArrayLike<unknown>;
  switch (field) {
    case 'int64_contents':
    case 'uint64_contents':
      return { [field]: Array.from(data, (value) => String(value)) };
    case 'bool_contents':
      return { bool_contents: Array.from(data, Boolean) };
    case 'bytes_contents':
      return { bytes_contents: Array.from(data, (value) => Buffer.from(String(value))) };
    default:
      return { [field]: Array.from(data, Number) };
  }
}

function hasContents(contents: TensorContents | null | undefined): boolean {
  if (contents === null || contents === undefined) return false;
  return Object.values(contents).some((values) => Array.isArray(values) && values.length > 0);
}
