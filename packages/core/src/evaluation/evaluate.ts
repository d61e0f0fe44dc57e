import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { openCsvStream } from '../data/csv-stream.ts';
import { type FeatureRows, readTable, type Table } from '../data/index.ts';
import { openJsonlStream } from '../data/jsonl-stream.ts';
import { openNpyStream } from '../data/npy-stream.ts';
import { parseNumber } from '../data/numbers.ts';
import { openParquetStream } from '../data/parquet-stream.ts';
import { featureRange, rowRange } from '../data/rows.ts';
import { NotStreamable, type RowStream } from '../data/stream.ts';
import { type LoadedModel, loadModel, type ValueInfo } from '../inference/model.ts';
import type { ModelClasses } from '../inference/onnx-classes.ts';
import { chooseOutput, type Prediction, percentile, predict, singleRowRuns } from '../inference/predict.ts';
import { InputError } from '../kernel/errors.ts';
import { cliOption } from '../kernel/options.ts';
import type { Logger } from '../kernel/ports.ts';
import {
  EVALUATION_SCHEMA,
  type EvaluationRecord,
  type OutputTransform,
} from '../kernel/records/evaluation.ts';
import { VERSION } from '../kernel/version.ts';
import { confusionMatrix, type Task } from '../metrics/index.ts';
import type { Predictions } from '../stats/index.ts';
import { worseThanChance } from './chance.ts';
import { classIndices, classOrder, numericTarget } from './classes.ts';
import { scoreMetrics } from './score.ts';
import { PROBABILITY_SUM_TOLERANCE, toClassScores } from './scores.ts';
import { type EvaluateSettings, STREAM_MIN_BYTES } from './settings.ts';

/** The evaluation record and the per-row predictions behind it (which a paired compare reuses). */
export interface Evaluation {
  readonly record: EvaluationRecord;
  readonly predictions: Predictions;
  /** The rows of each slice, in record order (the record keeps only their counts). */
  readonly sliceRows: ReadonlyArray<{ column: string; value: string; rows: Int32Array }>;
}

/** What the model measured about itself: the batched pass's time and the single-row latencies. */
export interface Measured {
  /** Rows the batched pass scored. */
  readonly rows: number;
  readonly seconds: number;
  /** Single-row latencies, in milliseconds, sorted. */
  readonly latenciesMs: Float64Array;
  readonly modelBytes: number;
}

/**
 * The rows scored, before any metric: the table (only the label, slice and predictions columns
 * are read from here on), what the model gave, and what describes it. An unsharded evaluate
 * goes on from here at once; a shard writes it down (part.ts) and merge rebuilds it.
 */
export interface Scored {
  readonly table: Table;
  /** Rows in the whole file (a shard's table holds only its own). */
  readonly fileRows: number;
  readonly output?: ModelOutput;
  readonly model?: Omit<NonNullable<EvaluationRecord['model']>, 'transform'>;
  readonly provider?: EvaluationRecord['provider'];
  readonly measured?: Measured;
  readonly features?: string[];
  readonly notes: string[];
}

/** Part `index` (1…count) of `rows` rows: a contiguous range, the parts as equal as they can be. */
export function shardRange(rows: number, shard: Shard): { start: number; end: number } {
  return {
    start: Math.floor(((shard.index - 1) * rows) / shard.count),
    end: Math.floor((shard.index * rows) / shard.count),
  };
}

/** Part `index` of `count` (both 1-based) of the rows, as `--shard K/N` gives it. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Evaluates a model (or a predictions file) on a dataset: reads the data, runs the model,
 * computes every metric of the task with bootstrap intervals, per slice too, and returns the
 * `modelgate/evaluation@1` record. It writes nothing; the caller decides where the record goes.
 */
export async function evaluate(settings: EvaluateSettings, logger: Logger): Promise<Evaluation> {
  return finishEvaluation(await scoreRows(settings, undefined, logger), settings, logger);
}

