import {
  cliOption,
  DEFAULT_REGISTRY_SPEC,
  InputError,
  type Provider,
  parseChoice,
  parseInteger,
  readConfigFile,
} from '@modelgate/core';
import {
  ADMIN_TOKEN_ENV,
  DEFAULT_ADMIN_TOKEN_FILE,
  DEFAULT_BATCHING,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  type ServerLogger,
  startServer,
} from '@modelgate/server';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { cliRegistry } from '../registry.ts';

export const SERVE_HELP = `Usage: modelgate serve [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--registry SPEC] [options]

Starts the built-in model server, the embedded deploy target. It speaks the Open Inference
Protocol (KServe v2), so clients move to KServe unchanged:

  GET  /v2/health/live, /v2/health/ready           ready once a model is loaded and warm
  GET  /v2/models/NAME                             metadata, with the loaded version and sha256
  POST /v2/models/NAME/infer                       FP32 / INT64 tensors in, outputs back; the
                                                   x-modelgate-version header says who answered
  POST /v2/models/NAME/versions/V/infer            pin the primary or the canary version
  GET  /metrics                                    Prometheus metrics

With --grpc-port it speaks the same protocol over gRPC too (inference.GRPCInferenceService of
the published grpc_predict_v2.proto: ServerLive, ServerReady, ModelReady, ServerMetadata,
ModelMetadata, ModelInfer with raw_input_contents or typed contents), from the same versions.

Versions are loaded through the admin API (modelgate deploy uses it), which needs the admin
token as 'Authorization: Bearer TOKEN': GET /admin/models, POST /admin/models/NAME/load
{"version": N, "canary_percent"?: P}, .../canary {"percent": P}, .../promote, .../rollback.
A load checks the model file's sha256 against the registry, warms the new session before it
takes traffic, and swaps it in without losing a request in flight.

The admin token comes from ${ADMIN_TOKEN_ENV} when it is set; else from --admin-token-file;
else from ${DEFAULT_ADMIN_TOKEN_FILE} in this directory, generated (mode 0600) when missing,
where 'modelgate deploy' run from the same directory finds it. It is never printed.

Options:
  --port N                  port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDRESS            address to bind (default 127.0.0.1: this machine only)
  --grpc-port N             also serve OIP v2 over gRPC on this port (0 picks a free one;
                            default: no gRPC)
  --registry SPEC           fs:PATH or github:OWNER/REPO: where versions are loaded from
                            (default: the config's 'registry:', else ${DEFAULT_REGISTRY_SPEC})
  --config PATH             the config file (default: .modelgate.yml, when there is one)
  --admin-token-file PATH   read the admin token from this file
  --model NAME@REF          load this version at start-up (repeatable; REF: a version, an
                            alias such as production, or latest)
  --max-batch N             rows per inference run with dynamic batching (default ${DEFAULT_BATCHING.maxBatch});
                            1 turns batching off
  --max-wait-ms MS          the longest a request waits to share a run (default ${DEFAULT_BATCHING.maxWaitMs}); a request
                            to an idle model runs at once, only requests arriving during a run are batched
  --max-body-bytes N        the largest infer request body (default ${DEFAULT_MAX_BODY_BYTES}, 32 MiB); a
                            larger one gets 413 without being read
  --provider cpu|cuda|auto  execution provider (default cpu; cuda falls back to CPU and says so)
  --quiet                   print only the start-up lines

Examples:
  modelgate serve
  modelgate serve --port 9000 --model churn@production
  MODELGATE_ADMIN_TOKEN=s3cret modelgate serve --registry fs:/srv/registry --max-batch 128
  curl -s localhost:8080/v2/models/churn/infer -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}'

It runs until Ctrl-C or SIGTERM, then stops taking connections, lets requests in progress
finish, and exits 0.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad input or usage (a bad flag, a port in use, a
missing token file, a --model that cannot be loaded); other: a bug.`;

