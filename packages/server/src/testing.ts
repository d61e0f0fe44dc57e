import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsRegistry, type ModelVersion, type Registry } from '@modelgate/core';
import * as ort from 'onnxruntime-node';
import { afterAll } from 'vitest';

/** Helpers for the server's tests: real models in a real filesystem registry, and a small client. */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** A logistic regression over the 30 breast-cancer features: probabilities [N, 1]. */
export const MODEL_V1 = join(ROOT, 'test', 'fixtures', 'models', 'binary-sigmoid', 'model.onnx');
/** An MLP over the same 30 features: probabilities [N, 2]. */
export const MODEL_V2 = join(ROOT, 'examples', 'breast-cancer', 'model.onnx');
/** Another model over the same features, registered to be tampered with. */
export const MODEL_V3 = join(ROOT, 'examples', 'breast-cancer', 'baseline.onnx');
/** A tree classifier over 4 features whose `label` output is int64. */
export const MODEL_TREE = join(ROOT, 'test', 'fixtures', 'models', 'multiclass-tree', 'model.onnx');
/** A graph with an int64 input (see fixtures/make_int64_model.py). */
export const MODEL_INT64 = join(ROOT, 'packages', 'server', 'fixtures', 'int64-input.onnx');
/** The breast-cancer rows the models were evaluated on (30 feature columns, then `target`). */
export const DATA = join(ROOT, 'test', 'fixtures', 'models', 'binary-sigmoid', 'data.csv');
export const FEATURES = 30;

/** A temporary directory removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Registers model files as versions 1, 2, … of `name` (no verdict needed for serving tests). */
export async function registerAll(
  registry: Registry,
  name: string,
  paths: readonly string[],
): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  for (const modelPath of paths) {
    versions.push(
      await registry.register({
        name,
        modelPath,
        evaluation: null,
        verdict: null,
        lineage: {},
        requirePassed: false,
      }),
    );
  }
  return versions;
}

/** A fresh filesystem registry under `dir`. */
export function freshRegistry(dir: string, label: string): { registry: Registry; root: string } {
  const root = join(dir, label);
  return { registry: createFsRegistry(root), root };
}

/** The first `rows` rows of the breast-cancer features (30 columns), as the CSV gives them. */
export function featureRows(rows: number): number[][] {
  const lines = readFileSync(DATA, 'utf8')
    .trim()
    .split('\n')
    .slice(1, rows + 1);
  return lines.map((line) => line.split(',').slice(0, FEATURES).map(Number));
}

/** The model's own answer: an in-process onnxruntime-node run on the same float32 values. */
export async function ownOutput(
  modelPath: string,
  input: { name: string; type: 'float32' | 'int64'; shape: number[]; data: number[] },
  output: string,
): Promise<{ dims: number[]; data: number[] }> {
  const session = await ort.InferenceSession.create(modelPath);
  const data =
    input.type === 'int64' ? BigInt64Array.from(input.data, BigInt) : Float32Array.from(input.data);
  const result = await session.run({ [input.name]: new ort.Tensor(input.type, data, input.shape) }, [output]);
  const tensor = result[output] as ort.Tensor;
  await session.release();
  return { dims: [...tensor.dims], data: Array.from(tensor.data as ArrayLike<number | bigint>, Number) };
}

/** An infer body with one FP32 input named `input`. */
export function inferBody(rows: number[][], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    inputs: [
      {
        name: 'input',
        shape: [rows.length, rows[0]?.length ?? FEATURES],
        datatype: 'FP32',
        data: rows.flat(),
      },
    ],
    ...extra,
  });
}

export interface Answer {
  status: number;
  version: string | null;
  body: Record<string, unknown> & {
    error?: string;
    outputs?: Array<{ name: string; datatype: string; shape: number[]; data: number[] }>;
  };
}

/** A small client for one server. */
export function client(url: string, token: string) {
  const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      version: response.headers.get('x-modelgate-version'),
      body: text.startsWith('{') ? JSON.parse(text) : { text },
    } as Answer;
  };
  return {
    get: (path: string) => call('GET', path),
    infer: (model: string, body: string, version?: number) =>
      call(
        'POST',
        version === undefined ? `/v2/models/${model}/infer` : `/v2/models/${model}/versions/${version}/infer`,
        body,
      ),
    admin: (path: string, body?: unknown, auth: string | null = token) =>
      call(
        body === undefined ? 'GET' : 'POST',
        `/admin${path}`,
        body === undefined ? undefined : JSON.stringify(body),
        auth === null ? {} : { authorization: `Bearer ${auth}` },
      ),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
  };
}

/** The value of one Prometheus sample line, e.g. `modelgate_batch_size_count{model="cancer",version="1"}`. */
export function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}
