import { z } from 'zod';
import type { ConfigFile } from '../../config/file.ts';
import { registrySpecFrom } from '../../config/file.ts';
import { parseCanarySteps } from '../../deploy/canary.ts';
import type { DeployRequest } from '../../deploy/deploy.ts';
import type { KServeOptions, Quantity } from '../../deploy/kserve/manifest.ts';
import { STRATEGIES, TARGET_KINDS, type TargetKind } from '../../deploy/types.ts';
import { didYouMean, InputError } from '../../kernel/errors.ts';
import { type OptionNamer, parseBoolean, parseChoice, parseInteger } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';
import { validateAlias, validateModelName } from '../../registry/names.ts';
import { parseRegistrySpec } from '../../registry/open.ts';

/** The environment a deploy is recorded for, and whose alias it moves, unless told otherwise. */
export const DEFAULT_ENVIRONMENT = 'production';
/** A day: past this a canary wait is a typo, not a plan (a job would time out first). */
const MAX_CANARY_WAIT_SECONDS = 86_400;

/** The wires the smoke check can send its rows on: OIP v2 over HTTP + JSON, or over gRPC with raw tensors. */
export type SmokeWire = 'http' | 'grpc';
export const SMOKE_WIRES: readonly SmokeWire[] = ['http', 'grpc'];

/**
 * Every option of `modelgate deploy` and the deploy action (CONTRACT.md), as the user types it.
 * `require-gate` takes a value (`--require-gate false`); `allow-downgrade` is a bare flag on the
 * command line and `true`/`false` as an input.
 */
export const DEPLOY_OPTIONS = {
  name: 'string',
  ref: 'string',
  target: 'string',
  url: 'string',
  wire: 'string',
  'grpc-url': 'string',
  environment: 'string',
  alias: 'string',
  strategy: 'string',
  'canary-percent': 'string',
  'canary-wait': 'string',
  'smoke-data': 'string',
  'require-gate': 'string',
  'allow-downgrade': 'boolean',
  registry: 'string',
  'storage-uri': 'string',
  namespace: 'string',
  'service-name': 'string',
  gpus: 'string',
  manifest: 'string',
  kubeconfig: 'string',
  command: 'string',
} as const satisfies OptionTable;

/** The command line's options: the same, plus `--no-require-gate` (a flag has no `false` of its own). */
export const DEPLOY_CLI_OPTIONS = {
  ...DEPLOY_OPTIONS,
  'no-require-gate': 'boolean',
} as const satisfies OptionTable;

/** The deploy options as the user typed them: CLI flags or action inputs. */
export type RawDeployOptions = RawOptions<typeof DEPLOY_CLI_OPTIONS>;

/** Where the version goes and what that target needs. */
export type TargetSettings =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'kserve';
      readonly options: KServeOptions;
      readonly kubeconfig: string | undefined;
      readonly url: string | undefined;
    }
  | { readonly kind: 'command'; readonly command: string; readonly url: string | undefined };

/** The wire of the server target's smoke check; gRPC names the server's gRPC address (`grpc://HOST:PORT`). */
export type WireSettings = { readonly kind: 'http' } | { readonly kind: 'grpc'; readonly url: string };

export interface DeploySettings {
  readonly request: DeployRequest;
  readonly target: TargetSettings;
  readonly wire: WireSettings;
  /** The registry deployed from: `fs:PATH` or `github:OWNER/REPO`. */
  readonly registry: string;
}

const quantity = z.union([z.string(), z.number()]);
const resourceList = z.record(z.string(), quantity);
const kserveSection = z
  .object({
    name: z.string().optional(),
    namespace: z.string().optional(),
    storage_uri: z.string().optional(),
    runtime: z.string().optional(),
    protocol_version: z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']).optional(),
    gpus: z.number().int().min(0).optional(),
    resources: z
      .object({ limits: resourceList.optional(), requests: resourceList.optional() })
      .strict()
      .optional(),
    min_replicas: z.number().int().min(0).optional(),
    max_replicas: z.number().int().min(0).optional(),
    manifest: z.string().optional(),
    kubeconfig: z.string().optional(),
  })
  .strict();

