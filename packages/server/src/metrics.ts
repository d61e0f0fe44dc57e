import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Infer latencies from sub-millisecond (a small model on loopback) to seconds (a large batch). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Powers of two, as batch sizes are usually configured. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** Version label of a request that no version answered (an unknown model, a body that is not JSON). */
export const NO_VERSION = 'none';

/** One model version's series, looked up once: prom-client hashes the label values on every call otherwise. */
interface VersionSeries {
  readonly latency: { observe(seconds: number): void };
  readonly batchSize: { observe(rows: number): void };
  /** By HTTP status. */
  readonly requests: Map<number, { inc(): void }>;
}

/**
 * The server's Prometheus metrics, in a registry of its own: several servers in one process
 * (the tests, an embedding application) never see each other's numbers, and nothing here
 * touches prom-client's global registry.
 */
export class ServerMetrics {
  readonly registry = new Registry();

  /** Infer requests by model, answering version and HTTP status. */
  readonly requests = new Counter({
    name: 'modelgate_infer_requests_total',
    help: 'Infer requests, by model, the version that answered, and HTTP status',
    labelNames: ['model', 'version', 'status'] as const,
    registers: [this.registry],
  });

  readonly latency = this.#byVersion(
    'modelgate_infer_duration_seconds',
    'Infer request latency from the first byte read to the answer written, in seconds',
    LATENCY_BUCKETS,
  );

  readonly batchSize = this.#byVersion(
    'modelgate_batch_size',
    'Rows per inference session run (dynamic batching gathers concurrent requests into one run)',
    BATCH_BUCKETS,
  );

  readonly loadedVersion = new Gauge({
    name: 'modelgate_loaded_version',
    help: 'The version loaded in each role (primary, canary, previous); absent when the role is empty',
    labelNames: ['model', 'role'] as const,
    registers: [this.registry],
  });

  readonly canaryPercent = new Gauge({
    name: 'modelgate_canary_percent',
    help: "Percent of a model's traffic sent to its canary",
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly adminOperations = new Counter({
    name: 'modelgate_admin_operations_total',
    help: 'Admin operations (load, canary, promote, rollback) by model and outcome (HTTP status)',
    labelNames: ['model', 'operation', 'status'] as const,
    registers: [this.registry],
  });

  /** Rows the request log left out because its queue was full (the disk or the formatting fell behind). */
  readonly requestLogDropped = new Counter({
    name: 'modelgate_request_log_dropped_rows_total',
    help: 'Sampled input rows the request log dropped because its bounded queue was full',
    registers: [this.registry],
  });

  /** Rows the request log wrote. */
  readonly requestLogRows = new Counter({
    name: 'modelgate_request_log_rows_total',
    help: 'Input rows the request log wrote to its JSON Lines files',
    registers: [this.registry],
  });

  readonly #series = new Map<string, VersionSeries>();

  /** Counts one infer request and observes its latency. */
  infer(model: string, version: string, status: number, seconds: number): void {
    const series = this.#of(model, version);
    let counter = series.requests.get(status);
    if (counter === undefined) {
      counter = this.requests.labels(model, version, String(status));
      series.requests.set(status, counter);
    }
    counter.inc();
    series.latency.observe(seconds);
  }

  /** Observes the rows of one session run. */
  batch(model: string, version: string, rows: number): void {
    this.#of(model, version).batchSize.observe(rows);
  }

  /** Sets a role's version gauge, or removes it when the role is empty. */
  setRole(model: string, role: 'primary' | 'canary' | 'previous', version: number | undefined): void {
    if (version === undefined) this.loadedVersion.remove({ model, role });
    else this.loadedVersion.set({ model, role }, version);
  }

  #of(model: string, version: string): VersionSeries {
    // Model names cannot hold a newline (validateModelName), so the key is unambiguous.
    const key = `${model}\n${version}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        latency: this.latency.labels(model, version),
        batchSize: this.batchSize.labels(model, version),
        requests: new Map(),
      };
      this.#series.set(key, series);
    }
    return series;
  }

  #byVersion(name: string, help: string, buckets: number[]) {
    return new Histogram({
      name,
      help,
      labelNames: ['model', 'version'] as const,
      buckets,
      registers: [this.registry],
    });
  }
}
