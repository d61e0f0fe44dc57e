import { resolve } from 'node:path';
import {
  cliOption,
  DEFAULT_REGISTRY_SPEC,
  type DeploySettings,
  deploy,
  deploySettingsFrom,
  describeOutcome,
  InputError,
  type Logger,
  openTarget,
  outcomeExitCode,
  readConfigFile,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { cliRegistry } from '../registry.ts';

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
  modelgate serve --port 8080 &
  modelgate deploy --name churn --ref 7 --target server --url http://127.0.0.1:8080 --smoke-data data/smoke.csv
  modelgate deploy --name churn --ref latest --target server --url http://127.0.0.1:8080 --strategy canary --canary-percent 10,50,100
  modelgate deploy --name churn --ref 5 --target server --url http://127.0.0.1:8080 --allow-downgrade
  modelgate deploy --name churn --ref 7 --target kserve --storage-uri s3://models/churn/7/ --gpus 1
  modelgate deploy --name churn --ref 7 --target command --command "./scripts/deploy.sh"

Exit codes: 0 deployed (kserve without a cluster: the manifest was written, nothing applied);
1 refused (gate, digest, downgrade) or rolled back; 2 bad input or usage; other: a bug.`;

export async function deployCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('deploy', argv, {
    name: { type: 'string' },
    ref: { type: 'string' },
    target: { type: 'string' },
    url: { type: 'string' },
    strategy: { type: 'string' },
    'canary-percent': { type: 'string' },
    'canary-wait': { type: 'string' },
    'smoke-data': { type: 'string' },
    'require-gate': { type: 'string' },
    'no-require-gate': { type: 'boolean' },
    'allow-downgrade': { type: 'boolean' },
    environment: { type: 'string' },
    alias: { type: 'string' },
    registry: { type: 'string' },
    config: { type: 'string' },
    'storage-uri': { type: 'string' },
    namespace: { type: 'string' },
    'service-name': { type: 'string' },
    gpus: { type: 'string' },
    manifest: { type: 'string' },
    kubeconfig: { type: 'string' },
    command: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${DEPLOY_HELP}\n`);
    return ExitCode.Ok;
  }
  if (values['no-require-gate'] && values['require-gate'] !== undefined) {
    throw new InputError('give --require-gate or --no-require-gate, not both');
  }
  // The config file first: a --config that names no file is exit 2 naming it.
  const { config, path: configPath } = await readConfigFile(values.config, io.cwd, cliOption);
  const { registry } = await cliRegistry(io, values);
  const parsed = deploySettingsFrom(
    {
      ...values,
      'require-gate': values['no-require-gate'] ? false : values['require-gate'],
    },
    config,
    configPath,
    cliOption,
  );
  const settings = relativeTo(io.cwd, parsed);
  // Progress on stdout: stderr carries only warnings and the one error line of a failed run.
  const logger: Logger = {
    info: (message) => io.stdout(`${message}\n`),
    warning: (message) => io.stderr(`warning: ${message}\n`),
  };
  const target = await openTarget(settings, { cwd: io.cwd, env: io.env, logger });
  const outcome = await deploy(settings.request, { registry, target, logger });

  const { headline, details } = describeOutcome(outcome);
  for (const line of details) io.stdout(`  ${line}\n`);
  if (outcome.kind === 'refused' || outcome.kind === 'rolled-back') io.stderr(`modelgate: ${headline}\n`);
  else io.stdout(`${headline}\n`);
  return outcomeExitCode(outcome);
}

/** Paths from flags are relative to where the command runs (the tests run it elsewhere than the process). */
function relativeTo(cwd: string, settings: DeploySettings): DeploySettings {
  const { request, target } = settings;
  return {
    request: {
      ...request,
      ...(request.smokeData === undefined ? {} : { smokeData: resolve(cwd, request.smokeData) }),
    },
    target:
      target.kind === 'kserve'
        ? {
            ...target,
            ...(target.kubeconfig === undefined ? {} : { kubeconfig: resolve(cwd, target.kubeconfig) }),
            options: {
              ...target.options,
              ...(target.options.manifest === undefined
                ? {}
                : { manifest: resolve(cwd, target.options.manifest) }),
            },
          }
        : target,
  };
}