/** The config's `deploy:` section (CONTRACT.md: `deploy: { target: server, url: … }`), which flags and inputs override. */
export const deploySection = z
  .object({
    target: z.string().optional(),
    url: z.string().optional(),
    environment: z.string().optional(),
    alias: z.string().optional(),
    strategy: z.string().optional(),
    canary_percent: z.union([z.string(), z.number(), z.array(z.number())]).optional(),
    canary_wait: z.number().min(0).optional(),
    smoke_data: z.string().optional(),
    wire: z.string().optional(),
    grpc_url: z.string().optional(),
    require_gate: z.boolean().optional(),
    allow_downgrade: z.boolean().optional(),
    command: z.string().optional(),
    kserve: kserveSection.optional(),
  })
  .strict();

export type DeploySection = z.infer<typeof deploySection>;

/** Reads the config's `deploy:` section, naming the key that is wrong. */
export function parseDeploySection(section: unknown, configPath: string): DeploySection {
  if (section === undefined || section === null) return {};
  const result = deploySection.safeParse(section);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = ['deploy', ...(issue?.path ?? []).map(String)].join('.');
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const known = Object.keys(where === 'deploy.kserve' ? kserveSection.shape : deploySection.shape);
    const guess = didYouMean(key, known);
    throw new InputError(`config file ${configPath}: unknown key '${where}.${key}'`, {
      hint: guess === undefined ? `known keys: ${known.join(', ')}` : `did you mean '${guess}'?`,
    });
  }
  throw new InputError(`config file ${configPath}: '${where}' ${issue?.message ?? 'is not valid'}`);
}

/**
 * The only reader of deploy's options: each flag or input, else the config file's `deploy:`
 * section (and `model:`, `registry:`), else the default. Every error names the option as its
 * giver does (`--url`, `input 'url'`).
 */