/** The longest --max-wait-ms: past a minute a request would time out at any client first. */
const MAX_WAIT_LIMIT_MS = 60_000;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    port: { type: 'string' },
    'grpc-port': { type: 'string' },
    host: { type: 'string' },
    registry: { type: 'string' },
    config: { type: 'string' },
    'admin-token-file': { type: 'string' },
    model: { type: 'string', multiple: true },
    'max-batch': { type: 'string' },
    'max-wait-ms': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    provider: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${SERVE_HELP}\n`);
    return ExitCode.Ok;
  }
  const port = parseInteger('port', values.port, DEFAULT_PORT, cliOption, 0, 65_535);
  const grpcPort =
    values['grpc-port'] === undefined
      ? undefined
      : parseInteger('grpc-port', values['grpc-port'], 0, cliOption, 0, 65_535);
  const maxBatch = parseInteger('max-batch', values['max-batch'], DEFAULT_BATCHING.maxBatch, cliOption, 1);
  const maxWaitMs = parseWait(values['max-wait-ms']);
  const maxBodyBytes = parseInteger(
    'max-body-bytes',
    values['max-body-bytes'],
    DEFAULT_MAX_BODY_BYTES,
    cliOption,
    1,
  );
  const provider: Provider =
    parseChoice('provider', values.provider, ['auto', 'cpu', 'cuda'], cliOption) ?? 'cpu';
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new InputError('--host needs an address, like 127.0.0.1 or 0.0.0.0');
  // A --config that names no file is exit 2 naming it; the file gives 'registry:'.
  await readConfigFile(values.config, io.cwd, cliOption);
  const { registry } = await cliRegistry(io, values);

  const quiet = values.quiet === true;
  const logger: ServerLogger = {
    info: (message) => {
      if (!quiet) io.stderr(`${message}\n`);
    },
    warn: (message) => io.stderr(`warning: ${message}\n`),
    error: (message) => io.stderr(`error: ${message}\n`),
  };
  const server = await startServer({
    registry,
    port,
    host,
    ...(grpcPort === undefined ? {} : { grpcPort }),
    env: io.env,
    cwd: io.cwd,
    adminTokenFile: values['admin-token-file'],
    maxBatch,
    maxWaitMs,
    maxBodyBytes,
    provider,
    preload: values.model ?? [],
    logger,
  });

  const token =
    server.adminTokenSource === ADMIN_TOKEN_ENV ? `from ${ADMIN_TOKEN_ENV}` : `in ${server.adminTokenSource}`;
  io.stdout(`modelgate serve: listening on ${server.url} (registry ${registry.location})\n`);
  if (server.grpcUrl !== undefined) io.stdout(`gRPC (OIP v2): listening on ${server.grpcUrl}\n`);
  io.stdout(`admin token: ${token}\n`);
  io.stdout(
    `batching: up to ${maxBatch} rows per run, waiting up to ${maxWaitMs} ms${maxBatch === 1 ? ' (off)' : ''}\n`,
  );
  io.stdout('stop with Ctrl-C or SIGTERM\n');

  const received = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stderr(`${received} received: finishing requests in progress and stopping\n`);
  // A second signal while requests drain means "now".
  const hurry = (signal: NodeJS.Signals) => {
    io.stderr(`${signal} received again: stopping now\n`);
    process.exit(ExitCode.Ok);
  };
  process.once('SIGINT', hurry);
  process.once('SIGTERM', hurry);
  try {
    await server.close();
  } finally {
    process.off('SIGINT', hurry);
    process.off('SIGTERM', hurry);
  }
  io.stderr('stopped\n');
  return ExitCode.Ok;
}

function parseWait(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_BATCHING.maxWaitMs;
  const ms = Number(value);
  if (!(ms >= 0 && ms <= MAX_WAIT_LIMIT_MS)) {
    throw new InputError(
      `--max-wait-ms '${value}' is not valid; expected milliseconds from 0 to ${MAX_WAIT_LIMIT_MS}, like 2`,
    );
  }
  return ms;
}
