/**
 * Part records: one shard of an evaluation (`evaluate --shard K/N`), written so that `merge`
 * gives the very record the unsharded run gives.
 *
 * A part carries, for its rows, what the metrics are computed from: the label column, the
 * model's raw output (or the predictions file's columns), and the slice keys, as little-endian
 * base64 arrays (a float32 model's outputs stay float32, which is lossless). Merge puts the parts
 * back in row order and runs the same code as an unsharded evaluate from there on (class order,
 * logit detection, metrics, the bootstrap and its seed, slices): every metric and interval comes
 * out identical, bit for bit, not only to rounding. The bootstrap runs once, at the merge, over
 * all rows; the model runs in the shards, which is where the time goes.
 *
 * Why not per-resample sufficient statistics: the label metrics' bootstrap draws each resample's
 * confusion table as one Multinomial(n, cells), which no sum of per-shard draws reproduces, and
 * ROC AUC under row weights needs every (score, weight) pair of every resample. Carrying the rows
 * keeps the intervals of every existing record unchanged, and exact.
 */
import { createTable, sourceOf, type Table } from '../data/table.ts';
import type { ModelClasses } from '../inference/onnx-classes.ts';
import { DEFAULT_BATCH_SIZE } from '../inference/predict.ts';
import { InputError } from '../kernel/errors.ts';
import type { EvaluationRecord, TensorInfo } from '../kernel/records/evaluation.ts';
import { VERSION } from '../kernel/version.ts';
import type { Task } from '../metrics/index.ts';
import { decodeArray, type EncodedArray, encodeArray } from '../stats/shards.ts';
import { type Scored, type Shard, shardRange } from './evaluate.ts';
import type { EvaluateSettings } from './settings.ts';

export const PART_SCHEMA = 'modelgate/evaluation-part@1';

/** A column of a part: numbers, or text as a dictionary and a code per row. */
export type EncodedColumn =
  | { kind: 'number'; values: EncodedArray }
  | { kind: 'string'; dictionary: string[]; codes: EncodedArray };

/** `modelgate/evaluation-part@1`: shard `index` of `count`, rows [first_row, first_row + rows). */
export interface EvaluationPart {
  schema: typeof PART_SCHEMA;
  shard: { index: number; count: number; first_row: number; rows: number };
  /** What decides the metrics; every part of one evaluation has the same. */
  settings: {
    label: string;
    task?: Task;
    classes?: string[];
    features?: string[];
    output?: string;
    slice_by: string[];
    bootstrap: { resamples: number; confidence: number; seed: number };
  };
  model?: {
    path: string;
    sha256: string;
    bytes: number;
    output: string;
    output_type: string;
    classes?: { labels: string[]; source: string };
    inputs: TensorInfo[];
    outputs: TensorInfo[];
  };
  provider?: EvaluationRecord['provider'];
  /** The whole file's path, digest, size and rows; `data` is the data file named beside a predictions file. */
  data: { path: string; format: Table['format']; sha256: string; bytes: number; rows: number; data?: string };
  /** The columns the metrics read, in file order: the label, and a predictions file's prediction and proba_ columns. */
  columns: Record<string, EncodedColumn>;
  /** The slice columns' cells as text, one entry per --slice-by column. */
  slices: Record<string, { dictionary: string[]; codes: EncodedArray }>;
  /** The model's chosen output, row-major [rows × columns]. */
  output?: { columns: number; values: EncodedArray };
  measured?: { rows: number; seconds: number; latencies_ms: number[] };
  features?: string[];
  notes: string[];
  created_at: string;
  tool: { name: 'modelgate'; version: string };
}

function encodeText(cells: readonly string[]): { dictionary: string[]; codes: EncodedArray } {
  const index = new Map<string, number>();
  const codes = new Int32Array(cells.length);
  cells.forEach((cell, row) => {
    let code = index.get(cell);
    if (code === undefined) {
      code = index.size;
      index.set(cell, code);
    }
    codes[row] = code;
  });
  return { dictionary: [...index.keys()], codes: encodeArray(codes) };
}

function encodeColumn(table: Table, name: string): EncodedColumn {
  const column = table.column(name);
  return column.kind === 'number'
    ? { kind: 'number', values: encodeArray(column.values) }
    : { kind: 'string', ...encodeText(column.values) };
}