export function deploySettingsFrom(
  raw: RawDeployOptions,
  file: ConfigFile,
  namer: OptionNamer,
): DeploySettings {
  const { config, path: configPath } = file;
  const section = parseDeploySection(config.deploy, configPath);
  const blank = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value.trim();

  const name = blank(raw.name) ?? config.model;
  if (name === undefined) {
    throw new InputError(`${namer('name')} is required (or set 'model:' in the config file)`, {
      hint: 'it is the registry name of the model, e.g. churn',
    });
  }
  validateModelName(name);
  const ref = blank(raw.ref) ?? 'latest';
  const kind =
    parseChoice('target', blank(raw.target) ?? section.target, TARGET_KINDS, namer) ??
    ('server' satisfies TargetKind);
  const strategy =
    parseChoice('strategy', blank(raw.strategy) ?? section.strategy, STRATEGIES, namer) ?? 'replace';
  const stepsText = blank(raw['canary-percent']);
  const steps = stepsText ?? section.canary_percent;
  if (steps !== undefined && strategy !== 'canary') {
    throw new InputError(`${namer('canary-percent')} only applies with strategy canary`, {
      hint: `add ${namer('strategy')} canary`,
    });
  }
  const canarySteps = parseCanarySteps(typeof steps === 'number' ? [steps] : steps, namer);
  const waitText = blank(raw['canary-wait']);
  const canaryWait =
    waitText === undefined ? (section.canary_wait ?? 0) : parseSeconds('canary-wait', waitText, namer);

  const environment = blank(raw.environment) ?? section.environment ?? DEFAULT_ENVIRONMENT;
  const alias = aliasFor(blank(raw.alias) ?? section.alias, environment, namer);
  const url = blank(raw.url) ?? section.url;
  if (url !== undefined) checkUrl(url, namer);

  let target: TargetSettings;
  if (kind === 'server') {
    if (url === undefined) {
      throw new InputError(`the server target needs ${namer('url')}: where the model server listens`, {
        hint: "e.g. http://127.0.0.1:8080 (start one with 'modelgate serve')",
      });
    }
    target = { kind, url };
  } else if (kind === 'command') {
    const command = blank(raw.command) ?? section.command;
    if (command === undefined) {
      throw new InputError(
        `the command target needs ${namer('command')}: the script that deploys the model`,
        {
          hint: 'it gets MODELGATE_MODEL_PATH, MODELGATE_MODEL_SHA256, MODELGATE_MODEL_VERSION and MODELGATE_MODEL_NAME',
        },
      );
    }
    if (strategy === 'canary') {
      throw new InputError('the command target deploys in one step: use strategy replace', {
        hint: 'a script that shifts traffic itself can read MODELGATE_DEPLOY_ACTION',
      });
    }
    target = { kind, command, url };
  } else {
    const k = section.kserve ?? {};
    const storageUri = blank(raw['storage-uri']) ?? k.storage_uri;
    if (storageUri === undefined) {
      throw new InputError(
        `the kserve target needs ${namer('storage-uri')}: where KServe downloads the model`,
        {
          hint: 'e.g. s3://models/{name}/{version}/ ({name}, {version} and {sha256} are filled in)',
        },
      );
    }
    const gpus = parseInteger('gpus', blank(raw.gpus), k.gpus ?? 0, namer, 0, 64);
    const resources = k.resources as
      | { limits?: Record<string, Quantity>; requests?: Record<string, Quantity> }
      | undefined;
    const serviceName = blank(raw['service-name']) ?? k.name;
    const namespace = blank(raw.namespace) ?? k.namespace;
    const manifest = blank(raw.manifest) ?? k.manifest;
    const options: KServeOptions = {
      storageUri,
      protocolVersion: k.protocol_version ?? 'v2',
      gpus,
      ...(serviceName === undefined ? {} : { serviceName }),
      ...(namespace === undefined ? {} : { namespace }),
      ...(k.runtime === undefined ? {} : { runtime: k.runtime }),
      ...(resources === undefined ? {} : { resources }),
      ...(k.min_replicas === undefined ? {} : { minReplicas: k.min_replicas }),
      ...(k.max_replicas === undefined ? {} : { maxReplicas: k.max_replicas }),
      ...(manifest === undefined ? {} : { manifest }),
    };
    target = { kind, options, kubeconfig: blank(raw.kubeconfig) ?? k.kubeconfig, url };
  }
  // A value from the file is named by its key there, one the caller gave (or must give) as the caller names it.
  const fromFile = new Set([
    ...(blank(raw.wire) === undefined && section.wire !== undefined ? ['wire'] : []),
    ...(blank(raw['grpc-url']) === undefined && section.grpc_url !== undefined ? ['grpc-url'] : []),
  ]);
  const wireNamer: OptionNamer = (option) =>
    fromFile.has(option) ? `'deploy.${option.replace('-', '_')}' in ${configPath}` : namer(option);
  const wire = wireFrom(
    blank(raw.wire) ?? section.wire,
    blank(raw['grpc-url']) ?? section.grpc_url,
    kind,
    wireNamer,
  );
  const registry = blank(raw.registry);
  if (registry !== undefined) parseRegistrySpec(registry, namer('registry'));

  return {
    request: {
      name,
      ref,
      strategy,
      canarySteps,
      canaryWaitMs: canaryWait * 1000,
      smokeData: blank(raw['smoke-data']) ?? section.smoke_data,
      requireGate: requireGate(raw, namer) ?? section.require_gate ?? true,
      allowDowngrade:
        parseBoolean('allow-downgrade', raw['allow-downgrade'], namer) ?? section.allow_downgrade ?? false,
      alias,
      environment,
    },
    target,
    wire,
    registry: registrySpecFrom(registry, file),
  };
}

