import * as grpc from '@grpc/grpc-js';
import {
  DeployCheckError,
  type InferAnswer,
  type InferenceEndpoint,
  type InferRequest,
} from '@modelgate/core';
import type { ModelInferResponse } from './convert.ts';
import { inferencePackage } from './proto.ts';

/** A smoke check's call waits this long: a few hundred rows of any model answer well within it. */
const CALL_DEADLINE_MS = 60_000;

/** Reads each raw output datatype the smoke check compares as numbers. */
const READ_RAW: Readonly<Record<string, (bytes: Uint8Array) => ArrayLike<number | bigint>>> = {
  FP32: (bytes) => new Float32Array(aligned(bytes)),
  FP64: (bytes) => new Float64Array(aligned(bytes)),
  INT32: (bytes) => new Int32Array(aligned(bytes)),
  INT64: (bytes) => new BigInt64Array(aligned(bytes)),
};

type InferStub = grpc.Client & {
  ModelInfer(
    request: object,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response: ModelInferResponse) => void,
  ): void;
};

/**
 * An Open Inference Protocol v2 endpoint over gRPC (`grpc://HOST:PORT`, what `modelgate serve
 * --grpc-port` listens on): the smoke check's rows go as `raw_input_contents` to ModelInfer,
 * pinned to `version` when given, and the answering version comes back in `model_version`.
 */
export function grpcEndpoint(url: string, model: string, version?: string): InferenceEndpoint {
  const target = url.replace(/^grpc:\/\//, '').replace(/\/+$/, '');
  const describe = `grpc://${target} ModelInfer ${model}${version === undefined ? '' : ` v${version}`}`;
  const { inference } = grpc.loadPackageDefinition(inferencePackage()) as unknown as {
    inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
  };
  return {
    describe,
    async infer(request: InferRequest): Promise<InferAnswer> {
      // One channel per call: the smoke check sends a handful, and nothing is left open after it.
      const stub = new inference.GRPCInferenceService(
        target,
        grpc.credentials.createInsecure(),
      ) as unknown as InferStub;
      const { data } = request;
      let response: ModelInferResponse;
      try {
        response = await new Promise<ModelInferResponse>((resolve, reject) =>
          stub.ModelInfer(
            {
              model_name: model,
              model_version: version ?? '',
              inputs: [
                { name: request.input.name, datatype: request.input.datatype, shape: request.input.shape },
              ],
              outputs: [{ name: request.output }],
              raw_input_contents: [Buffer.from(data.buffer, data.byteOffset, data.byteLength)],
            },
            { deadline: Date.now() + CALL_DEADLINE_MS },
            (error, answer) => (error === null ? resolve(answer) : reject(error)),
          ),
        );
      } catch (error) {
        const status = error as grpc.ServiceError;
        throw new DeployCheckError(
          `${describe} answered ${grpc.status[status.code] ?? status.code}: ${status.details ?? status.message}`,
          { cause: error },
        );
      } finally {
        stub.close();
      }
      const index = response.outputs.findIndex((output) => output.name === request.output);
      const output = response.outputs[index];
      const raw = response.raw_output_contents[index];
      const read = output === undefined ? undefined : READ_RAW[output.datatype];
      if (output === undefined || raw === undefined || read === undefined) {
        throw new DeployCheckError(
          `${describe} answered without a raw FP32, FP64, INT32 or INT64 output '${request.output}'`,
        );
      }
      return {
        version: response.model_version === '' ? undefined : response.model_version,
        shape: output.shape.map(Number),
        data: Array.from(read(raw), Number),
      };
    },
  };
}

/** The bytes in a buffer of their own (a typed array needs its element size's alignment). */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}
