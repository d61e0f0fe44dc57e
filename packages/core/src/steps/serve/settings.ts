import { type ConfigFile, registrySpecFrom } from '../../config/file.ts';
import type { Provider } from '../../inference/model.ts';
import { InputError } from '../../kernel/errors.ts';
import { type OptionNamer, parseChoice, parseInteger } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of `modelgate serve`. */
export const SERVE_OPTIONS = {
  port: 'string',
  host: 'string',
  'grpc-port': 'string',
  registry: 'string',
  'admin-token-file': 'string',
  model: 'strings',
  'max-batch': 'string',
  'max-wait-ms': 'string',
  'max-body-bytes': 'string',
  provider: 'string',
  'log-requests': 'string',
  'log-sample': 'string',
  'log-max-bytes': 'string',
  quiet: 'boolean',
} as const satisfies OptionTable;

/** The server's defaults (the server package takes them from here). */
export const SERVE_DEFAULTS = {
  /** The port of the config example's `deploy: { url: http://127.0.0.1:8080 }` (CONTRACT.md). */
  port: 8080,
  /** Loopback only unless told otherwise: the admin API must not face a network by accident. */
  host: '127.0.0.1',
  /**
   * 64 rows fill the vector units of a small model's matrix products while keeping one run well
   * under a millisecond.
   */
  maxBatch: 64,
  /** A bound on a queued row's wait, not a delay: a request to an idle model runs at once. */
  maxWaitMs: 2,
  /**
   * A million float values (10,000 rows of 100 features) take about 20 MB as JSON; 32 MiB holds
   * that with room, and bounds what one unauthenticated request can make the server hold.
   */
  maxBodyBytes: 32 * 1024 * 1024,
  /**
   * A tenth of requests: plenty for drift tests at any traffic that makes logging cost anything
   * (1,600 rows/s at 16,000 requests/s), and measured at 0.98× the throughput of logging off,
   * where logging every request costs 0.71× on a small CPU-bound machine (bench/server.ts).
   */
  logSample: 0.1,
  /** The request log's files together never pass 1 GiB. */
  logMaxBytes: 1024 * 1024 * 1024,
  /** The smallest cap: room for a few files of a few dozen rows each. */
  logMinBytes: 64 * 1024,
} as const;

/** The longest --max-wait-ms: past a minute a request would time out at any client first. */
const MAX_WAIT_LIMIT_MS = 60_000;

export interface ServeSettings {
  readonly port: number;
  readonly host: string;
  /** Off when absent. */
  readonly grpcPort: number | undefined;
  /** `fs:PATH` or `github:OWNER/REPO`: the flag, else the config's `registry:`, else the default. */
  readonly registry: string;
  /** How the registry was named, for its errors (`--registry` or `registry`). */
  readonly registryNamedBy: string;
  readonly adminTokenFile: string | undefined;
  /** `NAME@REF`s loaded before the server says it listens. */
  readonly preload: readonly string[];
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxBodyBytes: number;
  readonly provider: Provider;
  /** Sampled requests go to JSON Lines files in `dir`; off when absent. */
  readonly logRequests:
    | { readonly dir: string; readonly sample: number; readonly maxBytes: number }
    | undefined;
  readonly quiet: boolean;
}

/** The only reader of serve's options: each flag, else the config file's `registry:`, else the default. */
export function serveSettingsFrom(
  raw: RawOptions<typeof SERVE_OPTIONS>,
  config: ConfigFile,
  namer: OptionNamer,
): ServeSettings {
  const host = raw.host ?? SERVE_DEFAULTS.host;
  if (host.trim() === '')
    throw new InputError(`${namer('host')} needs an address, like 127.0.0.1 or 0.0.0.0`);
  const given = (value: string | undefined) => value !== undefined && value.trim() !== '';
  const logDir = raw['log-requests'];
  if (!given(logDir)) {
    for (const option of ['log-sample', 'log-max-bytes'] as const) {
      if (given(raw[option])) throw new InputError(`${namer(option)} needs ${namer('log-requests')} DIR`);
    }
  }
  const registryNamedBy = given(raw.registry) ? namer('registry') : 'registry';
  return {
    port: parseInteger('port', raw.port, SERVE_DEFAULTS.port, namer, 0, 65_535),
    host,
    grpcPort: given(raw['grpc-port'])
      ? parseInteger('grpc-port', raw['grpc-port'], 0, namer, 0, 65_535)
      : undefined,
    registry: registrySpecFrom(raw.registry, config),
    registryNamedBy,
    adminTokenFile: raw['admin-token-file'],
    preload: raw.model ?? [],
    maxBatch: parseInteger('max-batch', raw['max-batch'], SERVE_DEFAULTS.maxBatch, namer, 1),
    maxWaitMs: parseWait(raw['max-wait-ms'], namer),
    maxBodyBytes: parseInteger(
      'max-body-bytes',
      raw['max-body-bytes'],
      SERVE_DEFAULTS.maxBodyBytes,
      namer,
      1,
    ),
    provider: parseChoice('provider', raw.provider, ['auto', 'cpu', 'cuda'], namer) ?? 'cpu',
    logRequests: given(logDir)
      ? {
          dir: (logDir as string).trim(),
          sample: parseSample(raw['log-sample'], namer),
          maxBytes: parseInteger(
            'log-max-bytes',
            raw['log-max-bytes'],
            SERVE_DEFAULTS.logMaxBytes,
            namer,
            SERVE_DEFAULTS.logMinBytes,
          ),
        }
      : undefined,
    quiet: raw.quiet === true || raw.quiet === 'true',
  };
}

function parseWait(value: string | undefined, namer: OptionNamer): number {
  if (value === undefined || value.trim() === '') return SERVE_DEFAULTS.maxWaitMs;
  const ms = Number(value);
  if (!(ms >= 0 && ms <= MAX_WAIT_LIMIT_MS)) {
    throw new InputError(
      `${namer('max-wait-ms')} '${value}' is not valid; expected milliseconds from 0 to ${MAX_WAIT_LIMIT_MS}, like 2`,
    );
  }
  return ms;
}

/** A share of requests in (0, 1]: 1 logs every request. */
function parseSample(value: string | undefined, namer: OptionNamer): number {
  if (value === undefined || value.trim() === '') return SERVE_DEFAULTS.logSample;
  const share = Number(value);
  if (!(share > 0 && share <= 1)) {
    throw new InputError(
      `${namer('log-sample')} '${value}' is not valid; expected a share of requests above 0 and at most 1, like 0.1`,
    );
  }
  return share;
}
