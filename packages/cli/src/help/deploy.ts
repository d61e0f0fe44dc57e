import { DEFAULT_REGISTRY_SPEC } from '@modelgate/core';

export const DEPLOY_HELP = `Usage: modelgate deploy --name NAME [--ref REF] --target server --url URL [options]
       modelgate deploy --name NAME --ref REF --target kserve --storage-uri URI [--namespace NS] [--gpus N]
       modelgate deploy --name NAME --ref REF --target command --command "./deploy.sh"

Gated deploy of a registered version. It is refused (exit 1, nothing changes) unless the
version's registered verdict passed for its exact sha256, and unless it is at least as new as
the version the alias names now (--allow-downgrade to go back). The model's bytes are fetched
and their sha256 checked; the smoke data's rows are scored locally by onnxruntime on those
bytes, and the live endpoint, pinned to the new version, must give the same answers.

  server   the built-in model server ('modelgate serve') through its admin API; the admin token
           comes from MODELGATE_ADMIN_TOKEN, else .modelgate/admin-token here (the file a local
           'modelgate serve' writes). A replace is staged with no traffic, smoke-checked, then
           swapped in atomically; a canary steps its traffic up (--canary-percent), checking
           health, version and the smoke rows at each step.
  kserve   renders a serving.kserve.io/v1beta1 InferenceService (modelFormat onnx, storageUri,
           canaryTrafficPercent, resources with nvidia.com/gpu), checked against the schema, and
           applies it with kubectl when there is a kubeconfig (KUBECONFIG or ~/.kube/config) and
           kubectl is on PATH; otherwise it writes the manifest and says that nothing was applied.
  command  runs your script with MODELGATE_MODEL_PATH (the checked file), MODELGATE_MODEL_SHA256,
           MODELGATE_MODEL_VERSION, MODELGATE_MODEL_NAME, MODELGATE_DEPLOY_ACTION (deploy or
           rollback) and MODELGATE_ENVIRONMENT; its exit code decides.

On any failure after the target changed, the deploy rolls back (the previous version serves
again) and exits 1, saying why. On success it moves the alias: 'production', or the
--environment's name for another environment, or --alias.

Options:
  --name NAME             registry name (default: 'model:' in the config)
  --ref REF               version number, alias or latest (default: latest)
  --target KIND           server (default), kserve or command
  --url URL               the model server (server target); the OIP endpoint to smoke-check (others)
  --strategy S            replace (default) or canary
  --canary-percent LIST   canary traffic steps (default 10,50,100)
  --canary-wait SECONDS   how long each canary step takes traffic before its checks (default 0)
  --smoke-data PATH       rows to send through the live endpoint (CSV, JSON Lines, NPY/NPZ, Parquet);
                          without it a fixed synthetic probe of the model's input width is sent
  --wire W                (server) the smoke check's wire: http (default: OIP v2 over HTTP + JSON
                          at --url) or grpc (OIP v2 over gRPC with raw tensors, at --grpc-url)
  --grpc-url ADDR         (server) where the model server speaks gRPC ('modelgate serve
                          --grpc-port'), grpc://HOST:PORT; needed with --wire grpc, since the
                          admin API does not tell it
  --require-gate BOOL     true (default) or false; --no-require-gate is the same as false
  --allow-downgrade       allow a version older than the one the alias names
  --environment NAME      the environment (default production); names the alias too
  --alias ALIAS           the alias moved on success
  --registry SPEC         fs:PATH or github:OWNER/REPO (default: the config's 'registry:', else ${DEFAULT_REGISTRY_SPEC})
  --config PATH           the config file (default: .modelgate.yml, when there is one); its 'deploy:'
                          section gives defaults for every option here
  --storage-uri URI       (kserve) where KServe downloads the model; {name}, {version}, {sha256} filled in
  --namespace NS          (kserve) the namespace
  --service-name NAME     (kserve) the InferenceService name (default: the model name as a DNS label)
  --gpus N                (kserve) GPUs per replica (nvidia.com/gpu)
  --manifest PATH         (kserve) where the manifest is written
  --kubeconfig PATH       (kserve) the kubeconfig to apply with
  --command CMD           (command) the deploy script, run by a shell

Examples:
  modelgate serve --port 8080 --grpc-port 8081 &
  modelgate deploy --name churn --ref 7 --target server --url http://127.0.0.1:8080 --smoke-data data/smoke.csv
  modelgate deploy --name churn --ref latest --target server --url http://127.0.0.1:8080 --strategy canary --canary-percent 10,50,100
  modelgate deploy --name churn --ref 5 --target server --url http://127.0.0.1:8080 --allow-downgrade
  modelgate deploy --name churn --ref 7 --url http://127.0.0.1:8080 --wire grpc --grpc-url grpc://127.0.0.1:8081
  modelgate deploy --name churn --ref 7 --target kserve --storage-uri s3://models/churn/7/ --gpus 1
  modelgate deploy --name churn --ref 7 --target command --command "./scripts/deploy.sh"

Exit codes: 0 deployed (kserve without a cluster: the manifest was written, nothing applied);
1 refused (gate, digest, downgrade) or rolled back; 2 bad input or usage; other: a bug.`;
