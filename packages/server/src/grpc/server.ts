import * as grpc from '@grpc/grpc-js';
import { InputError, VERSION } from '@modelgate/core';
import { type ModelHost, notLoaded } from '../host.ts';
import { HttpError, statusOf } from '../http.ts';
import type { ServerLogger } from '../logger.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { RequestLog } from '../request-log.ts';
import type { VersionRunner } from '../runner.ts';
import { countInfer, modelMetadata, parseVersion, pinnedRunner } from '../versions.ts';
import { decodeInferRequest, encodeInferResponse, type ModelInferRequest } from './convert.ts';
import { inferencePackage } from './proto.ts';

/**
 * The Open Inference Protocol v2 over gRPC (`inference.GRPCInferenceService`) on its own port.
 * It serves from the same model host as HTTP, so a request meets the same versions, canary
 * split, pinned versions and swaps, and counts in the same Prometheus metrics (with the HTTP
 * status the same outcome gets over HTTP, so dashboards and alerts see both wires).
 */

export interface GrpcOptions {
  readonly host: ModelHost;
  readonly metrics: ServerMetrics;
  readonly logger: ServerLogger;
  /** The address to bind, as for HTTP. */
  readonly bindHost: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The largest request message, in bytes (the HTTP body limit, so both wires take the same tensors). */
  readonly maxMessageBytes: number;
  /** Where sampled requests are logged, when they are. */
  readonly requestLog: RequestLog | undefined;
}

export interface RunningGrpc {
  /** `grpc://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Stops taking calls, waits up to `graceMs` for those in progress, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

/** The gRPC code for each HTTP status the server's errors carry. */
const CODE_OF_STATUS: Readonly<Record<number, grpc.status>> = {
  400: grpc.status.INVALID_ARGUMENT,
  404: grpc.status.NOT_FOUND,
  405: grpc.status.UNIMPLEMENTED,
  409: grpc.status.FAILED_PRECONDITION,
  413: grpc.status.RESOURCE_EXHAUSTED,
  422: grpc.status.FAILED_PRECONDITION,
  502: grpc.status.UNAVAILABLE,
  503: grpc.status.UNAVAILABLE,
};

type Unary<Request, Response> = grpc.handleUnaryCall<Request, Response>;

/** Starts the gRPC server; resolves once it listens. */
export async function startGrpcServer(options: GrpcOptions): Promise<RunningGrpc> {
  const { host, metrics, logger } = options;
  const definition = grpc.loadPackageDefinition(inferencePackage()) as unknown as {
    inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
  };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // Channelz keeps per-call statistics that nothing here reads; it costs about 3% of a call.
    'grpc.enable_channelz': 0,
  });

  /** Answers a unary call from `answer`, turning thrown errors into gRPC statuses. */
  const unary =
    <Request, Response>(
      answer: (request: Request) => Response | Promise<Response>,
    ): Unary<Request, Response> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => answer(call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(toStatus(error, logger)),
        );
    };

  const modelInfer: Unary<ModelInferRequest, unknown> = (call, callback) => {
    const started = performance.now();
    const message = call.request;
    const name = message.model_name;
    let runner: VersionRunner | undefined;
    let status = 200;
    const finish = (error: unknown, response?: unknown) => {
      if (error !== null) status = statusOf(error);
      countInfer(metrics, host, name, runner, status, started);
      if (error === null) callback(null, response);
      else callback(toStatus(error, logger));
    };
    try {
      const slot = host.slot(requireName(name, 'model_name'));
      if (slot === undefined) throw notLoaded(name, host.names());
      const pinned = pinnedVersion(message.model_version);
      // Chosen and referenced with no await in between, as over HTTP: a swap from here on leaves
      // this call on the version it was given, whose session lives until the call is done.
      const chosen = pinned === undefined ? slot.pick() : pinnedRunner(slot, pinned);
      runner = chosen;
      chosen.acquire();
      let request: ReturnType<typeof decodeInferRequest>;
      try {
        request = decodeInferRequest(message, chosen.model);
      } catch (error) {
        chosen.release();
        throw error;
      }
      chosen.infer(request).then(
        (outputs) => {
          let response: unknown;
          try {
            response = encodeInferResponse(request, name, chosen.version, outputs);
          } catch (error) {
            chosen.release();
            finish(error);
            return;
          }
          // Raw outputs are views of the session's output: written out before the version may go.
          finish(null, response);
          chosen.release();
          options.requestLog?.record(name, chosen.versionLabel, chosen.featureNames, request.inputs, outputs);
        },
        (error: unknown) => {
          chosen.release();
          finish(error);
        },
      );
    } catch (error) {
      finish(error);
    }
  };

  server.addService(definition.inference.GRPCInferenceService.service, {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: host.ready() })),
    ModelReady: unary((request: { name: string; version: string }) => {
      const slot = host.slot(requireName(request.name, 'name'));
      const pinned = pinnedVersion(request.version);
      // A probe asks a yes-or-no question: a model or version not taking traffic is not ready.
      return { ready: slot !== undefined && (pinned === undefined || slot.pinned(pinned) !== undefined) };
    }),
    ServerMetadata: unary(() => ({ name: 'modelgate', version: VERSION, extensions: [] })),
    ModelMetadata: unary((request: { name: string; version: string }) => {
      const slot = host.slot(requireName(request.name, 'name'));
      if (slot === undefined) throw notLoaded(request.name, host.names());
      const pinned = pinnedVersion(request.version);
      return modelMetadata(slot, pinned === undefined ? slot.primary : pinnedRunner(slot, pinned));
    }),
    ModelInfer: modelInfer,
  } satisfies grpc.UntypedServiceImplementation);

  const port = await bind(server, options.bindHost, options.port);
  const shown = options.bindHost.includes(':') ? `[${options.bindHost}]` : options.bindHost;
  return {
    url: `grpc://${shown}:${port}`,
    port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function requireName(name: string, field: string): string {
  if (name === '') throw new HttpError(400, `${field} is empty: name the model`);
  return name;
}

/** An empty version lets the server choose (the canary split); else a version number, `3` or `v3`. */
function pinnedVersion(text: string): number | undefined {
  return text === '' ? undefined : parseVersion(text, 'model_version ');
}

/** A gRPC status for an error: the code of its HTTP status, or INTERNAL (logged) for a bug. */
function toStatus(error: unknown, logger: ServerLogger): Partial<grpc.StatusObject> {
  if (error instanceof HttpError) {
    return { code: CODE_OF_STATUS[error.status] ?? grpc.status.INTERNAL, details: error.message };
  }
  if (error instanceof InputError) {
    const hint = error.hint === undefined ? '' : ` (hint: ${error.hint})`;
    return { code: grpc.status.INVALID_ARGUMENT, details: `${error.message}${hint}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`internal error: ${error instanceof Error && error.stack ? error.stack : message}`);
  return { code: grpc.status.INTERNAL, details: `internal error: ${message.split('\n')[0]}` };
}

function bind(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error === null) {
        resolve(bound);
        return;
      }
      const text = error.message;
      if (/EADDRINUSE|address already in use/i.test(text)) {
        reject(
          new InputError(`gRPC port ${port} on ${host} is already in use`, {
            hint: 'stop the other server, or choose another port with --grpc-port (0 picks a free one)',
            cause: error,
          }),
        );
      } else reject(new InputError(`cannot listen for gRPC on ${address}: ${text}`, { cause: error }));
    });
  });
}
