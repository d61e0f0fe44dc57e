import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { InputError } from '../kernel/errors.ts';
import { readInputFile, sha256 } from '../kernel/fs.ts';
import { type ModelClasses, modelClasses } from './onnx-classes.ts';
import { importOnnxRuntime, type OnnxRuntime, type RuntimeLoader } from './runtime.ts';

export type Provider = 'auto' | 'cpu' | 'cuda';

/** A model input or output as the ONNX graph declares it. */
export interface ValueInfo {
  readonly name: string;
  /** `float32`, `int64`, … for tensors; `non-tensor` for sequences and maps (ZipMap). */
  readonly type: string;
  /** Dimensions: a number, or the name of a symbolic dimension such as "N". */
  readonly shape: ReadonlyArray<number | string>;
}

export interface LoadedModel {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** The execution provider the session really uses. */
  readonly provider: 'cpu' | 'cuda';
  /** Why the provider differs from the one asked for, when it does. */
  readonly providerNote: string | undefined;
  /** The class labels the model names, in the order of its probability columns (onnx-classes.ts). */
  readonly classes?: ModelClasses;
  readonly session: InferenceSession;
  readonly runtime: OnnxRuntime;
}

export interface LoadOptions {
  readonly provider: Provider;
  readonly runtime?: RuntimeLoader;
  /**
   * Whether idle intra-op threads spin, waiting for the next run (onnxruntime's default, and
   * right for back-to-back batches). A server does HTTP work between runs on the same cores, so
   * it turns this off: spinning threads there halved its requests per CPU second.
   */
  readonly spinWait?: boolean;
}

/**
 * Loads an ONNX model and creates its inference session. A file that is not a valid ONNX
 * model is an InputError that names it; `cuda` that cannot start falls back to CPU and says so.
 */
export async function loadModel(path: string, options: LoadOptions): Promise<LoadedModel> {
  const bytes = await readInputFile(path, 'model file');
  return loadModelBytes(bytes, path, options);
}

/**
 * Creates an inference session from a model's bytes already in memory (the model server gets
 * them from the registry, verified). `label` names the model in errors and becomes `path`.
 */
export async function loadModelBytes(
  bytes: Uint8Array,
  label: string,
  options: LoadOptions,
): Promise<LoadedModel> {
  const path = label;
  if (bytes.length === 0) throw new InputError(`model file ${path} is empty`);
  const runtime = await (options.runtime ?? importOnnxRuntime)();
  // onnxruntime's own logger prints native error lines (e.g. a failed CUDA start) that we
  // already turn into a clear message or a fallback note.
  runtime.env.logLevel = 'fatal';
  const digest = sha256(bytes);

  const create = (providers: string[]) =>
    runtime.InferenceSession.create(bytes, {
      executionProviders: providers,
      // A failed CUDA start logs a native error line before it throws; we report it ourselves.
      logSeverityLevel: providers.includes('cuda') ? 4 : 3,
      // Batched scoring is one operator stream at a time: parallelism belongs inside
      // operators, on every core; more inter-op threads only contend with them.
      intraOpNumThreads: availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...(options.spinWait === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });

  let session: InferenceSession | undefined;
  let provider: 'cpu' | 'cuda' = 'cpu';
  let providerNote: string | undefined;
  const wantsCuda = options.provider === 'cuda' || (options.provider === 'auto' && cudaProviderInstalled());
  if (wantsCuda) {
    try {
      session = await create(['cuda']);
      provider = 'cuda';
    } catch (error) {
      if (isCorruptModelError(error)) throw corruptModel(path, error);
      // onnxruntime throws rather than falling back when CUDA is missing, so fall back here.
      providerNote = `CUDA execution provider unavailable (${firstLine(error)}); fell back to CPU`;
    }
  } else if (options.provider === 'auto') {
    providerNote = undefined;
  }
  if (session === undefined) {
    try {
      session = await create(['cpu']);
    } catch (error) {
      throw corruptModel(path, error);
    }
  }

  return {
    path,
    sha256: digest,
    bytes: bytes.length,
    inputs: session.inputMetadata.map(describe),
    outputs: session.outputMetadata.map(describe),
    provider,
    providerNote,
    ...withClasses(modelClasses(bytes)),
    session,
    runtime,
  };
}

function withClasses(classes: ModelClasses | undefined): { classes?: ModelClasses } {
  return classes === undefined ? {} : { classes };
}

function describe(meta: InferenceSession.ValueMetadata): ValueInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: [] };
  return { name: meta.name, type: meta.type, shape: [...meta.shape] };
}

/** The CUDA provider library sits beside the CPU binding only when the CUDA variant was installed. */
function cudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const binding = dirname(require.resolve('onnxruntime-node/package.json'));
    const folder = join(binding, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(folder, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

function isCorruptModelError(error: unknown): boolean {
  return /protobuf|parse|invalid|load model|model_path/i.test(String((error as Error)?.message ?? error));
}

function corruptModel(path: string, error: unknown): InputError {
  return new InputError(`model file ${path} is not a valid ONNX model: ${firstLine(error)}`, {
    cause: error,
    hint: 'check that the file is a complete .onnx export (a truncated upload or a Git LFS pointer fails this way)',
  });
}

function firstLine(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  return (text.split('\n')[0] ?? text).trim();
}

/** Converts any numeric tensor to float64, including int64 (BigInt64Array) and bool outputs. */
export function tensorToFloat64(tensor: Tensor): Float64Array {
  const data = tensor.data;
  if (data instanceof Float64Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  if (Array.isArray(data)) throw new InputError(`model output is a ${tensor.type} tensor; expected numbers`);
  return Float64Array.from(data as ArrayLike<number>);
}
