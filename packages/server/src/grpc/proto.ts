import type { PackageDefinition } from '@grpc/proto-loader';
import { fromJSON } from '@grpc/proto-loader';

/**
 * The Open Inference Protocol v2 gRPC definition (grpc-predict-v2.proto beside this file, as
 * KServe publishes it; Apache-2.0, Copyright 2020 kubeflow.org) as protobufjs JSON. It is
 * embedded, not read from disk, because the CLI ships as one esbuild bundle with no .proto
 * file beside it. Each message's fields are written as the .proto writes them, one
 * `[repeated] TYPE NAME = ID` or `map<K, V> NAME = ID` per `;`. proto.test.ts checks that the
 * whole still equals the .proto file.
 */
export const GRPC_PREDICT_V2 = {
  nested: {
    inference: {
      nested: {
        GRPCInferenceService: {
          methods: Object.fromEntries(
            ['ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer'].map(
              (name) => [name, { requestType: `${name}Request`, responseType: `${name}Response` }],
            ),
          ),
        },
        ServerLiveRequest: message(''),
        ServerLiveResponse: message('bool live = 1'),
        ServerReadyRequest: message(''),
        ServerReadyResponse: message('bool ready = 1'),
        ModelReadyRequest: message('string name = 1; string version = 2'),
        ModelReadyResponse: message('bool ready = 1'),
        ServerMetadataRequest: message(''),
        ServerMetadataResponse: message(
          'string name = 1; string version = 2; repeated string extensions = 3',
        ),
        ModelMetadataRequest: message('string name = 1; string version = 2'),
        ModelMetadataResponse: message(
          'string name = 1; repeated string versions = 2; string platform = 3; repeated TensorMetadata inputs = 4; repeated TensorMetadata outputs = 5',
          { TensorMetadata: message('string name = 1; string datatype = 2; repeated int64 shape = 3') },
        ),
        ModelInferRequest: message(
          'string model_name = 1; string model_version = 2; string id = 3; map<string, InferParameter> parameters = 4; repeated InferInputTensor inputs = 5; repeated InferRequestedOutputTensor outputs = 6; repeated bytes raw_input_contents = 7',
          {
            InferInputTensor: message(
              'string name = 1; string datatype = 2; repeated int64 shape = 3; map<string, InferParameter> parameters = 4; InferTensorContents contents = 5',
            ),
            InferRequestedOutputTensor: message(
              'string name = 1; map<string, InferParameter> parameters = 2',
            ),
          },
        ),
        ModelInferResponse: message(
          'string model_name = 1; string model_version = 2; string id = 3; map<string, InferParameter> parameters = 4; repeated InferOutputTensor outputs = 5; repeated bytes raw_output_contents = 6',
          {
            InferOutputTensor: message(
              'string name = 1; string datatype = 2; repeated int64 shape = 3; map<string, InferParameter> parameters = 4; InferTensorContents contents = 5',
            ),
          },
        ),
        InferParameter: {
          oneofs: { parameter_choice: { oneof: ['bool_param', 'int64_param', 'string_param'] } },
          ...message('bool bool_param = 1; int64 int64_param = 2; string string_param = 3'),
        },
        InferTensorContents: message(
          'repeated bool bool_contents = 1; repeated int32 int_contents = 2; repeated int64 int64_contents = 3; repeated uint32 uint_contents = 4; repeated uint64 uint64_contents = 5; repeated float fp32_contents = 6; repeated double fp64_contents = 7; repeated bytes bytes_contents = 8',
        ),
      },
    },
  },
};

interface FieldJson {
  type: string;
  id: number;
  rule?: 'repeated';
  keyType?: string;
}

/** A message's protobufjs JSON from its fields as the .proto writes them. */
function message(fields: string, nested?: Record<string, unknown>) {
  const json: Record<string, FieldJson> = {};
  for (const field of fields.split(';')) {
    const text = field.trim();
    if (text === '') continue;
    const match = /^(repeated )?(?:map<(\w+), (\w+)>|(\w+)) (\w+) = (\d+)$/.exec(text);
    if (match === null) throw new Error(`not a proto field: ${text}`);
    const [, repeated, key, value, type, name, id] = match as unknown as (string | undefined)[];
    json[name as string] = {
      ...(repeated === undefined ? {} : { rule: 'repeated' }),
      type: (type ?? value) as string,
      id: Number(id),
      ...(key === undefined ? {} : { keyType: key }),
    };
  }
  return nested === undefined ? { fields: json } : { fields: json, nested };
}

/**
 * How messages become JavaScript objects: field names as the proto spells them, int64 as
 * decimal strings (exact, unlike numbers past 2^53), bytes as Buffers, and every field present
 * (an unset string is '', an unset list empty, an unset message null).
 */
export const LOAD_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
} as const;

/** The package definition `@grpc/grpc-js` serves from (and a client can be built from). */
export function inferencePackage(): PackageDefinition {
  // protobufjs's INamespace type lacks map fields' `keyType`, which its own toJSON writes.
  return fromJSON(GRPC_PREDICT_V2 as unknown as Parameters<typeof fromJSON>[0], LOAD_OPTIONS);
}
