import type { FeatureRows } from '../data/table.ts';
import { InputError } from '../kernel/errors.ts';
import { type LoadedModel, tensorToFloat64, type ValueInfo } from './model.ts';

/** Output names that mean "class probabilities" win when a model has several outputs (CONTRACT.md). */
const PROBABILITY_OUTPUT = /^(probabilities|probability|probs?|scores?|output_probability)$/i;

/** Rows timed one at a time for the latency percentiles: enough for a stable p99, cheap on any model. */
const LATENCY_SAMPLE_ROWS = 200;
const LATENCY_WARMUP_RUNS = 10;

export const DEFAULT_BATCH_SIZE = 8192;

/**
 * The rows {@link predict} runs one at a time after its batched pass, in order: the warm-up runs
 * (the first rows), then the timed sample, spread evenly over the rows. A streamed input keeps
 * these rows' features aside, since it cannot go back for them.
 */
export function singleRowRuns(rows: number): number[] {
  const sample = Math.min(LATENCY_SAMPLE_ROWS, rows);
  const warmups = Array.from({ length: Math.min(LATENCY_WARMUP_RUNS, rows) }, (_, w) => w);
  return [...warmups, ...Array.from({ length: sample }, (_, s) => Math.floor((s * rows) / sample))];
}

/**
 * Chooses the model output to score, as CONTRACT.md says: `--output` when given; else the only
 * numeric tensor; else the one named like probabilities / probs / scores.
 */
export function chooseOutput(model: LoadedModel, requested: string | undefined): ValueInfo {
  const names = model.outputs.map((o) => o.name);
  if (requested !== undefined) {
    const output = model.outputs.find((o) => o.name === requested);
    if (output === undefined) {
      throw new InputError(
        `model ${model.path} has no output '${requested}'; its outputs are: ${names.join(', ')}`,
      );
    }
    if (output.type === 'non-tensor') throw zipMapError(model, output);
    return output;
  }
  const tensors = model.outputs.filter((o) => o.type !== 'non-tensor' && o.type !== 'string');
  const floats = tensors.filter((o) => o.type === 'float32' || o.type === 'float64' || o.type === 'float16');
  const named = floats.find((o) => PROBABILITY_OUTPUT.test(o.name));
  if (named !== undefined) return named;
  if (floats.length === 1) return floats[0] as ValueInfo;
  if (floats.length === 0 && tensors.length === 1) return tensors[0] as ValueInfo;
  if (tensors.length === 0) {
    const map = model.outputs.find((o) => o.type === 'non-tensor');
    if (map !== undefined) throw zipMapError(model, map);
    throw new InputError(`model ${model.path} has no numeric tensor output (outputs: ${names.join(', ')})`);
  }
  throw new InputError(
    `model ${model.path} has several outputs (${names.join(', ')}) and none is named like probabilities`,
    { hint: `choose one with --output, e.g. --output ${(floats[0] ?? tensors[0])?.name}` },
  );
}

function zipMapError(model: LoadedModel, output: ValueInfo): InputError {
  return new InputError(
    `model ${model.path} output '${output.name}' is a ZipMap (a sequence of maps), which onnxruntime-node cannot return`,
    {
      hint: 're-export the classifier without ZipMap (skl2onnx: options={id(model): {"zipmap": False}}) so probabilities come back as a [N, C] tensor',
    },
  );
}

export interface Prediction {
  readonly output: ValueInfo;
  /** Row-major [rows × columns], converted to float64. */
  readonly values: Float64Array;
  readonly columns: number;
  /** Wall time of the batched pass over every row. */
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Single-row request latencies, in milliseconds, sorted. */
  readonly latenciesMs: Float64Array;
}

/**
 * Runs the model over every row in batches, then times single-row requests on a sample of rows
 * for the latency percentiles (what a caller of the deployed model would see).
 */