/**
 * Reads the data and runs the model over every row, or over one shard's rows (the table it
 * returns then holds only those rows). The whole file is read and hashed either way, so every
 * shard names the same data digest and checks the same columns.
 */
export async function scoreRows(
  settings: EvaluateSettings,
  shard: Shard | undefined,
  logger: Logger,
): Promise<Scored> {
  const source = settings.model !== undefined ? settings.data : settings.predictions;
  if (source === undefined) {
    throw new InputError(
      settings.model !== undefined
        ? `${optionName(settings, 'data')} is required with ${optionName(settings, 'model')}`
        : `give ${optionName(settings, 'model')} with ${optionName(settings, 'data')}, or ${optionName(settings, 'predictions')}`,
    );
  }
  if (settings.model !== undefined && streams(source, settings.streaming)) {
    // This thread reads the next batch between the model's runs: onnxruntime's idle threads
    // must not spin on the cores the reading needs. The model loads before the stream opens: a
    // model that does not load stops the run before a hash worker starts on a large file.
    const model = await loadModel(settings.model, {
      provider: settings.provider,
      runtime: settings.runtime,
      spinWait: false,
    });
    const stream = await openStream(source, settings);
    try {
      const streamed =
        stream === undefined ? undefined : await scoreOpenStream(stream, model, settings, shard, logger);
      if (streamed !== undefined) return streamed;
      return scoreWhole(source, settings, shard, logger, model);
    } finally {
      stream?.close();
    }
  }
  return scoreWhole(source, settings, shard, logger, undefined);
}

/** The formats that stream, by extension. */
const STREAMS: Record<
  string,
  (path: string, keep: readonly string[]) => RowStream | undefined | Promise<RowStream | undefined>
> = {
  '.csv': openCsvStream,
  '.jsonl': openJsonlStream,
  '.ndjson': openJsonlStream,
  '.npy': openNpyStream,
  '.parquet': openParquetStream,
};

/**
 * Whether to stream the data file: CSV, JSON Lines or NPY from STREAM_MIN_BYTES, Parquet at any
 * size (its compressed bytes say little of its rows: a 10 MB file can hold 2M rows, which the whole
 * read would hold as 66M JavaScript values), unless told.
 */
function streams(path: string, streaming: EvaluateSettings['streaming']): boolean {
  const extension = extname(path).toLowerCase();
  if (streaming === 'never' || STREAMS[extension] === undefined) return false;
  if (streaming === 'always') return true;
  try {
    const stats = statSync(path);
    return stats.isFile() && (extension === '.parquet' || stats.size >= STREAM_MIN_BYTES);
  } catch {
    return false; // the whole read words the error
  }
}

/**
 * Opens a CSV, JSON Lines, NPY or Parquet file as a stream (data/csv-stream.ts, jsonl-stream.ts,
 * npy-stream.ts, parquet-stream.ts): memory for a chunk, a batch and a few bytes per row, whatever
 * the file's size. Undefined when the file needs the whole read (it then gives the same record,
 * or words the error).
 */
async function openStream(path: string, settings: EvaluateSettings): Promise<RowStream | undefined> {
  if (settings.sliceBy.includes(settings.label)) return undefined;
  return STREAMS[extname(path).toLowerCase()]?.(path, [settings.label, ...settings.sliceBy]);
}

