/** What a model predicts, which decides its metrics. */
export type Task = 'binary' | 'multiclass' | 'regression';

export const EVALUATION_SCHEMA = 'modelgate/evaluation@1';

/** One metric's value, with its bootstrap confidence interval unless the bootstrap was off. */
export interface MetricValue {
  value: number;
  ci?: [number, number];
}

export interface TensorInfo {
  name: string;
  type: string;
  shape: Array<number | string>;
}

/**
 * How the chosen output became class probabilities: taken as they are, or treated as logits
 * because the rows were not probabilities (CONTRACT.md "Choosing the output").
 */
export type OutputTransform = 'none' | 'softmax' | 'sigmoid' | 'labels';

export interface SliceResult {
  column: string;
  value: string;
  rows: number;
  metrics: Record<string, MetricValue>;
}

/** `modelgate/evaluation@1`: the record every later step consumes (CONTRACT.md "Files"). */
export interface EvaluationRecord {
  schema: typeof EVALUATION_SCHEMA;
  task: Task;
  model?: {
    path: string;
    sha256: string;
    bytes: number;
    output: string;
    transform: OutputTransform;
    inputs: TensorInfo[];
    outputs: TensorInfo[];
  };
  data: {
    path: string;
    sha256: string;
    rows: number;
    label: string;
    classes?: string[];
    features?: string[];
    predictions?: string;
  };
  metrics: Record<string, MetricValue>;
  confusion_matrix?: { labels: string[]; matrix: number[][] };
  slices: SliceResult[];
  bootstrap: { resamples: number; confidence: number; seed: number };
  provider?: 'cpu' | 'cuda';
  /** Things a reader should know: inferred task, logits detected, metrics left out and why, provider fallback. */
  notes: string[];
  created_at: string;
  tool: { name: 'modelgate'; version: string };
}