export async function predict(
  model: LoadedModel,
  features: FeatureRows,
  output: ValueInfo,
  batchSize: number,
): Promise<Prediction> {
  const featureCount = features.width;
  const input = model.inputs[0];
  if (input === undefined || model.inputs.length !== 1) {
    throw new InputError(
      `model ${model.path} has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}); modelgate feeds one [N, features] tensor`,
    );
  }
  checkInput(model, input, featureCount);
  const rows = features.rows;
  const { runtime, session } = model;
  const asFloat64 = input.type === 'float64';
  // One batch of the input at a time, in two buffers the runs take turns with: while the model
  // runs on one (on onnxruntime's threads), the next batch is copied into the other (for a
  // streamed file, parsed: the parse and the model overlap).
  const capacity = Math.min(rows, batchSize) * featureCount;
  const buffers = [new Float32Array(capacity), new Float32Array(rows > batchSize ? capacity : 0)] as const;

  /** Runs the model on rows [start, end), already copied into `buffer`. */
  const runCopied = async (start: number, end: number, buffer: Float32Array) => {
    const slice = buffer.subarray(0, (end - start) * featureCount);
    const data = asFloat64 ? Float64Array.from(slice) : slice;
    const tensor = new runtime.Tensor(asFloat64 ? 'float64' : 'float32', data, [end - start, featureCount]);
    let result: Awaited<ReturnType<typeof session.run>>;
    try {
      result = await session.run({ [input.name]: tensor }, [output.name]);
    } catch (error) {
      throw new InputError(`model ${model.path} failed on rows ${start + 1}-${end}: ${firstLine(error)}`, {
        cause: error,
      });
    } finally {
      tensor.dispose();
    }
    const out = result[output.name];
    if (out === undefined) throw new Error(`onnxruntime returned no '${output.name}'`);
    return out;
  };
  const run = (start: number, end: number) => {
    features.copy(start, end, buffers[0]);
    return runCopied(start, end, buffers[0]);
  };

  // An input parsed on other threads fills its batches while the model runs; any other is copied.
  const fill = features.fill?.bind(features);

  let values: Float64Array | undefined;
  let columns = 1;
  const began = performance.now();
  if (rows > 0) {
    if (fill !== undefined) await fill(0, Math.min(rows, batchSize), buffers[0]);
    else features.copy(0, Math.min(rows, batchSize), buffers[0]);
  }
  for (let start = 0, turn = 0; start < rows; start += batchSize, turn ^= 1) {
    const end = Math.min(rows, start + batchSize);
    const running = runCopied(start, end, turn === 0 ? buffers[0] : buffers[1]);
    if (end < rows) {
      try {
        const next = turn === 0 ? buffers[1] : buffers[0];
        if (fill !== undefined) await fill(end, Math.min(rows, end + batchSize), next);
        else features.copy(end, Math.min(rows, end + batchSize), next);
      } catch (error) {
        // The run in flight still settles; its result is not wanted.
        await running.then(
          (out) => out.dispose(),
          () => undefined,
        );
        throw error;
      }
    }
    const out = await running;
    const dims = out.dims;
    const width = dims.length <= 1 ? 1 : dims.slice(1).reduce((a, b) => a * b, 1);
    if (values === undefined) {
      columns = width;
      values = new Float64Array(rows * width);
    } else if (width !== columns) {
      throw new Error(`output '${output.name}' changed width between batches (${columns} then ${width})`);
    }
    if (out.type === 'string') {
      throw new InputError(
        `model ${model.path} output '${output.name}' is a string tensor; choose a numeric output with --output`,
      );
    }
    // Float outputs convert to float64 inside set(); others (int64, bool) go through a copy.
    const data = out.data;
    values.set(
      data instanceof Float32Array || data instanceof Float64Array ? data : tensorToFloat64(out),
      start * width,
    );
    out.dispose();
  }
  const seconds = (performance.now() - began) / 1000;

  const sample = Math.min(LATENCY_SAMPLE_ROWS, rows);
  const latencies = new Float64Array(sample);
  const singles = singleRowRuns(rows);
  const warmups = singles.length - sample;
  for (let w = 0; w < warmups; w++) (await run(singles[w] as number, (singles[w] as number) + 1)).dispose();
  for (let s = 0; s < sample; s++) {
    const row = singles[warmups + s] as number;
    const t0 = performance.now();
    (await run(row, row + 1)).dispose();
    latencies[s] = performance.now() - t0;
  }
  latencies.sort();

  return {
    output,
    values: values ?? new Float64Array(0),
    columns,
    seconds,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
    latenciesMs: latencies,
  };
}

function checkInput(
  model: LoadedModel,
  input: { name: string; type: string; shape: ReadonlyArray<number | string> },
  featureCount: number,
): void {
  if (input.type !== 'float32' && input.type !== 'float64') {
    throw new InputError(
      `model ${model.path} input '${input.name}' is ${input.type}; modelgate feeds float32 (or float64) features`,
    );
  }
  const width = input.shape.length === 2 ? input.shape[1] : undefined;
  if (input.shape.length > 2) {
    throw new InputError(
      `model ${model.path} input '${input.name}' has shape [${input.shape.join(', ')}]; modelgate feeds [N, features]`,
    );
  }
  if (typeof width === 'number' && width !== featureCount) {
    throw new InputError(
      `model ${model.path} expects ${width} features (input '${input.name}' shape [${input.shape.join(', ')}]) but ${featureCount} feature columns were selected`,
      {
        hint: 'choose the feature columns with --features c1,c2,… (default: every column but the label and slice columns)',
      },
    );
  }
}

/** Nearest-rank percentile of sorted values (the convention latency dashboards use). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

function firstLine(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  return (text.split('\n')[0] ?? text).trim();
}