async function scoreOpenStream(
  stream: RowStream,
  model: LoadedModel,
  settings: EvaluateSettings,
  shard: Shard | undefined,
  logger: Logger,
): Promise<Scored | undefined> {
  const path = stream.path;
  const keep = [settings.label, ...settings.sliceBy];
  const excluded = new Set(keep);
  const features =
    settings.features !== undefined ? [...settings.features] : stream.names.filter((c) => !excluded.has(c));
  if (
    features.length === 0 ||
    features.includes(settings.label) ||
    !features.every((name) => stream.names.includes(name))
  ) {
    return undefined;
  }
  const range = shard === undefined ? { start: 0, end: stream.rows } : shardRange(stream.rows, shard);
  if (shard !== undefined && range.end === range.start) {
    throw new InputError(
      `${path} has ${stream.rows} rows, too few for ${shard.count} shards: shard ${shard.index} would be empty`,
      { hint: 'use fewer shards' },
    );
  }
  const output = chooseOutput(model, settings.output);
  logger.info(
    `streaming ${stream.rows} rows × ${features.length} features from ${path}${shard === undefined ? '' : `; scoring rows ${range.start + 1}-${range.end} (shard ${shard.index} of ${shard.count})`}`,
  );
  logger.info(`scoring with ${model.path} (output '${output.name}', ${model.provider})`);
  let prediction: Prediction;
  try {
    const input = stream.features(features, singleRowRuns(range.end - range.start), range);
    prediction = await predict(model, input, output, settings.batchSize);
  } catch (error) {
    // The whole read words every problem as it always has (a text column among the features is
    // named as such, not as a feature count the model does not take).
    if (error instanceof NotStreamable || error instanceof InputError) {
      logger.info(`reading ${path} whole: ${error.message}`);
      return undefined;
    }
    throw error;
  }
  const notes: string[] = [];
  if (model.providerNote !== undefined) {
    logger.warning(model.providerNote);
    notes.push(model.providerNote);
  }
  await model.session.release();
  return scoredFrom(stream.table(), stream.rows, model, output, prediction, features, notes);
}

/** The scored rows of a model's prediction. */
function scoredFrom(
  table: Table,
  fileRows: number,
  model: LoadedModel,
  output: ValueInfo,
  prediction: Prediction,
  features: string[],
  notes: string[],
): Scored {
  return {
    table,
    fileRows,
    output: {
      values: prediction.values,
      columns: prediction.columns,
      type: output.type,
      classes: model.classes,
    },
    model: {
      path: model.path,
      sha256: model.sha256,
      bytes: model.bytes,
      output: output.name,
      inputs: model.inputs.map((i) => ({ name: i.name, type: i.type, shape: [...i.shape] })),
      outputs: model.outputs.map((o) => ({ name: o.name, type: o.type, shape: [...o.shape] })),
    },
    provider: model.provider,
    measured: {
      rows: table.rows,
      seconds: prediction.seconds,
      latenciesMs: prediction.latenciesMs,
      modelBytes: model.bytes,
    },
    features,
    notes,
  };
}

/** Reads the whole data file into columns, then scores the rows (all, or one shard's). */
async function scoreWhole(
  source: string,
  settings: EvaluateSettings,
  shard: Shard | undefined,
  logger: Logger,
  loaded: LoadedModel | undefined,
): Promise<Scored> {
  const notes: string[] = [];
  // The data read starts first, so that the worker threads it starts for a large file (hashing,
  // scanning parts of a CSV file) run while this thread loads the model. A problem with the
  // model is still the one reported when both have one.
  const reading = readTable(source);
  reading.catch(() => undefined);
  const model =
    loaded ??
    (settings.model === undefined
      ? undefined
      : // Nor do onnxruntime's idle threads spin here: this thread copies the next batch while
        // the model runs, and the file's hash worker may still be busy. On 2 shared cores a 200k-row
        // NPY file took 0.30 s instead of 0.36 (7 of 7 interleaved rounds), less CPU too.
        await loadModel(settings.model, {
          provider: settings.provider,
          runtime: settings.runtime,
          spinWait: false,
        }));
  const whole = await reading;
  whole.column(settings.label);
  for (const column of settings.sliceBy) whole.column(column);
  if (settings.sliceBy.includes(settings.label)) {
    throw new InputError(
      `${optionName(settings, 'slice-by')} ${settings.label} is the label column; slice by another column`,
    );
  }
  const range = shard === undefined ? undefined : shardRange(whole.rows, shard);
  if (shard !== undefined && range !== undefined && range.end === range.start) {
    throw new InputError(
      `${whole.path} has ${whole.rows} rows, too few for ${shard.count} shards: shard ${shard.index} would be empty`,
      { hint: 'use fewer shards' },
    );
  }
  const table = range === undefined ? whole : rowRange(whole, range.start, range.end);
  if (model === undefined) return { table, fileRows: whole.rows, notes };

  if (model.providerNote !== undefined) {
    logger.warning(model.providerNote);
    notes.push(model.providerNote);
  }
  const output = chooseOutput(model, settings.output);
  const features = selectFeatures(whole, settings);
  logger.info(
    `read ${whole.rows} rows × ${features.length} features from ${whole.path}${range === undefined ? '' : `; scoring rows ${range.start + 1}-${range.end} (shard ${shard?.index} of ${shard?.count})`}`,
  );
  const all = modelInput(whole, features, settings.features === undefined);
  const input = range === undefined ? all : featureRange(all, range.start, range.end);
  logger.info(`scoring with ${model.path} (output '${output.name}', ${model.provider})`);
  const prediction = await predict(model, input, output, settings.batchSize);
  await model.session.release();
  return scoredFrom(table, whole.rows, model, output, prediction, features, notes);
}