/** The columns a predictions file's metrics read, in file order. */
function scoredColumns(table: Table, settings: EvaluateSettings, model: boolean): string[] {
  return table.columns.filter(
    (name) => name === settings.label || (!model && (name === 'prediction' || name.startsWith('proba_'))),
  );
}

/** The part record of one shard's scored rows. */
export async function partRecord(
  scored: Scored,
  settings: EvaluateSettings,
  shard: Shard,
): Promise<EvaluationPart> {
  const { table } = scored;
  const totalRows = scored.fileRows;
  const model = scored.model;
  return {
    schema: PART_SCHEMA,
    shard: {
      index: shard.index,
      count: shard.count,
      first_row: shardRange(totalRows, shard).start,
      rows: table.rows,
    },
    settings: {
      label: settings.label,
      ...(settings.task === undefined ? {} : { task: settings.task }),
      ...(settings.classes === undefined ? {} : { classes: [...settings.classes] }),
      ...(settings.features === undefined ? {} : { features: [...settings.features] }),
      ...(settings.output === undefined ? {} : { output: settings.output }),
      slice_by: [...settings.sliceBy],
      bootstrap: { resamples: settings.bootstrap, confidence: settings.confidence, seed: settings.seed },
    },
    ...(model === undefined || scored.output === undefined
      ? {}
      : {
          model: {
            ...model,
            output_type: scored.output.type,
            ...(scored.output.classes === undefined
              ? {}
              : {
                  classes: {
                    labels: [...scored.output.classes.labels],
                    source: scored.output.classes.source,
                  },
                }),
          },
        }),
    ...(scored.provider === undefined ? {} : { provider: scored.provider }),
    data: {
      path: table.path,
      format: table.format,
      sha256: await table.sha256,
      bytes: table.bytes,
      rows: totalRows,
      ...(model === undefined && settings.data !== undefined ? { data: settings.data } : {}),
    },
    columns: Object.fromEntries(
      scoredColumns(table, settings, model !== undefined).map((name) => [name, encodeColumn(table, name)]),
    ),
    slices: Object.fromEntries(settings.sliceBy.map((name) => [name, encodeText(table.strings(name))])),
    ...(scored.output === undefined
      ? {}
      : { output: { columns: scored.output.columns, values: encodeArray(scored.output.values) } }),
    ...(scored.measured === undefined
      ? {}
      : {
          measured: {
            rows: scored.measured.rows,
            seconds: scored.measured.seconds,
            latencies_ms: [...scored.measured.latenciesMs],
          },
        }),
    ...(scored.features === undefined ? {} : { features: scored.features }),
    notes: scored.notes,
    created_at: new Date().toISOString(),
    tool: { name: 'modelgate', version: VERSION },
  };
}

// --- reading and merging -------------------------------------------------------------------

/** A part as read from its file; `source` names the file in errors. */
export interface PartFile {
  readonly source: string;
  readonly part: EvaluationPart;
}

/** Checks a parsed document is a part record, naming the file when it is not. */
export function checkPart(value: unknown, source: string): EvaluationPart {
  const part = value as Partial<EvaluationPart> | null;
  if (part === null || typeof part !== 'object' || part.schema !== PART_SCHEMA) {
    const schema = (part as { schema?: unknown } | null)?.schema;
    throw new InputError(
      `${source} is not a part record (expected "schema": "${PART_SCHEMA}"${typeof schema === 'string' ? `, found "${schema}"` : ''})`,
      { hint: "write parts with 'modelgate evaluate … --shard K/N --out PART.json'" },
    );
  }
  const shard = part.shard;
  const whole = (n: unknown, min: number) => Number.isSafeInteger(n) && (n as number) >= min;
  if (
    shard === undefined ||
    !whole(shard.count, 1) ||
    !whole(shard.index, 1) ||
    shard.index > shard.count ||
    !whole(shard.first_row, 0) ||
    !whole(shard.rows, 1)
  ) {
    throw new InputError(`${source}: "shard" must be {index, count, first_row, rows} with 1 ≤ index ≤ count`);
  }
  if (
    part.settings === undefined ||
    part.data === undefined ||
    typeof part.data.sha256 !== 'string' ||
    !whole(part.data.rows, 1) ||
    part.columns === undefined ||
    part.slices === undefined
  ) {
    throw new InputError(
      `${source} is an incomplete part record (settings, data, columns and slices are required)`,
    );
  }
  const expected = shardRange(part.data.rows, shard);
  if (expected.start !== shard.first_row || expected.end - expected.start !== shard.rows) {
    throw new InputError(
      `${source}: shard ${shard.index} of ${shard.count} of ${part.data.rows} rows is rows ${expected.start + 1}-${expected.end}, but the part holds rows ${shard.first_row + 1}-${shard.first_row + shard.rows}`,
    );
  }
  return part as EvaluationPart;
}

