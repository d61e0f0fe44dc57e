import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, type Table } from '../data/index.ts';
import { type LoadedModel, loadModel, tensorToFloat64, type ValueInfo } from '../inference/model.ts';
import { chooseOutput } from '../inference/predict.ts';
import type { RuntimeLoader } from '../inference/runtime.ts';
import { InputError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/ports.ts';
import type { ModelVersion } from '../registry/types.ts';
import { DeployCheckError, type InferenceEndpoint } from './types.ts';

/**
 * The smoke check's tolerance. The live server and the local session run the same bytes on the
 * same onnxruntime, but the server batches rows with other requests, and a matrix product over
 * a different batch size may round differently in the last bits of a float32: 1e-5 relative
 * (with a floor for values near zero) allows that and nothing a different model would produce.
 */
export const SMOKE_RELATIVE_TOLERANCE = 1e-5;
export const SMOKE_ABSOLUTE_TOLERANCE = 1e-6;
/** Rows per infer request: small enough for any server's body limit, large enough to be quick. */
const ROWS_PER_REQUEST = 256;
/** Rows of the synthetic probe sent when no smoke data is given. */
const PROBE_ROWS = 16;
/** Mismatches quoted in a failure message. */
const QUOTED_MISMATCHES = 3;

/** The rows to send and what the registered model itself answers for them. */
export interface SmokeCheck {
  /** Where the rows came from, for messages. */
  readonly source: string;
  readonly rows: number;
  /**
   * Sends every row through the endpoint and compares the answers with the registered model's
   * own output. Throws a {@link DeployCheckError} naming the first rows that differ.
   */
  run(endpoint: InferenceEndpoint, expectVersion?: string): Promise<void>;
}

/**
 * Prepares the smoke check before anything changes: reads the smoke data, picks the features
 * the way evaluate picked them for this version (its record's `data.features`, else every column
 * but the label and the slice columns), and computes the expected outputs locally with
 * onnxruntime on the digest-verified bytes. With no smoke data, a seeded synthetic probe of the
 * model's input width is used: it cannot say the answers are good, but it does say the live
 * model computes the same function as the registered file.
 */
export async function prepareSmoke(
  version: ModelVersion,
  bytes: Uint8Array,
  smokeData: string | undefined,
  options: { runtime?: RuntimeLoader; logger: Logger },
): Promise<SmokeCheck | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'modelgate-smoke-'));
  const path = join(dir, `${version.name}-v${version.version}.onnx`);
  try {
    await writeFile(path, bytes);
    const model = await loadModel(path, {
      provider: 'cpu',
      ...(options.runtime ? { runtime: options.runtime } : {}),
    });
    try {
      const input = singleFloatInput(model, version);
      const output = chooseOutput(model, version.evaluation?.model?.output);
      let features: Float32Array;
      let width: number;
      let source: string;
      if (smokeData !== undefined) {
        const table = await readTable(smokeData);
        const columns = smokeFeatures(table, version);
        width = columns.length;
        checkWidth(input, width, version, smokeData);
        features = table.matrix(columns);
        source = `${smokeData} (${table.rows} rows × ${width} features)`;
      } else {
        const declared = input.shape[1];
        if (typeof declared !== 'number') {
          options.logger.warning(
            `no smoke-data given and the model's input width is not fixed ([${input.shape.join(', ')}]): the live endpoint is checked for health and version only`,
          );
          return undefined;
        }
        width = declared;
        features = probeRows(PROBE_ROWS, width);
        source = `a synthetic probe of ${PROBE_ROWS} rows (no smoke-data given)`;
      }
      const rows = features.length / width;
      const expected = await runLocally(model, input, output, features, width);
      return {
        source,
        rows,
        run: (endpoint, expectVersion) =>
          compareLive(endpoint, {
            input: input.name,
            output: output.name,
            features,
            width,
            rows,
            expected,
            expectVersion,
          }),
      };
    } finally {
      await model.session.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function singleFloatInput(model: LoadedModel, version: ModelVersion): ValueInfo {
  const input = model.inputs[0];
  if (input === undefined || model.inputs.length !== 1) {
    throw new InputError(
      `${version.name} v${version.version} has ${model.inputs.length} inputs; the smoke check feeds one [N, features] tensor`,
    );
  }
  if (input.type !== 'float32') {
    throw new InputError(
      `${version.name} v${version.version} takes ${input.type} input '${input.name}'; the smoke check sends FP32 tensors`,
    );
  }
  return input;
}

/** The feature columns, chosen as the version's evaluation chose them. */
export function smokeFeatures(table: Table, version: ModelVersion): string[] {
  const recorded = version.evaluation?.data.features;
  if (recorded !== undefined && recorded.length > 0) {
    const missing = recorded.filter((name) => !table.columns.includes(name));
    if (missing.length > 0) {
      throw new InputError(
        `smoke data ${table.path} lacks the feature column(s) ${missing.join(', ')} that ${version.name} v${version.version} was evaluated with`,
        { hint: `its features are: ${recorded.join(', ')}` },
      );
    }
    return [...recorded];
  }
  const excluded = new Set<string>([
    ...(version.evaluation?.data.label === undefined ? [] : [version.evaluation.data.label]),
    ...(version.evaluation?.slices ?? []).map((slice) => slice.column),
  ]);
  const features = table.columns.filter((column) => !excluded.has(column));
  if (features.length === 0) throw new InputError(`smoke data ${table.path} has no feature columns`);
  return features;
}

function checkWidth(input: ValueInfo, width: number, version: ModelVersion, file: string): void {
  const declared = input.shape[1];
  if (typeof declared === 'number' && declared !== width) {
    throw new InputError(
      `smoke data ${file} gives ${width} feature columns but ${version.name} v${version.version} takes ${declared} (input '${input.name}' [${input.shape.join(', ')}])`,
      {
        hint: 'the smoke data needs the columns the model was evaluated with; extra label or slice columns are left out by name',
      },
    );
  }
}

/** A fixed pseudo-random probe (xorshift32), the same on every run, in [-2, 2]. */
function probeRows(rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  let state = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 0xffffffff) * 4 - 2;
  }
  return out;
}