/** `--require-gate BOOL`, or the command line's `--no-require-gate`; not both. */
function requireGate(raw: RawDeployOptions, namer: OptionNamer): boolean | undefined {
  const given = parseBoolean('require-gate', raw['require-gate'], namer);
  if (raw['no-require-gate'] !== true) return given;
  if (given !== undefined) {
    throw new InputError(`give ${namer('require-gate')} or ${namer('no-require-gate')}, not both`);
  }
  return false;
}

/**
 * The smoke check's wire. gRPC needs the server's gRPC address: the admin API does not tell it
 * (the server's gRPC port is its own option), so it is given, as `grpc://HOST:PORT` or `HOST:PORT`.
 */
function wireFrom(
  given: string | undefined,
  grpcUrl: string | undefined,
  target: TargetKind,
  namer: OptionNamer,
): WireSettings {
  const wire = parseChoice('wire', given, SMOKE_WIRES, namer) ?? 'http';
  if (wire === 'http') {
    if (grpcUrl !== undefined) {
      throw new InputError(`${namer('grpc-url')} only applies with ${namer('wire')} grpc`, {
        hint: `add ${namer('wire')} grpc to send the smoke check over gRPC`,
      });
    }
    return { kind: 'http' };
  }
  if (target !== 'server') {
    throw new InputError(
      `${namer('wire')} grpc applies to the server target; the ${target} target is smoke-checked over HTTP`,
    );
  }
  if (grpcUrl === undefined) {
    throw new InputError(
      `${namer('wire')} grpc needs ${namer('grpc-url')}: where the model server speaks gRPC`,
      {
        hint: 'e.g. grpc://127.0.0.1:8081: the port the model server was started to speak gRPC on',
      },
    );
  }
  return { kind: 'grpc', url: checkGrpcUrl(grpcUrl, namer) };
}

/** `grpc://HOST:PORT` (or `HOST:PORT`), as grpc://HOST:PORT. */
function checkGrpcUrl(text: string, namer: OptionNamer): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `grpc://${text}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(withScheme);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === undefined ||
    parsed.protocol !== 'grpc:' ||
    parsed.hostname === '' ||
    parsed.port === '' ||
    (parsed.pathname !== '' && parsed.pathname !== '/')
  ) {
    throw new InputError(`${namer('grpc-url')} '${text}' is not a gRPC address`, {
      hint: 'e.g. grpc://127.0.0.1:8081 or 127.0.0.1:8081',
    });
  }
  return `grpc://${parsed.host}`;
}

/**
 * The alias a deploy moves: the one given, else `production` for the production environment,
 * else the environment's own name (`staging` moves `staging`), so two environments never fight
 * over one alias.
 */
function aliasFor(given: string | undefined, environment: string, namer: OptionNamer): string {
  if (given !== undefined) return validateAlias(given);
  if (environment === DEFAULT_ENVIRONMENT) return DEFAULT_ENVIRONMENT;
  try {
    return validateAlias(environment);
  } catch {
    throw new InputError(
      `environment '${environment}' cannot name the registry alias this deploy moves: give ${namer('alias')}`,
      { hint: 'aliases are lowercase letters, digits, - and _, e.g. staging' },
    );
  }
}

function checkUrl(url: string, namer: OptionNamer): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${namer('url')} '${url}' is not a URL`, { hint: 'e.g. http://127.0.0.1:8080' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError(`${namer('url')} '${url}' is not an http(s) URL`);
  }
}

function parseSeconds(name: string, text: string, namer: OptionNamer): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m)?$/.exec(text);
  const value = match === null ? Number.NaN : Number(match[1]) * (match[2] === 'm' ? 60 : 1);
  if (!(value >= 0 && value <= MAX_CANARY_WAIT_SECONDS)) {
    throw new InputError(`${namer(name)} '${text}' is not valid; expected seconds (e.g. 60, or 5m)`);
  }
  return value;
}
