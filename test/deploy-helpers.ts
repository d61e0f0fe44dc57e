/**
 * What the deploy tests share: real ONNX models vetted by the real CLI (evaluate, then compare,
 * then register) into a temporary filesystem registry, and the registered models' own outputs
 * computed by onnxruntime, which the live server's answers must equal.
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsRegistry, type ModelVersion, type Registry, readTable } from '@modelgate/core';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { CLI_BIN, cli, FIXTURES, ROOT } from './helpers.ts';

/** A logistic regression (one sigmoid column) and an MLP (two softmax columns) on the same 30 features. */
export const MODEL_A = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
export const MODEL_B = join(ROOT, 'examples', 'breast-cancer', 'model.onnx');
/** A third real model on the same features, for the tampering test (its blob is not shared). */
export const MODEL_C = join(FIXTURES, 'binary-softmax', 'model.onnx');
/** Loads and warms like any model, but answers fresh random numbers on every run. */
export const MODEL_RANDOM = join(ROOT, 'test', 'fixtures', 'deploy', 'random-classifier.onnx');
/** 200 rows: 30 features, the label `target` and the slice column `size`. */
export const DATA = join(FIXTURES, 'binary-sigmoid', 'data.csv');
export const NAME = 'cancer';

async function run(args: string[], allowed = [0]): Promise<void> {
  const result = await cli(args);
  expect(allowed, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toContain(result.code);
}

/** The evaluation and verdict files of one model, made by the CLI as a workflow makes them. */
export interface Vetted {
  model: string;
  evaluation: string;
  verdict: string;
}

/**
 * Evaluates a model (features chosen by evaluate: every column but the label and `size`) and
 * gates it with `gates` against no baseline. `expectPass` says which way the gate must go.
 */
export async function vet(
  dir: string,
  id: string,
  model: string,
  gates: string,
  expectPass = true,
): Promise<Vetted> {
  const evaluation = join(dir, `eval-${id}.json`);
  const verdict = join(dir, `verdict-${id}.json`);
  const spec = join(dir, `gates-${id}.yml`);
  writeFileSync(spec, `model: ${NAME}\ngates:\n${gates}`);
  await run([
    'evaluate',
    '--model',
    model,
    '--data',
    DATA,
    '--label',
    'target',
    '--slice-by',
    'size',
    '--bootstrap',
    '0',
    '--out',
    evaluation,
  ]);
  await run(
    ['compare', '--candidate', evaluation, '--baseline', 'none', '--gates', spec, '--out', verdict],
    [expectPass ? 0 : 1],
  );
  return { model, evaluation, verdict };
}

/** Registers a vetted model; `requirePassed: false` stores a failed verdict (to show deploy refuses it). */
export async function register(registrySpec: string, vetted: Vetted, requirePassed = true): Promise<number> {
  const result = await cli([
    'register',
    '--name',
    NAME,
    '--model',
    vetted.model,
    '--evaluation',
    vetted.evaluation,
    '--verdict',
    vetted.verdict,
    '--registry',
    registrySpec,
    '--require-passed',
    String(requirePassed),
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as ModelVersion).version;
}

export function openFsRegistry(root: string): Registry {
  return createFsRegistry(root);
}

/** Replaces a registered model's bytes in the registry's blob store (they are read-only on purpose). */
export function tamperBlob(root: string, sha256: string): void {
  const path = join(root, 'blobs', 'sha256', sha256);
  const bytes = readFileSync(path);
  chmodSync(path, 0o644);
  // One flipped byte inside the weights: still a valid-looking file, no longer the vetted one.
  bytes[bytes.length - 8] = (bytes[bytes.length - 8] ?? 0) ^ 0xff;
  writeFileSync(path, bytes);
  chmodSync(path, 0o444);
}

/** The feature matrix of the test data (every column but `target` and `size`), row-major float32. */
export async function features(rows?: number): Promise<{ data: Float32Array; rows: number; width: number }> {
  const table = await readTable(DATA);
  const columns = table.columns.filter((c) => c !== 'target' && c !== 'size');
  const all = table.matrix(columns);
  const n = rows ?? table.rows;
  return { data: all.slice(0, n * columns.length), rows: n, width: columns.length };
}

/** A model file's own output for rows, by onnxruntime in this process. */
export async function ownOutput(
  model: string,
  data: Float32Array,
  rows: number,
  width: number,
): Promise<number[]> {
  const session = await ort.InferenceSession.create(model);
  try {
    const result = await session.run({ input: new ort.Tensor('float32', data, [rows, width]) });
    return Array.from(result.probabilities?.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** One infer request to a live server (unpinned unless `version`), with the version that answered. */
export async function infer(
  url: string,
  input: { data: Float32Array; rows: number; width: number },
  version?: number,
): Promise<{ status: number; version: string | null; data: number[] }> {
  const path =
    version === undefined ? `/v2/models/${NAME}/infer` : `/v2/models/${NAME}/versions/${version}/infer`;
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [
        { name: 'input', shape: [input.rows, input.width], datatype: 'FP32', data: Array.from(input.data) },
      ],
    }),
  });
  const body = (await response.json()) as { outputs?: Array<{ name: string; data: number[] }> };
  const output = body.outputs?.find((o) => o.name === 'probabilities');
  return {
    status: response.status,
    version: response.headers.get('x-modelgate-version'),
    data: output?.data ?? [],
  };
}

/** A `modelgate serve` process on a free loopback port, as a user starts one. */
export interface ServeProcess {
  url: string;
  /** `grpc://HOST:PORT` when started with `grpc: true` (`--grpc-port 0`). */
  grpcUrl: string | undefined;
  /** The admin token the server generated into `.modelgate/admin-token` under its cwd. */
  token: string;
  stop(): Promise<void>;
}

/**
 * Starts `modelgate serve --port 0` in `cwd`, with no MODELGATE_ADMIN_TOKEN: it generates the
 * token file that `modelgate deploy` run from the same directory reads. A separate process, as
 * in real use (and onnxruntime seeds its random operators per process, which the random model
 * of the smoke-check test relies on).
 */
export async function serveProcess(
  cwd: string,
  registrySpec: string,
  options: { grpc?: boolean } = {},
): Promise<ServeProcess> {
  const { MODELGATE_ADMIN_TOKEN: _unset, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [
      CLI_BIN,
      'serve',
      '--port',
      '0',
      ...(options.grpc === true ? ['--grpc-port', '0'] : []),
      '--registry',
      registrySpec,
      '--quiet',
    ],
    {
      cwd,
      env: { ...env, MODELGATE_DEBUG: '' },
    },
  );
  let output = '';
  let grpcUrl: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`modelgate serve did not start:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output);
      grpcUrl = /listening on (grpc:\/\/\S+)/.exec(output)?.[1];
      if (found?.[1] !== undefined && (options.grpc !== true || grpcUrl !== undefined)) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`modelgate serve exited with ${code}:\n${output}`));
    });
  });
  const token = readFileSync(join(cwd, '.modelgate', 'admin-token'), 'utf8').trim();
  return {
    url,
    grpcUrl,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The admin API's view of the model: primary, canary, previous. */
export async function adminState(
  url: string,
  token: string,
): Promise<{
  primary: { version: number; sha256: string } | null;
  canary: { version: number; percent: number } | null;
  previous: { version: number } | null;
}> {
  const response = await fetch(`${url}/admin/models`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { models: Array<{ name: string }> };
  const state = body.models.find((m) => m.name === NAME);
  return (state ?? { primary: null, canary: null, previous: null }) as never;
}

/** Element-wise agreement within the smoke check's tolerance. */
export function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as number;
    expect(Math.abs((actual[i] as number) - want), `value ${i}`).toBeLessThanOrEqual(
      1e-6 + 1e-5 * Math.abs(want),
    );
  }
}