/** The measured metrics (absent in predictions mode): throughput, single-row latency, size. */
function measuredMetrics(m: Measured): Record<string, number> {
  return {
    rows_per_second: m.seconds > 0 ? m.rows / m.seconds : 0,
    latency_p50_ms: percentile(m.latenciesMs, 50),
    latency_p95_ms: percentile(m.latenciesMs, 95),
    latency_p99_ms: percentile(m.latenciesMs, 99),
    model_size_bytes: m.modelBytes,
  };
}

/**
 * From the scored rows to the record: the predictions, every metric with its intervals, the
 * slices. Merge runs this very code on the parts' rows put back together, which is why a merged
 * record equals the unsharded one.
 */
export async function finishEvaluation(
  scored: Scored,
  settings: EvaluateSettings,
  logger: Logger,
): Promise<Evaluation> {
  const { table } = scored;
  const notes = [...scored.notes];
  const built =
    scored.output === undefined
      ? fromPredictionsFile(table, settings, table.column(settings.label), notes)
      : fromModelOutput(table, settings, scored.output, notes);
  if (built.transform === 'softmax' || built.transform === 'sigmoid') {
    notes.push(
      `output rows are not probabilities (outside [0, 1] or not summing to 1): treated as logits and passed through ${built.transform}`,
    );
  }

  const { predictions, classes } = built;
  const bootstrap = { resamples: settings.bootstrap, confidence: settings.confidence, seed: settings.seed };
  logger.info(
    settings.bootstrap > 0
      ? `computing metrics with ${settings.bootstrap} bootstrap resamples`
      : 'computing metrics',
  );
  const metrics = await scoreMetrics(predictions, undefined, bootstrap, notes, '');
  if (built.classOrder === 'sorted text' && predictions.task !== 'regression' && classes !== undefined) {
    const why = worseThanChance(predictions, metrics);
    if (why !== undefined) {
      const warning = `scores are worse than chance (${why}): the class order ${classes.join(', ')} was sorted from the text labels and may not be the model's; pass --classes (the evaluate action's 'classes' input) in the order of the model's output columns`;
      logger.warning(warning);
      notes.push(warning);
    }
  }
  const measured = scored.measured === undefined ? {} : measuredMetrics(scored.measured);
  for (const [name, value] of Object.entries(measured)) {
    if (Number.isFinite(value)) metrics[name] = { value };
  }

  const slices: EvaluationRecord['slices'] = [];
  const sliceRows: Array<{ column: string; value: string; rows: Int32Array }> = [];
  for (const column of settings.sliceBy) {
    const values = table.strings(column);
    const groups = new Map<string, number[]>();
    values.forEach((value, row) => {
      const group = groups.get(value);
      if (group === undefined) groups.set(value, [row]);
      else group.push(row);
    });
    for (const [value, list] of groups) {
      const rows = Int32Array.from(list);
      const sliceMetrics = await scoreMetrics(predictions, rows, bootstrap, notes, `${column}=${value}: `);
      slices.push({ column, value, rows: rows.length, metrics: sliceMetrics });
      sliceRows.push({ column, value, rows });
    }
  }

  const record: EvaluationRecord = {
    schema: EVALUATION_SCHEMA,
    task: predictions.task,
    ...(scored.model === undefined
      ? {}
      : {
          model: {
            path: scored.model.path,
            sha256: scored.model.sha256,
            bytes: scored.model.bytes,
            output: scored.model.output,
            transform: built.transform,
            inputs: scored.model.inputs,
            outputs: scored.model.outputs,
          },
        }),
    data: {
      path: settings.model !== undefined ? table.path : (settings.data ?? table.path),
      sha256: await table.sha256,
      rows: table.rows,
      label: settings.label,
      ...(classes === undefined ? {} : { classes }),
      ...(scored.features === undefined ? {} : { features: scored.features }),
      ...(settings.model === undefined ? { predictions: table.path } : {}),
    },
    metrics,
    ...(predictions.task === 'regression' || classes === undefined
      ? {}
      : {
          confusion_matrix: {
            labels: classes,
            matrix: confusionMatrix(predictions.labels, predictions.predicted, classes.length),
          },
        }),
    slices,
    bootstrap,
    ...(scored.provider === undefined ? {} : { provider: scored.provider }),
    notes,
    created_at: new Date().toISOString(),
    tool: { name: 'modelgate', version: VERSION },
  };
  return { record, predictions, sliceRows };
}

