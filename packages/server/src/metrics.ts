import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Infer latencies from sub-millisecond (a small model on loopback) to seconds (a large batch). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Powers of two, as batch sizes are usually configured. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** Version label of a request that no version answered (an unknown model, a body that is not JSON). */
export const NO_VERSION = 'none';

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

  readonly latency = new Histogram({
    name: 'modelgate_infer_duration_seconds',
    help: 'Infer request latency from the first byte read to the answer written, in seconds',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'modelgate_batch_size',
    help: 'Rows per inference session run (dynamic batching gathers concurrent requests into one run)',
    labelNames: ['model', 'version'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

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

  /** Sets a role's version gauge, or removes it when the role is empty. */
  setRole(model: string, role: 'primary' | 'canary' | 'previous', version: number | undefined): void {
    if (version === undefined) this.loadedVersion.remove({ model, role });
    else this.loadedVersion.set({ model, role }, version);
  }
}
