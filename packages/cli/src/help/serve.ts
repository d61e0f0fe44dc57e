import { DEFAULT_REGISTRY_SPEC, SERVE_DEFAULTS } from '@modelgate/core';
import {
  ADMIN_TOKEN_ENV,
  DEFAULT_ADMIN_TOKEN_FILE,
  DEFAULT_BATCHING,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
} from '@modelgate/server';

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
  --log-requests DIR        log sampled requests for 'modelgate monitor': one JSON line per input
                            row ({"time","model","version","features","outputs"}) in rotating
                            files DIR/requests-<UTC time>-<pid>-<seq>.jsonl (16 MiB each); over
                            HTTP and gRPC alike, off the response path (a full queue drops rows
                            and counts them in modelgate_request_log_dropped_rows_total)
  --log-sample F            the share of requests logged, above 0 and at most 1 (default 0.1;
                            1 logs every request); chosen at random per request
  --log-max-bytes N         the most bytes the log files in DIR hold together (default ${SERVE_DEFAULTS.logMaxBytes},
                            1 GiB; at least ${SERVE_DEFAULTS.logMinBytes}); the oldest files are removed first
  --quiet                   print only the start-up lines

Examples:
  modelgate serve
  modelgate serve --port 9000 --model churn@production
  MODELGATE_ADMIN_TOKEN=s3cret modelgate serve --registry fs:/srv/registry --max-batch 128
  modelgate serve --model churn@production --log-requests logs/ --log-sample 0.25
  curl -s localhost:8080/v2/models/churn/infer -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}'

It runs until Ctrl-C or SIGTERM, then stops taking connections, lets requests in progress
finish, and exits 0.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad input or usage (a bad flag, a port in use, a
missing token file, a --model that cannot be loaded); other: a bug.`;