/**
 * The model input. When the features are the default set, a text column among them is most
 * often a slice or an id column the user forgot to name, so the error says how to leave it out.
 */
function modelInput(table: Table, features: string[], defaultFeatures: boolean): FeatureRows {
  try {
    return table.features(features);
  } catch (error) {
    if (!(error instanceof InputError) || !defaultFeatures || error.hint !== undefined) throw error;
    throw new InputError(error.message, {
      cause: error,
      hint: 'the features default to every column but the label and the slice columns: name text columns with --slice-by, or choose --features',
    });
  }
}

interface Built {
  readonly predictions: Predictions;
  readonly classes: string[] | undefined;
  readonly transform: OutputTransform;
  /** Where the class order came from, when it matters: the text labels sorted is only a guess. */
  readonly classOrder?: ClassOrderSource;
}

type ClassOrderSource = 'flag' | 'model' | 'sorted text' | 'labels';

/** What the model gave: its output, row-major, and the classes it names, if any. */
export interface ModelOutput {
  readonly values: Float64Array;
  readonly columns: number;
  readonly type: string;
  readonly classes: ModelClasses | undefined;
}

/** CONTRACT.md: every column except the label and the slice columns, in file order, unless --features. */
function selectFeatures(table: Table, settings: EvaluateSettings): string[] {
  if (settings.features !== undefined) {
    for (const name of settings.features) table.column(name);
    if (settings.features.includes(settings.label)) {
      throw new InputError(
        `${optionName(settings, 'features')} includes the label column '${settings.label}'`,
      );
    }
    return [...settings.features];
  }
  const excluded = new Set([settings.label, ...settings.sliceBy]);
  const features = table.columns.filter((c) => !excluded.has(c));
  if (features.length === 0) throw new InputError(`${table.path} has no feature columns besides the label`);
  return features;
}