/** The registered model's own output for the rows, in the same batches the endpoint will get. */
async function runLocally(
  model: LoadedModel,
  input: ValueInfo,
  output: ValueInfo,
  features: Float32Array,
  width: number,
): Promise<Float64Array[]> {
  const rows = features.length / width;
  const batches: Float64Array[] = [];
  for (let start = 0; start < rows; start += ROWS_PER_REQUEST) {
    const end = Math.min(rows, start + ROWS_PER_REQUEST);
    const tensor = new model.runtime.Tensor('float32', features.slice(start * width, end * width), [
      end - start,
      width,
    ]);
    try {
      const result = await model.session.run({ [input.name]: tensor }, [output.name]);
      const out = result[output.name];
      if (out === undefined) throw new Error(`onnxruntime returned no '${output.name}'`);
      batches.push(tensorToFloat64(out));
      out.dispose();
    } finally {
      tensor.dispose();
    }
  }
  return batches;
}

async function compareLive(
  endpoint: InferenceEndpoint,
  check: {
    input: string;
    output: string;
    features: Float32Array;
    width: number;
    rows: number;
    expected: Float64Array[];
    expectVersion: string | undefined;
  },
): Promise<void> {
  const mismatches: string[] = [];
  let differing = 0;
  for (let batch = 0, start = 0; start < check.rows; batch++, start += ROWS_PER_REQUEST) {
    const end = Math.min(check.rows, start + ROWS_PER_REQUEST);
    const expected = check.expected[batch] as Float64Array;
    const answer = await endpoint.infer({
      input: { name: check.input, datatype: 'FP32', shape: [end - start, check.width] },
      data: check.features.subarray(start * check.width, end * check.width),
      output: check.output,
    });
    if (
      check.expectVersion !== undefined &&
      answer.version !== undefined &&
      answer.version !== check.expectVersion
    ) {
      throw new DeployCheckError(
        `${endpoint.describe} was answered by version ${answer.version}, not ${check.expectVersion}`,
      );
    }
    if (answer.data.length !== expected.length || answer.shape[0] !== end - start) {
      throw new DeployCheckError(
        `${endpoint.describe} answered output '${check.output}' with shape [${answer.shape.join(', ')}] (${answer.data.length} values) for ${end - start} rows; the registered model gives ${expected.length} values`,
      );
    }
    const perRow = expected.length / (end - start);
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i] as number;
      const got = Number(answer.data[i]);
      if (agrees(got, want)) continue;
      differing++;
      if (mismatches.length < QUOTED_MISMATCHES) {
        const row = start + Math.floor(i / perRow);
        mismatches.push(`row ${row + 1} ${check.output}[${i % perRow}]: live ${got} vs registered ${want}`);
      }
    }
  }
  if (differing > 0) {
    throw new DeployCheckError(
      `the smoke check failed: ${differing} output value(s) from ${endpoint.describe} differ from the registered model's own output (${mismatches.join('; ')})`,
    );
  }
}

function agrees(got: number, want: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  return Math.abs(got - want) <= SMOKE_ABSOLUTE_TOLERANCE + SMOKE_RELATIVE_TOLERANCE * Math.abs(want);
}