/** What must agree between the parts of one evaluation, each with how a user names it. */
const AGREEMENT: ReadonlyArray<[string, (p: EvaluationPart) => unknown]> = [
  ['shard count', (p) => p.shard.count],
  ['model', (p) => p.model?.sha256 ?? 'none (a predictions file)'],
  ['data digest', (p) => p.data.sha256],
  ['bootstrap seed', (p) => p.settings.bootstrap.seed],
  ['bootstrap resamples', (p) => p.settings.bootstrap.resamples],
  ['confidence', (p) => p.settings.bootstrap.confidence],
  ['label', (p) => p.settings.label],
  ['task', (p) => p.settings.task ?? 'inferred'],
  ['classes', (p) => p.settings.classes?.join(',') ?? 'inferred'],
  ['features', (p) => p.features?.join(',') ?? 'none'],
  ['output', (p) => p.model?.output ?? 'none'],
  ['slice columns', (p) => p.settings.slice_by.join(',')],
];

/**
 * Checks that the parts make one whole evaluation: the same model, data, seed and settings, and
 * every shard 1…N exactly once. Returns them in shard order.
 */
export function orderParts(files: readonly PartFile[]): PartFile[] {
  const first = files[0];
  if (first === undefined) throw new InputError('no parts to merge', { hint: 'give every part file' });
  for (const file of files.slice(1)) {
    for (const [what, of] of AGREEMENT) {
      const a = of(first.part);
      const b = of(file.part);
      if (a !== b) {
        throw new InputError(
          `${file.source} does not belong with ${first.source}: its ${what} is ${show(b)}, not ${show(a)}`,
          {
            hint: 'merge the parts of one evaluation: one model, one data file, one seed, one --shard count',
          },
        );
      }
    }
  }
  const count = first.part.shard.count;
  const byIndex = new Map<number, PartFile>();
  for (const file of files) {
    const seen = byIndex.get(file.part.shard.index);
    if (seen !== undefined) {
      throw new InputError(
        `${file.source} and ${seen.source} are both shard ${file.part.shard.index} of ${count}: a part is given twice`,
      );
    }
    byIndex.set(file.part.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw new InputError(
      `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing: ${files.length} of ${count} parts given`,
      { hint: 'give every part of the evaluation (evaluate --shard K/N for K = 1…N)' },
    );
  }
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1) as PartFile);
}

function show(value: unknown): string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value.slice(0, 12) : String(value);
}

