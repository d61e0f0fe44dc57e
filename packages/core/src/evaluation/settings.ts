import type { Provider } from '../inference/model.ts';
import type { RuntimeLoader } from '../inference/runtime.ts';
import type { OptionNamer } from '../kernel/options.ts';
import type { Task } from '../metrics/index.ts';

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_SEED = 42;
/** From this size a CSV, JSON Lines or NPY file is streamed (Parquet at any size): below it the whole read is as quick, and its memory small. */
export const STREAM_MIN_BYTES = 16 << 20;

/** Everything `modelgate evaluate` and the evaluate action need, validated. */
export interface EvaluateSettings {
  /** The ONNX model; absent in predictions mode. */
  readonly model?: string;
  /** The dataset the model scores (model mode). */
  readonly data?: string;
  /** A predictions file made by some other program (predictions mode). */
  readonly predictions?: string;
  readonly label: string;
  readonly task?: Task;
  readonly classes?: readonly string[];
  readonly features?: readonly string[];
  readonly output?: string;
  readonly sliceBy: readonly string[];
  readonly bootstrap: number;
  readonly confidence: number;
  readonly seed: number;
  readonly provider: Provider;
  readonly batchSize: number;
  /**
   * Whether a CSV data file is streamed (data/csv-stream.ts) rather than read whole: `auto`
   * (the default) streams files of {@link STREAM_MIN_BYTES} or more. The record is the same.
   */
  readonly streaming?: 'auto' | 'always' | 'never';
  /** How to load onnxruntime-node; the default imports it from node_modules. */
  readonly runtime?: RuntimeLoader;
  /** How the caller names the options, for the errors only the data can show (`--slice-by`, `input 'slice-by'`). */
  readonly namer?: OptionNamer;
}