function fromModelOutput(
  table: Table,
  settings: EvaluateSettings,
  output: ModelOutput,
  notes: string[],
): Built {
  const { values, columns } = output;
  const outputType = output.type;
  const rows = table.rows;
  const label = table.column(settings.label);
  const where = { file: table.path, column: settings.label, classesFlag: settings.classes !== undefined };
  const hardLabels = outputType.startsWith('int') || outputType.startsWith('uint') || outputType === 'bool';

  const named = modelClassesFit(output.classes, hardLabels ? undefined : columns);
  let task = settings.task;
  if (task === undefined) {
    if (hardLabels || label.kind === 'string')
      task =
        (settings.classes?.length ?? named?.labels.length ?? classOrder(label).length) > 2
          ? 'multiclass'
          : 'binary';
    else if (columns >= 3) task = 'multiclass';
    else if (columns === 2) task = 'binary';
    else {
      const distinct = settings.classes?.length ?? classOrder(label).length;
      task = distinct === 2 ? 'binary' : 'regression';
    }
    notes.push(`task inferred as ${task} (pass --task to set it)`);
  }

  if (task === 'regression') {
    if (columns !== 1) {
      throw new InputError(`task is regression but the model output has ${columns} columns; expected one`, {
        hint: 'choose a single-column output with --output, or pass --task binary|multiclass',
      });
    }
    return {
      predictions: { task, target: numericTarget(label, where), predicted: values },
      classes: undefined,
      transform: 'none',
    };
  }

  const { classes, source: classSource } = resolveClasses(
    label,
    settings,
    hardLabels ? undefined : columns,
    named,
    notes,
  );
  if (task === 'binary' && classes.length !== 2) {
    throw new InputError(`task is binary but there are ${classes.length} classes (${classes.join(', ')})`, {
      hint: 'pass --task multiclass, or --classes with the two class names',
    });
  }
  const labels = classIndices(label, classes, where);
  if (hardLabels) {
    const predictedColumn = { kind: 'number', values } as const;
    const predicted = classIndices(predictedColumn, classes, { ...where, column: 'model output' });
    return {
      predictions: { task, labels, numClasses: classes.length, predicted },
      classes,
      transform: 'labels',
      classOrder: classSource,
    };
  }
  return {
    ...fromClassScores(task, labels, classes, toClassScores(values, rows, columns, classes.length)),
    classOrder: classSource,
  };
}

/** The predictions of class scores (probabilities, or logits turned into them). */
function fromClassScores(
  task: 'binary' | 'multiclass',
  labels: Int32Array,
  classes: string[],
  scores: ReturnType<typeof toClassScores>,
): Built {
  return {
    predictions: {
      task,
      labels,
      numClasses: classes.length,
      predicted: scores.predicted,
      proba: scores.proba,
    },
    classes,
    transform: scores.transform,
  };
}

/** The model's own class labels when they fit the output (`columns`; undefined for hard labels). */
function modelClassesFit(
  named: ModelClasses | undefined,
  columns: number | undefined,
): ModelClasses | undefined {
  if (named === undefined) return undefined;
  const count = named.labels.length;
  const fits = columns === undefined || count === columns || (columns === 1 && count === 2);
  return fits && new Set(named.labels).size === count ? named : undefined;
}

/**
 * Class names in model-output order: --classes; else the labels the model carries; else the
 * sorted label values (CONTRACT.md).
 */
function resolveClasses(
  label: ReturnType<Table['column']>,
  settings: EvaluateSettings,
  columns: number | undefined,
  named: ModelClasses | undefined,
  notes: string[],
): { classes: string[]; source: ClassOrderSource } {
  if (settings.classes !== undefined) {
    const classes = [...settings.classes];
    if (columns !== undefined && columns !== classes.length && !(columns === 1 && classes.length === 2)) {
      throw new InputError(
        `${optionName(settings, 'classes')} lists ${classes.length} classes but the model output has ${columns} columns`,
      );
    }
    return { classes, source: 'flag' };
  }
  const found = classOrder(label);
  if (named !== undefined) {
    const classes = [...named.labels];
    const missing = found.filter((value) => !classes.some((name) => sameClass(name, value)));
    if (missing.length > 0) {
      throw new InputError(
        `the label column '${settings.label}' has ${missing.length === 1 ? 'a value' : 'values'} (${preview(missing)}) that the model's classes (${preview(classes)}, from its ${named.source}) do not include`,
        {
          hint: 'fix the label column, or pass --classes with the class names in the order of the model output columns',
        },
      );
    }
    notes.push(`classes taken from the model's ${named.source}, in its order: ${classes.join(', ')}`);
    return { classes, source: 'model' };
  }
  const source: ClassOrderSource = label.kind === 'string' ? 'sorted text' : 'labels';
  const expected = columns === undefined ? found.length : columns === 1 ? 2 : columns;
  if (found.length === expected) return { classes: found, source };
  // Integer labels 0..C-1 name the output columns even when some class is absent from this data.
  const integers = found.every((c) => Number.isInteger(Number(c)) && Number(c) >= 0 && Number(c) < expected);
  if (label.kind === 'number' && integers && found.length < expected) {
    const classes = Array.from({ length: expected }, (_, i) => String(i));
    notes.push(
      `classes taken as 0..${expected - 1} from the model's ${expected} outputs (not every class occurs in the labels)`,
    );
    return { classes, source };
  }
  throw new InputError(
    `the label column '${settings.label}' has ${found.length} distinct values (${preview(found)}) but the model output has ${columns} column${columns === 1 ? '' : 's'}`,
    { hint: 'pass --classes with the class names in the order of the model output columns' },
  );
}