function decodeNumbers(encoded: EncodedArray, where: string): Float64Array {
  const values = decodeArray(encoded, where);
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

function decodeCodes(
  encoded: { dictionary: string[]; codes: EncodedArray },
  rows: number,
  where: string,
): string[] {
  const codes = decodeArray(encoded.codes, `${where} codes`);
  if (codes.length !== rows) throw new InputError(`${where} has ${codes.length} rows, not ${rows}`);
  return Array.from(codes, (code) => {
    const text = encoded.dictionary[code];
    if (text === undefined) throw new InputError(`${where} has a code ${code} past its dictionary`);
    return text;
  });
}

function concatenateNumbers(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** One column of all the parts together: numbers if every part's is, else text. */
function mergedColumn(files: readonly PartFile[], name: string) {
  const parts = files.map(({ source, part }) => {
    const column = part.columns[name];
    if (column === undefined) throw new InputError(`${source} has no column '${name}'`);
    const where = `${source} column '${name}'`;
    return column.kind === 'number'
      ? ({ kind: 'number', values: decodeNumbers(column.values, where) } as const)
      : ({ kind: 'string', values: decodeCodes(column, part.shard.rows, where) } as const);
  });
  if (parts.every((p) => p.kind === 'number')) {
    return sourceOf({ kind: 'number', values: concatenateNumbers(parts.map((p) => p.values)) });
  }
  // One shard's column can be all numbers where another has text (an empty cell): the whole
  // column is then text, as the unsharded read types it.
  const text = parts.flatMap((p) => (p.kind === 'string' ? p.values : Array.from(p.values, String)));
  return sourceOf({ kind: 'string', values: text });
}

/**
 * The scored rows of all the parts together (in shard order, so in file order) and the settings
 * they were scored with: what {@link finishEvaluation} turns into the unsharded record.
 */
export function mergeParts(files: readonly PartFile[]): { scored: Scored; settings: EvaluateSettings } {
  const ordered = orderParts(files);
  const { part: first } = ordered[0] as PartFile;
  const rows = first.data.rows;
  const names = [...Object.keys(first.columns), ...first.settings.slice_by];
  const sources = [
    ...Object.keys(first.columns).map((name) => mergedColumn(ordered, name)),
    ...first.settings.slice_by.map((name) => {
      const text = ordered.flatMap(({ source, part }) => {
        const slice = part.slices[name];
        if (slice === undefined) throw new InputError(`${source} has no slice column '${name}'`);
        return decodeCodes(slice, part.shard.rows, `${source} slice column '${name}'`);
      });
      return { column: { kind: 'string', values: text } as const, strings: () => text };
    }),
  ];
  const table = createTable(
    {
      path: first.data.path,
      format: first.data.format,
      sha256: Promise.resolve(first.data.sha256),
      bytes: first.data.bytes,
    },
    { rows, names, sources },
  );
  const model = first.model;
  const settings: EvaluateSettings = {
    ...(model === undefined ? {} : { model: model.path, data: first.data.path }),
    ...(model === undefined ? { predictions: first.data.path } : {}),
    ...(model === undefined && first.data.data !== undefined ? { data: first.data.data } : {}),
    label: first.settings.label,
    ...(first.settings.task === undefined ? {} : { task: first.settings.task }),
    ...(first.settings.classes === undefined ? {} : { classes: first.settings.classes }),
    ...(first.settings.features === undefined ? {} : { features: first.settings.features }),
    ...(first.settings.output === undefined ? {} : { output: first.settings.output }),
    sliceBy: first.settings.slice_by,
    bootstrap: first.settings.bootstrap.resamples,
    confidence: first.settings.bootstrap.confidence,
    seed: first.settings.bootstrap.seed,
    provider: 'cpu',
    batchSize: DEFAULT_BATCH_SIZE,
  };
  const notes = [...new Set(ordered.flatMap(({ part }) => part.notes))];
  if (model === undefined) return { scored: { table, fileRows: rows, notes }, settings };

  const outputs = ordered.map(({ source, part }) => {
    if (part.output === undefined || part.model === undefined) {
      throw new InputError(`${source} has no model output`);
    }
    if (part.output.columns !== first.output?.columns) {
      throw new InputError(
        `${source}'s model output has ${part.output.columns} columns, ${ordered[0]?.source}'s ${first.output?.columns}`,
      );
    }
    const values = decodeNumbers(part.output.values, `${source} output`);
    if (values.length !== part.shard.rows * part.output.columns) {
      throw new InputError(
        `${source}: the model output holds ${values.length} values for ${part.shard.rows} rows`,
      );
    }
    return values;
  });
  const classes: ModelClasses | undefined = model.classes;
  const latencies = Float64Array.from(
    ordered.flatMap(({ part }) => part.measured?.latencies_ms ?? []),
  ).sort();
  const { output_type, classes: _classes, ...info } = model;
  return {
    scored: {
      table,
      fileRows: rows,
      output: {
        values: concatenateNumbers(outputs),
        columns: first.output?.columns ?? 1,
        type: output_type,
        classes,
      },
      model: info,
      ...(first.provider === undefined ? {} : { provider: first.provider }),
      measured: {
        rows: ordered.reduce((n, { part }) => n + (part.measured?.rows ?? 0), 0),
        seconds: ordered.reduce((n, { part }) => n + (part.measured?.seconds ?? 0), 0),
        latenciesMs: latencies,
        modelBytes: model.bytes,
      },
      ...(first.features === undefined ? {} : { features: first.features }),
      notes,
    },
    settings,
  };
}
