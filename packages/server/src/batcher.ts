import {
  type DecodedInput,
  encodeOutput,
  type InferRequest,
  type InputData,
  type OutputTensor,
} from './tensors.ts';

/**
 * Dynamic batching settings. A request runs at once when the session is idle; requests that
 * arrive while a run is in flight queue, and the queue runs when the session goes idle, when it
 * holds `maxBatch` rows, or when its first row has waited `maxWaitMs`, whichever comes first.
 */
export interface BatchSettings {
  /** Rows per session run; 1 turns batching off. */
  readonly maxBatch: number;
  /**
   * The longest a queued row waits for the run in flight to finish: a bound, not a delay (a
   * request to an idle session never waits). 0 runs a queue at the end of its event-loop turn.
   */
  readonly maxWaitMs: number;
}

/** A session output as the batcher needs it (an onnxruntime Tensor fits). */
export interface RawTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<unknown>;
}

/** One session run over some inputs, returning the named outputs. */
export type RunFeeds = (
  inputs: readonly DecodedInput[],
  outputs: readonly string[],
) => Promise<Record<string, RawTensor>>;

interface Pending {
  readonly request: InferRequest;
  readonly rows: number;
  readonly resolve: (outputs: OutputTensor[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Group {
  readonly key: string;
  readonly items: Pending[];
  rows: number;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
}

/**
 * Gathers concurrent single- and few-row requests into one session run, then hands each request
 * its own rows back. A session call costs a fixed overhead (argument marshalling, operator
 * dispatch, thread-pool wake-up) that dwarfs a few rows of a small model, so under load one run
 * of 64 rows serves 64 requests for little more than the price of one.
 *
 * Batching is adaptive: a request that finds the session idle and no queue runs at once, so a
 * lone client never pays a wait. The requests that arrive while a run is in flight queue, and
 * run together in the event-loop turn it ends. The heavier the load, the more each batch
 * gathers; `maxWaitMs` only bounds how long a queued row waits on a slow run.
 *
 * Requests only share a run when they agree on everything but the row count: the same outputs
 * and the same trailing dimensions for every input. A run whose outputs do not have one row per
 * input row (a model that aggregates over the batch) cannot be split, so its requests are run
 * again one by one; so are the requests of a batched run that failed, so that one bad request
 * fails alone.
 */
export class Batcher {
  readonly #settings: BatchSettings;
  readonly #run: RunFeeds;
  /** False when the model fixes its first dimension: then rows cannot be stacked. */
  readonly #stackable: boolean;
  readonly #observe: (rows: number) => void;
  /** Queued requests, by what they must agree on to share a run. */
  readonly #groups = new Map<string, Group>();
  /** Session runs in flight; the session is idle at 0. */
  #running = 0;

  constructor(settings: BatchSettings, run: RunFeeds, stackable: boolean, observe: (rows: number) => void) {
    this.#settings = settings;
    this.#run = run;
    this.#stackable = stackable;
    this.#observe = observe;
  }

  /** Runs a request: at once when the session is idle, else batched with the others that wait. */
  infer(request: InferRequest): Promise<OutputTensor[]> {
    const rows = batchRows(request);
    if (!this.#stackable || rows === undefined || rows >= this.#settings.maxBatch)
      return this.#direct(request);
    // Nothing running, nothing waiting: this request has no one to wait for.
    if (this.#running === 0 && this.#groups.size === 0) return this.#direct(request);
    return new Promise((resolve, reject) => {
      const key = groupKey(request);
      let group = this.#groups.get(key);
      if (group !== undefined && group.rows + rows > this.#settings.maxBatch) {
        this.#flush(group);
        group = undefined;
      }
      if (group === undefined) {
        group = { key, items: [], rows: 0, timer: undefined };
        this.#groups.set(key, group);
        const queued = group;
        // A busy session runs the group when its runs end (see #session), or when the first row
        // has waited maxWaitMs; an idle one whose queue is about to run, at the end of this turn.
        group.timer =
          this.#running === 0 || this.#settings.maxWaitMs === 0
            ? setImmediate(() => this.#flush(queued))
            : setTimeout(() => this.#flush(queued), this.#settings.maxWaitMs);
      }
      group.items.push({ request, rows, resolve, reject });
      group.rows += rows;
      if (group.rows >= this.#settings.maxBatch) this.#flush(group);
    });
  }

  /** Runs every queued request now (on shutdown, so nothing waits on a run or a timer that no longer matters). */
  flushAll(): void {
    for (const group of [...this.#groups.values()]) this.#flush(group);
  }

  /**
   * One session run, counted. When the last run in flight ends, the queue runs at the end of
   * that event-loop turn, so that the requests read in it (the ones that arrived while the run
   * held this thread: onnxruntime-node runs on it) join the queue rather than start a run alone.
   */
  async #session(
    inputs: readonly DecodedInput[],
    outputs: readonly string[],
  ): Promise<Record<string, RawTensor>> {
    this.#running++;
    try {
      return await this.#run(inputs, outputs);
    } finally {
      this.#running--;
      if (this.#running === 0 && this.#groups.size > 0) setImmediate(() => this.flushAll());
    }
  }

  async #direct(request: InferRequest): Promise<OutputTensor[]> {
    const outputs = await this.#session(request.inputs, request.outputs);
    this.#observe(request.inputs[0]?.shape[0] ?? 0);
    return request.outputs.map((name) => {
      const tensor = outputs[name] as RawTensor;
      return encodeOutput(name, tensor.type, tensor.dims, tensor.data);
    });
  }

  #flush(group: Group): void {
    if (this.#groups.get(group.key) !== group) return;
    this.#groups.delete(group.key);
    if (group.timer !== undefined) {
      clearTimeout(group.timer as NodeJS.Timeout);
      clearImmediate(group.timer as NodeJS.Immediate);
    }
    void this.#runGroup(group.items, group.rows);
  }

  async #runGroup(items: Pending[], rows: number): Promise<void> {
    if (items.length === 1) {
      const [only] = items as [Pending];
      this.#direct(only.request).then(only.resolve, only.reject);
      return;
    }
    const first = (items[0] as Pending).request;
    let outputs: Record<string, RawTensor>;
    try {
      outputs = await this.#session(stack(items), first.outputs);
    } catch {
      this.#oneByOne(items);
      return;
    }
    if (!first.outputs.every((name) => outputs[name]?.dims[0] === rows)) {
      this.#oneByOne(items);
      return;
    }
    this.#observe(rows);
    let offset = 0;
    for (const item of items) {
      item.resolve(
        first.outputs.map((name) => sliceRows(name, outputs[name] as RawTensor, offset, item.rows)),
      );
      offset += item.rows;
    }
  }

  #oneByOne(items: Pending[]): void {
    for (const item of items) this.#direct(item.request).then(item.resolve, item.reject);
  }
}

/** The rows of a request: the first dimension, when every input agrees on it. */
function batchRows(request: InferRequest): number | undefined {
  const rows = request.inputs[0]?.shape[0];
  if (rows === undefined || rows === 0) return undefined;
  return request.inputs.every((input) => input.shape.length >= 1 && input.shape[0] === rows)
    ? rows
    : undefined;
}

/** Requests share a run only when they agree on the outputs and every input's trailing dimensions. */
function groupKey(request: InferRequest): string {
  const inputs = request.inputs.map((input) => `${input.name}:${input.shape.slice(1).join('x')}`);
  return `${request.outputs.join(',')}|${inputs.join('|')}`;
}

/** The queued requests' inputs, stacked along the first dimension. */
function stack(items: readonly Pending[]): DecodedInput[] {
  const first = (items[0] as Pending).request;
  const rows = items.reduce((sum, item) => sum + item.rows, 0);
  return first.inputs.map((input, index) => {
    const length = items.reduce(
      (sum, item) => sum + (item.request.inputs[index] as DecodedInput).data.length,
      0,
    );
    const data = new (input.data.constructor as new (length: number) => InputData)(length);
    let offset = 0;
    for (const item of items) {
      const part = (item.request.inputs[index] as DecodedInput).data;
      (data as Float32Array).set(part as Float32Array, offset);
      offset += part.length;
    }
    return { name: input.name, type: input.type, shape: [rows, ...input.shape.slice(1)], data };
  });
}

function sliceRows(name: string, tensor: RawTensor, start: number, rows: number): OutputTensor {
  const rest = tensor.dims.slice(1);
  const width = rest.reduce((a, b) => a * b, 1);
  const data = tensor.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<unknown> } & {
    slice: (a: number, b: number) => ArrayLike<unknown>;
  };
  const from = start * width;
  const to = (start + rows) * width;
  const part = typeof data.subarray === 'function' ? data.subarray(from, to) : data.slice(from, to);
  return encodeOutput(name, tensor.type, [rows, ...rest], part);
}
