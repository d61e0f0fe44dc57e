import {
  InputError,
  loadModelBytes,
  type ModelVersion,
  type Provider,
  type Registry,
  RegistryLookupError,
  type RuntimeLoader,
  sha256,
  validateModelName,
} from '@modelgate/core';
import type { BatchSettings } from './batcher.ts';
import { HttpError } from './http.ts';
import type { ServerLogger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import { VersionRunner } from './runner.ts';
import { TrafficSplit } from './traffic.ts';

/** A version as the admin API names it. */
export interface VersionState {
  version: number;
  sha256: string;
}

/** What a model's roles hold (the admin API's `State`). */
export interface ModelState {
  name: string;
  primary: VersionState | null;
  canary: (VersionState & { percent: number }) | null;
  previous: VersionState | null;
}

export interface HostOptions {
  readonly registry: Registry;
  readonly batching: BatchSettings;
  readonly provider: Provider;
  readonly runtime?: RuntimeLoader;
  readonly metrics: ServerMetrics;
  readonly logger: ServerLogger;
}

/**
 * One served model: the primary version, an optional canary with its share of traffic, and
 * the previous primary, kept loaded and warm so that a rollback is instant and does not depend
 * on the registry being readable at the moment something went wrong.
 */
export class ModelSlot {
  readonly name: string;
  primary: VersionRunner;
  canary: { runner: VersionRunner; split: TrafficSplit } | null = null;
  previous: VersionRunner | null = null;

  constructor(name: string, primary: VersionRunner) {
    this.name = name;
    this.primary = primary;
  }

  /** The version that answers the next unpinned request (the traffic split decides). */
  pick(): VersionRunner {
    const canary = this.canary;
    return canary?.split.next() ? canary.runner : this.primary;
  }

  /** A loaded version that takes traffic (primary or canary), by number. */
  pinned(version: number): VersionRunner | undefined {
    if (this.primary.version === version) return this.primary;
    if (this.canary?.runner.version === version) return this.canary.runner;
    return undefined;
  }

  /** The numbers of the versions that take traffic, for messages. */
  serving(): string {
    const canary = this.canary === null ? '' : ` and canary v${this.canary.runner.version}`;
    return `primary v${this.primary.version}${canary}`;
  }

  state(): ModelState {
    const ref = (runner: VersionRunner): VersionState => ({ version: runner.version, sha256: runner.sha256 });
    return {
      name: this.name,
      primary: ref(this.primary),
      canary:
        this.canary === null ? null : { ...ref(this.canary.runner), percent: this.canary.split.percent },
      previous: this.previous === null ? null : ref(this.previous),
    };
  }
}

/**
 * The models a server holds, and the admin operations on them. Operations on one model run one
 * at a time (a load takes seconds; a promote arriving meanwhile waits for it), and each swap is a
 * synchronous assignment between two requests: a request is answered entirely by the version it
 * was given when it started, old or new, never by a mix and never by a released session.
 */
export class ModelHost {
  readonly #options: HostOptions;
  readonly #slots = new Map<string, ModelSlot>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: HostOptions) {
    this.#options = options;
  }

  slot(name: string): ModelSlot | undefined {
    return this.#slots.get(name);
  }

  names(): string[] {
    return [...this.#slots.keys()].sort();
  }

  /** Ready once at least one model is loaded and warmed. */
  ready(): boolean {
    return this.#slots.size > 0;
  }

  states(): ModelState[] {
    return this.names().map((name) => (this.#slots.get(name) as ModelSlot).state());
  }

  /**
   * Loads a registered version: fetched and checked against its registered sha256, its session
   * created and warmed, and only then swapped in, as primary (the old primary becomes previous)
   * or as the canary with `canaryPercent` of the traffic. Any failure leaves the model as it was.
   */
  load(name: string, version: number, canaryPercent?: number): Promise<ModelState> {
    validateModelName(name);
    return this.#exclusive(name, async () => {
      const slot = this.#slots.get(name);
      if (canaryPercent !== undefined && slot === undefined) {
        throw new HttpError(
          409,
          `model '${name}' has no primary version on this server to split traffic with; load one without canary_percent first`,
        );
      }
      const runner = await this.#prepare(name, version);
      if (this.#closed) {
        await runner.retire();
        throw new HttpError(503, 'the server is shutting down');
      }
      const log = this.#options.logger;
      if (slot === undefined) {
        this.#slots.set(name, new ModelSlot(name, runner));
        log.info(`${name}: loaded v${version} (sha256 ${runner.sha256}) as primary`);
      } else if (canaryPercent === undefined) {
        const dropped = slot.previous;
        slot.previous = slot.primary;
        slot.primary = runner;
        void dropped?.retire();
        log.info(
          `${name}: v${version} is now primary (sha256 ${runner.sha256}); v${slot.previous.version} is kept as previous`,
        );
      } else {
        const replaced = slot.canary?.runner;
        slot.canary = { runner, split: new TrafficSplit(canaryPercent) };
        void replaced?.retire();
        log.info(
          `${name}: v${version} is the canary with ${canaryPercent}% of traffic (sha256 ${runner.sha256})`,
        );
      }
      return this.#publish(name);
    });
  }

  /** Changes the canary's share of traffic. */
  setCanary(name: string, percent: number): Promise<ModelState> {
    return this.#exclusive(name, async () => {
      const slot = this.#require(name);
      if (slot.canary === null) {
        throw new HttpError(
          409,
          `model '${name}' has no canary to send traffic to; load one with canary_percent`,
        );
      }
      slot.canary = { runner: slot.canary.runner, split: new TrafficSplit(percent) };
      this.#options.logger.info(
        `${name}: canary v${slot.canary.runner.version} now takes ${percent}% of traffic`,
      );
      return this.#publish(name);
    });
  }

  /** Makes the canary the primary; the old primary becomes previous. */
  promote(name: string): Promise<ModelState> {
    return this.#exclusive(name, async () => {
      const slot = this.#require(name);
      if (slot.canary === null) throw new HttpError(409, `model '${name}' has no canary to promote`);
      const dropped = slot.previous;
      slot.previous = slot.primary;
      slot.primary = slot.canary.runner;
      slot.canary = null;
      void dropped?.retire();
      this.#options.logger.info(`${name}: promoted canary v${slot.primary.version} to primary`);
      return this.#publish(name);
    });
  }

  /**
   * Drops the canary when there is one; otherwise makes the previous version primary again. The
   * version rolled back from is unloaded, and there is then nothing further to roll back to.
   */
  rollback(name: string): Promise<ModelState> {
    return this.#exclusive(name, async () => {
      const slot = this.#require(name);
      const log = this.#options.logger;
      if (slot.canary !== null) {
        const dropped = slot.canary.runner;
        slot.canary = null;
        void dropped.retire();
        log.info(
          `${name}: rolled back: dropped canary v${dropped.version}; v${slot.primary.version} takes all traffic`,
        );
      } else if (slot.previous !== null) {
        const dropped = slot.primary;
        slot.primary = slot.previous;
        slot.previous = null;
        void dropped.retire();
        log.info(`${name}: rolled back from v${dropped.version} to v${slot.primary.version}`);
      } else {
        throw new HttpError(
          409,
          `model '${name}' has nothing to roll back to: no canary and no previous version (${slot.serving()})`,
        );
      }
      return this.#publish(name);
    });
  }

  /** Unloads everything, each session once its last request has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#queues.values()].map((queue) => queue.catch(() => undefined)));
    const runners = [...this.#slots.values()].flatMap((slot) => [
      slot.primary,
      ...(slot.canary === null ? [] : [slot.canary.runner]),
      ...(slot.previous === null ? [] : [slot.previous]),
    ]);
    this.#slots.clear();
    await Promise.all(runners.map((runner) => runner.retire()));
  }

  /** Resolves, fetches (sha256 checked), loads and warms a version, without touching what is served. */
  async #prepare(name: string, version: number): Promise<VersionRunner> {
    const { registry, provider, runtime, batching, metrics } = this.#options;
    let record: ModelVersion;
    try {
      record = await registry.resolve(name, String(version));
    } catch (error) {
      if (error instanceof RegistryLookupError) {
        throw new HttpError(404, withHint(error), { cause: error });
      }
      if (error instanceof InputError) {
        throw new HttpError(502, `the registry ${registry.location} cannot be read: ${withHint(error)}`, {
          cause: error,
        });
      }
      throw error;
    }

    let bytes: Uint8Array;
    try {
      bytes = await registry.fetchModel(record);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new HttpError(409, `refusing ${name} v${version}: ${withHint(error)}`, { cause: error });
    }
    // The registry checks this too; the server checks again because serving a different file
    // than the one whose verdict passed is the one thing a gated deploy must never do.
    const actual = sha256(bytes);
    if (actual !== record.sha256) {
      throw new HttpError(
        409,
        `refusing ${name} v${version}: its model file has sha256 ${actual}, but the registry recorded ${record.sha256}`,
      );
    }

    const label = `${name} v${version} (sha256 ${record.sha256})`;
    let runner: VersionRunner;
    try {
      // Idle onnxruntime threads must not spin between runs: this process serves HTTP on the same cores.
      const model = await loadModelBytes(bytes, label, {
        provider,
        spinWait: false,
        ...(runtime === undefined ? {} : { runtime }),
      });
      runner = new VersionRunner(record, model, batching, (used, rows) =>
        metrics.batch(used.name, used.versionLabel, rows),
      );
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new HttpError(422, withHint(error), { cause: error });
    }
    try {
      await runner.warm();
    } catch (error) {
      await runner.retire();
      const text = String((error as Error)?.message ?? error).split('\n')[0];
      throw new HttpError(422, `model ${label} failed its warm-up run on zeros: ${text}`, { cause: error });
    }
    return runner;
  }

  #require(name: string): ModelSlot {
    const slot = this.#slots.get(name);
    if (slot === undefined) throw notLoaded(name, this.names());
    return slot;
  }

  #publish(name: string): ModelState {
    const slot = this.#slots.get(name) as ModelSlot;
    const { metrics } = this.#options;
    metrics.setRole(name, 'primary', slot.primary.version);
    metrics.setRole(name, 'canary', slot.canary?.runner.version);
    metrics.setRole(name, 'previous', slot.previous?.version);
    metrics.canaryPercent.set({ model: name }, slot.canary?.split.percent ?? 0);
    return slot.state();
  }

  /** Runs admin operations on one model one after another. */
  #exclusive<T>(name: string, operation: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(name) ?? Promise.resolve();
    const result = before.catch(() => undefined).then(operation);
    const tail = result.catch(() => undefined);
    this.#queues.set(name, tail);
    void tail.then(() => {
      if (this.#queues.get(name) === tail) this.#queues.delete(name);
    });
    return result;
  }
}

/** 404 for a model this server does not hold, naming the ones it does. */
export function notLoaded(name: string, loaded: readonly string[]): HttpError {
  const have = loaded.length === 0 ? 'no model is loaded yet' : `loaded: ${loaded.join(', ')}`;
  return new HttpError(404, `model '${name}' is not loaded on this server (${have})`);
}

/** An InputError's message with its hint, for an HTTP answer (which has one message field). */
function withHint(error: InputError): string {
  return error.hint === undefined ? error.message : `${error.message} (hint: ${error.hint})`;
}
