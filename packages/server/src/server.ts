import { constants } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InputError,
  type Provider,
  parseNameAtRef,
  type Registry,
  type RuntimeLoader,
  SERVE_DEFAULTS,
} from '@modelgate/core';
import type { BatchSettings } from './batcher.ts';
import { type RunningGrpc, startGrpcServer } from './grpc/server.ts';
import { ModelHost } from './host.ts';
import { bodyTooLarge, DEFAULT_MAX_BODY_BYTES, declaredLength, HttpError, sendError } from './http.ts';
import { type ServerLogger, silentLogger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { RequestLog } from './request-log.ts';
import { handle } from './routes.ts';
import { resolveAdminToken } from './token.ts';

/** The serve step's defaults (SERVE_DEFAULTS says why each is what it is). */
export const DEFAULT_HOST = SERVE_DEFAULTS.host;
export const DEFAULT_PORT = SERVE_DEFAULTS.port;
export const DEFAULT_BATCHING: BatchSettings = {
  maxBatch: SERVE_DEFAULTS.maxBatch,
  maxWaitMs: SERVE_DEFAULTS.maxWaitMs,
};
/** How long a stop waits for requests in progress before it cuts their connections. */
const CLOSE_GRACE_MS = 10_000;

export interface ServerOptions {
  /** Where `load` finds versions (and checks their sha256). */
  readonly registry: Registry;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** OIP v2 over gRPC on this port of the same host (0 picks a free one); off when absent. */
  readonly grpcPort?: number;
  /** The admin token itself; when absent it is resolved from `env`, `adminTokenFile` and `cwd`. */
  readonly adminToken?: string;
  readonly adminTokenFile?: string;
  /** For the token's resolution: MODELGATE_ADMIN_TOKEN, and where `.modelgate/admin-token` lives. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Rows per session run (1 turns dynamic batching off). Default 64. */
  readonly maxBatch?: number;
  /** How long a queued request waits for company, in milliseconds. Default 2. */
  readonly maxWaitMs?: number;
  /** The largest infer request body, in bytes; larger ones get 413. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  readonly provider?: Provider;
  readonly runtime?: RuntimeLoader;
  /** Versions loaded as primary before the server reports itself started: `NAME@REF`. */
  readonly preload?: readonly string[];
  readonly logger?: ServerLogger;
  /** Logs sampled requests' rows as JSON Lines in `dir` (for `modelgate monitor`); off when absent. */
  readonly logRequests?: RequestLogSettings;
}

/** The request log's settings (`serve --log-requests DIR --log-sample F --log-max-bytes N`). */
export interface RequestLogSettings {
  readonly dir: string;
  /** The fraction of requests logged, in (0, 1]; default 0.1. */
  readonly sample?: number;
  /** The most bytes the log files hold together; default 1 GiB. */
  readonly maxBytes?: number;
}

/** A running server. */
export interface RunningServer {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** `grpc://HOST:PORT` when the server speaks gRPC too. */
  readonly grpcUrl?: string;
  readonly grpcPort?: number;
  readonly adminToken: string;
  /** `MODELGATE_ADMIN_TOKEN`, `given`, or the token file's path: what to tell a user (never the token). */
  readonly adminTokenSource: string;
  readonly metrics: ServerMetrics;
  /** The request log, when requests are logged (its `flush()` writes what is queued). */
  readonly requestLog: RequestLog | undefined;
  /** Stops accepting connections, lets requests in progress finish, and releases every session. */
  close(): Promise<void>;
}

/**
 * Starts the model server: the Open Inference Protocol v2 endpoints, /metrics, and the admin
 * API that loads registered versions. Resolves once it listens and every `preload` version is
 * loaded and warm.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const batching = checkBatching(options);
  const maxBodyBytes = checkBodyLimit(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const logger = options.logger ?? silentLogger;
  const token =
    options.adminToken !== undefined
      ? { token: checkToken(options.adminToken), source: 'given' }
      : await resolveAdminToken({
          env: options.env ?? process.env,
          file: options.adminTokenFile,
          cwd: options.cwd ?? process.cwd(),
        });
  const metrics = new ServerMetrics();
  const requestLog =
    options.logRequests === undefined
      ? undefined
      : new RequestLog({ ...options.logRequests, metrics, logger });
  const host = new ModelHost({
    registry: options.registry,
    batching,
    provider: options.provider ?? 'cpu',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    metrics,
    logger,
  });
  const context = { host, metrics, logger, adminToken: token.token, maxBodyBytes, requestLog };
  const server = createServer((request, response) => {
    void handle(context, request, response);
  });
  // A client that asks before sending (Expect: 100-continue) is refused before it sends a byte.
  server.on('checkContinue', (request, response) => {
    const declared = declaredLength(request);
    if (declared !== undefined && declared > maxBodyBytes) {
      sendError(response, bodyTooLarge(maxBodyBytes, declared));
      return;
    }
    response.writeContinue();
    void handle(context, request, response);
  });
  // Clients that keep connections open (load generators, the deploy step) reuse them.
  server.keepAliveTimeout = 65_000;

  const bindHost = options.host ?? DEFAULT_HOST;
  await listen(server, options.port ?? DEFAULT_PORT, bindHost);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`;
  if (!isLoopback(bindHost)) {
    logger.warn(
      `listening on ${bindHost}, beyond this machine: the admin API is guarded by its token but travels as plain HTTP; put TLS in front of it`,
    );
  }

  let grpc: RunningGrpc | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await Promise.all([stopped, grpc?.close(CLOSE_GRACE_MS)]);
      clearTimeout(force);
      await host.close();
      await requestLog?.close();
    })();
    return closing;
  };

  try {
    if (options.grpcPort !== undefined) {
      grpc = await startGrpcServer({
        host,
        metrics,
        logger,
        bindHost,
        port: options.grpcPort,
        maxMessageBytes: maxBodyBytes,
        requestLog,
      });
    }
    for (const target of options.preload ?? []) await preload(host, options.registry, target);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    port,
    host: bindHost,
    ...(grpc === undefined ? {} : { grpcUrl: grpc.url, grpcPort: grpc.port }),
    adminToken: token.token,
    adminTokenSource: token.source,
    metrics,
    requestLog,
    close,
  };
}

/** Loads `NAME@REF` as primary, turning registry errors and the admin API's refusals into user errors. */
async function preload(host: ModelHost, registry: Registry, target: string): Promise<void> {
  const { name, ref } = parseNameAtRef(target);
  try {
    const record = await registry.resolve(name, ref);
    await host.load(name, record.version);
  } catch (error) {
    const what = `cannot load --model ${target}`;
    if (error instanceof InputError) {
      throw new InputError(`${what}: ${error.message}`, {
        cause: error,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    }
    if (error instanceof HttpError && error.status < 500)
      throw new InputError(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

function checkBatching(options: ServerOptions): BatchSettings {
  const maxBatch = options.maxBatch ?? DEFAULT_BATCHING.maxBatch;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_BATCHING.maxWaitMs;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
    throw new InputError(
      `--max-batch must be a whole number of rows, at least 1 (1 turns batching off); got ${maxBatch}`,
    );
  }
  if (!(maxWaitMs >= 0 && maxWaitMs <= 60_000)) {
    throw new InputError(`--max-wait-ms must be between 0 and 60000 milliseconds; got ${maxWaitMs}`);
  }
  return { maxBatch, maxWaitMs };
}

function checkBodyLimit(bytes: number): number {
  // The body becomes one string for JSON.parse, and V8 has a longest string.
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > constants.MAX_STRING_LENGTH) {
    throw new InputError(
      `--max-body-bytes must be a whole number of bytes from 1 to ${constants.MAX_STRING_LENGTH} (the longest string JSON.parse can read); got ${bytes}`,
    );
  }
  return bytes;
}

function checkToken(token: string): string {
  if (token.trim() === '') throw new InputError('the admin token is empty');
  return token.trim();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new InputError(`port ${port} on ${host} is already in use`, {
            hint: 'stop the other server, or choose another port with --port (0 picks a free one)',
          }),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(
          new InputError(`cannot listen on ${host}: it is not an address of this machine`, { cause: error }),
        );
      } else if (error.code === 'EACCES') {
        reject(new InputError(`not allowed to listen on port ${port} (ports below 1024 need privileges)`));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
