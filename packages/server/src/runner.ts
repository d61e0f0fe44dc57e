import type { LoadedModel, ModelVersion } from '@modelgate/core';
import type { Tensor } from 'onnxruntime-node';
import { Batcher, type BatchSettings, type RawTensor } from './batcher.ts';
import { HttpError } from './http.ts';
import { type DecodedInput, type InferRequest, type OutputTensor, tensorOutputs } from './tensors.ts';

/**
 * One loaded version of a model: its session, its batcher, and a count of the requests running
 * on it. A request takes a reference before its first await and gives it back when it has its
 * answer, so a version swapped out keeps its session until the last request that started on it
 * has finished; only then is the session released. That is what makes a swap lose nothing.
 */
export class VersionRunner {
  readonly name: string;
  readonly version: number;
  /** The version as metrics, headers and answers write it. */
  readonly versionLabel: string;
  readonly sha256: string;
  /**
   * The feature names of the registered evaluation's data, when it names them (the request log
   * writes them instead of `input_j`).
   */
  readonly featureNames: readonly string[] | undefined;
  readonly model: LoadedModel;
  readonly #batcher: Batcher;
  #inFlight = 0;
  #retired = false;
  #released: Promise<void> | undefined;
  readonly #drained: Array<() => void> = [];

  constructor(
    record: Pick<ModelVersion, 'name' | 'version' | 'sha256'> & Partial<Pick<ModelVersion, 'evaluation'>>,
    model: LoadedModel,
    batching: BatchSettings,
    observeBatch: (runner: VersionRunner, rows: number) => void,
  ) {
    this.name = record.name;
    this.version = record.version;
    this.versionLabel = String(record.version);
    this.featureNames = record.evaluation?.data?.features;
    this.sha256 = record.sha256;
    this.model = model;
    const stackable = model.inputs.every((input) => isSymbolic(input.shape[0]));
    this.#batcher = new Batcher(
      batching,
      (inputs, outputs) => this.#run(inputs, outputs),
      stackable,
      (rows) => observeBatch(this, rows),
    );
  }

  /** Requests running on this version now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True once the session has been released (after retirement and the last request). */
  get released(): boolean {
    return this.#released !== undefined;
  }

  /** Takes a reference for one request. Call it synchronously after choosing this runner. */
  acquire(): void {
    if (this.#released !== undefined)
      throw new Error(`${this.name} v${this.version} was used after its release`);
    this.#inFlight++;
  }

  /** Gives a request's reference back; the last one out of a retired version releases it. */
  release(): void {
    this.#inFlight--;
    if (this.#retired && this.#inFlight === 0) void this.#releaseSession();
  }

  /**
   * Takes this version out of service: its session is released once no request is running on
   * it. The promise settles then.
   */
  retire(): Promise<void> {
    this.#retired = true;
    // Requests queued for a batch hold references: run them now rather than at their timer.
    this.#batcher.flushAll();
    if (this.#inFlight === 0) return this.#releaseSession();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Answers a checked request (batched with others when possible). */
  infer(request: InferRequest): Promise<OutputTensor[]> {
    return this.#batcher.infer(request);
  }

  /**
   * Runs the session once before it takes traffic, so the first request does not pay for lazy
   * initialisation (kernel selection, memory arenas): on zero rows of the declared shape, or on
   * one row of zeros for a model that cannot take an empty batch.
   */
  async warm(): Promise<void> {
    const outputs = tensorOutputs(this.model);
    try {
      await this.#run(zeroFeeds(this.model, 0), outputs);
    } catch {
      await this.#run(zeroFeeds(this.model, 1), outputs);
    }
  }

  async #run(
    inputs: readonly DecodedInput[],
    outputs: readonly string[],
  ): Promise<Record<string, RawTensor>> {
    const { runtime, session } = this.model;
    const feeds: Record<string, Tensor> = {};
    for (const input of inputs) {
      feeds[input.name] = new runtime.Tensor(input.type as 'float32', input.data as Float32Array, [
        ...input.shape,
      ]);
    }
    try {
      return (await session.run(feeds, [...outputs])) as Record<string, RawTensor>;
    } catch (error) {
      const text = String((error as Error)?.message ?? error).split('\n')[0];
      throw new HttpError(400, `model ${this.name} v${this.version} failed on these inputs: ${text}`, {
        cause: error,
      });
    }
  }

  #releaseSession(): Promise<void> {
    this.#released ??= this.model.session
      .release()
      .catch(() => {
        // Nothing is left to use it; a failed release only leaks memory until the process exits.
      })
      .then(() => {
        for (const resolve of this.#drained.splice(0)) resolve();
      });
    return this.#released;
  }
}

/** A dimension that can take any size: a name like `N`, or a negative number. */
function isSymbolic(dim: number | string | undefined): boolean {
  return typeof dim === 'string' || (typeof dim === 'number' && dim < 0);
}

/** Zero-filled inputs of the model's declared shapes, with `rows` in each symbolic first dimension. */
function zeroFeeds(model: LoadedModel, rows: number): DecodedInput[] {
  return model.inputs.map((input) => {
    const shape = input.shape.map((dim, i) => (isSymbolic(dim) ? (i === 0 ? rows : 1) : (dim as number)));
    const size = shape.reduce((a, b) => a * b, 1);
    const data =
      input.type === 'int64'
        ? new BigInt64Array(size)
        : input.type === 'int32'
          ? new Int32Array(size)
          : input.type === 'float64'
            ? new Float64Array(size)
            : new Float32Array(size);
    return { name: input.name, type: input.type, shape, data };
  });
}