function fromPredictionsFile(
  table: Table,
  settings: EvaluateSettings,
  label: ReturnType<Table['column']>,
  notes: string[],
): Built {
  const probaColumns = table.columns.filter((c) => c.startsWith('proba_'));
  const hasPrediction = table.columns.includes('prediction');
  if (probaColumns.length === 0 && !hasPrediction) {
    throw new InputError(
      `predictions file ${table.path} has neither a 'prediction' column nor 'proba_<class>' columns (columns: ${preview(table.columns)})`,
    );
  }
  const where = { file: table.path, column: settings.label, classesFlag: settings.classes !== undefined };
  let task: Task | undefined = settings.task;
  if (task === undefined) {
    task = probaColumns.length > 0 ? undefined : inferFromHardPredictions(table, label);
    notes.push(`task inferred as ${task ?? 'classification'} (pass --task to set it)`);
  }
  if (task === 'regression') {
    if (!hasPrediction)
      throw new InputError(`predictions file ${table.path} needs a 'prediction' column for regression`);
    const prediction = numericTarget(table.column('prediction'), { file: table.path, column: 'prediction' });
    return {
      predictions: { task, target: numericTarget(label, where), predicted: prediction },
      classes: undefined,
      transform: 'none',
    };
  }

  const suffixes = probaColumns.map((c) => c.slice('proba_'.length));
  const classes =
    settings.classes !== undefined
      ? [...settings.classes]
      : classOrder(label, suffixes.length > 1 ? suffixes : []);
  const finalTask: 'binary' | 'multiclass' = task ?? (classes.length > 2 ? 'multiclass' : 'binary');
  if (finalTask === 'binary' && classes.length !== 2) {
    throw new InputError(`task is binary but there are ${classes.length} classes (${preview(classes)})`, {
      hint: 'pass --task multiclass, or --classes with the two class names',
    });
  }
  const labels = classIndices(label, classes, where);
  const rows = table.rows;

  if (probaColumns.length > 0) {
    let values: Float64Array;
    let columns: number;
    if (probaColumns.length === 1 && classes.length === 2) {
      const suffix = suffixes[0] as string;
      const index = classes.indexOf(suffix);
      if (index < 0) {
        throw new InputError(
          `predictions file ${table.path}: column '${probaColumns[0]}' names no class (classes: ${classes.join(', ')})`,
        );
      }
      const p = probabilities(table, probaColumns[0] as string);
      values = index === 1 ? p : p.map((v) => 1 - v);
      columns = 1;
    } else {
      for (const suffix of suffixes) {
        if (!classes.includes(suffix)) {
          throw new InputError(
            `predictions file ${table.path}: column 'proba_${suffix}' names no class (classes: ${preview(classes)})`,
          );
        }
      }
      columns = classes.length;
      values = new Float64Array(rows * columns);
      classes.forEach((name, c) => {
        if (!probaColumns.includes(`proba_${name}`)) {
          throw new InputError(
            `predictions file ${table.path} has no column 'proba_${name}' for class '${name}'`,
            {
              hint: 'give one proba_<class> column per class, or a single one for the positive class of a binary task',
            },
          );
        }
        const column = probabilities(table, `proba_${name}`);
        for (let i = 0; i < rows; i++) values[i * columns + c] = column[i] as number;
      });
      checkRowSums(table.path, values, rows, classes);
    }
    const scores = toClassScores(values, rows, columns, classes.length);
    // Held to [0, 1] and to sums of 1 above: a user's probabilities are never read as logits.
    if (scores.transform !== 'none') throw new Error(`bug: predictions of ${table.path} read as logits`);
    return fromClassScores(finalTask, labels, classes, scores);
  }
  const predicted = classIndices(table.column('prediction'), classes, { ...where, column: 'prediction' });
  notes.push('only hard predictions were given: metrics that need probabilities are left out');
  return {
    predictions: { task: finalTask, labels, numClasses: classes.length, predicted },
    classes,
    transform: 'labels',
  };
}

/**
 * A `proba_<class>` column of a predictions file: numbers in [0, 1]. A predictions file holds
 * probabilities, so a value outside [0, 1] (or NaN) is an error naming the cell, never read as a
 * logit the way a model's own output is (CONTRACT.md "Choosing the output").
 */
function probabilities(table: Table, column: string): Float64Array {
  const cells = table.column(column);
  const values =
    cells.kind === 'number'
      ? cells.values
      : Float64Array.from(cells.values, (text) => parseNumber(text) ?? Number.NaN);
  for (let row = 0; row < values.length; row++) {
    const v = values[row] as number;
    if (v >= 0 && v <= 1) continue;
    const text = table.strings(column)[row] as string;
    throw new InputError(
      `predictions file ${table.path}: column '${column}' row ${row + 1} is ${text.trim() === '' ? 'empty' : `'${text}'`}, not a probability in [0, 1]`,
      {
        hint: 'write probabilities (predict_proba), not logits or scores; to score a model whose output is logits, evaluate the model with --model',
      },
    );
  }
  return values;
}

/** Every row of per-class probabilities must sum to 1 (within the tolerance a model's output gets). */
function checkRowSums(path: string, values: Float64Array, rows: number, classes: readonly string[]): void {
  const columns = classes.length;
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let c = 0; c < columns; c++) sum += values[i * columns + c] as number;
    if (Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE) continue;
    throw new InputError(
      `predictions file ${path}: row ${i + 1}'s probabilities (${classes.map((c) => `proba_${c}`).join(', ')}) sum to ${Number(sum.toPrecision(6))}, not 1`,
      { hint: 'give each class its probability, so that every row sums to 1' },
    );
  }
}

/**
 * With only a `prediction` column: classification when the labels are text, or when every
 * prediction is one of the label values (regressors almost never hit the targets exactly).
 */
function inferFromHardPredictions(table: Table, label: ReturnType<Table['column']>): Task | undefined {
  if (label.kind === 'string') return undefined;
  const prediction = table.column('prediction');
  if (prediction.kind === 'string') return undefined;
  const targets = new Set(label.values);
  for (const v of prediction.values) if (!targets.has(v)) return 'regression';
  return undefined;
}

/** Whether a label value names the class: the same text, or the same number ("1" and "1.0"). */
function sameClass(name: string, value: string): boolean {
  if (name === value) return true;
  if (name.trim() === '' || value.trim() === '') return false;
  const n = Number(name);
  return !Number.isNaN(n) && n === Number(value);
}

function preview(values: readonly string[]): string {
  return values.length <= 8 ? values.join(', ') : `${values.slice(0, 8).join(', ')}, …`;
}

/** An option as the caller names it; settings built by hand (tests, the library) read as flags. */
function optionName(settings: EvaluateSettings, option: string): string {
  return (settings.namer ?? cliOption)(option);
}
