import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelVersion, Registry } from '@modelgate/core';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './index.ts';
import {
  type Answer,
  client,
  FEATURES,
  featureRows,
  freshRegistry,
  inferBody,
  MODEL_INT64,
  MODEL_TREE,
  MODEL_V1,
  MODEL_V2,
  MODEL_V3,
  ownOutput,
  registerAll,
  sample,
  tempDir,
} from './testing.ts';

/**
 * The model server on loopback, with real ONNX models from a real filesystem registry: the
 * Open Inference Protocol endpoints, the admin API and its token, sha256 refusals, swaps under
 * load, the canary split, rollback and promote, dynamic batching, and the metrics.
 */
const TOKEN = 'test-admin-token';
const dir = tempDir('modelgate-server-');
let registry: Registry;
let registryRoot: string;
let versions: ModelVersion[];
const servers: RunningServer[] = [];

async function serve(options: { maxBatch?: number; maxWaitMs?: number } = {}) {
  const server = await startServer({ registry, port: 0, adminToken: TOKEN, ...options });
  servers.push(server);
  return { server, api: client(server.url, TOKEN) };
}

beforeAll(async () => {
  ({ registry, root: registryRoot } = freshRegistry(dir, 'registry'));
  versions = await registerAll(registry, 'cancer', [MODEL_V1, MODEL_V2, MODEL_V3]);
  await registerAll(registry, 'iris', [MODEL_TREE]);
  await registerAll(registry, 'codes', [MODEL_INT64]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Batched float32 products may round differently in the last bit than an unbatched run. */
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, 6);
}

describe('the Open Inference Protocol endpoints', () => {
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    ({ api } = await serve());
  });

  it('is live at once, and ready only once a model is loaded and warm', async () => {
    expect((await api.get('/v2/health/live')).status).toBe(200);
    const before = await api.get('/v2/health/ready');
    expect(before).toMatchObject({ status: 503, body: { ready: false } });
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
    expect(await api.get('/v2/health/ready')).toMatchObject({ status: 200, body: { ready: true } });
    expect(await api.get('/v2/models/cancer/ready')).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('describes the model with the loaded version and its sha256', async () => {
    const { status, body } = await api.get('/v2/models/cancer');
    expect(status).toBe(200);
    expect(body).toEqual({
      name: 'cancer',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, FEATURES] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 1] }],
      modelgate: { version: 1, sha256: versions[0]?.sha256, canary: null },
    });
  });

  it("answers with exactly the model's own outputs, for v1 and then v2", async () => {
    const rows = featureRows(25);
    for (const [version, path, width] of [
      [1, MODEL_V1, 1],
      [2, MODEL_V2, 2],
    ] as const) {
      if (version === 2) expect((await api.admin('/models/cancer/load', { version: 2 })).status).toBe(200);
      const answer = await api.infer('cancer', inferBody(rows, { id: `req-${version}` }));
      const own = await ownOutput(
        path,
        { name: 'input', type: 'float32', shape: [rows.length, FEATURES], data: rows.flat() },
        'probabilities',
      );
      expect(answer.status).toBe(200);
      expect(answer.version).toBe(String(version));
      expect(answer.body).toMatchObject({
        model_name: 'cancer',
        model_version: String(version),
        id: `req-${version}`,
      });
      expect(answer.body.outputs).toEqual([
        { name: 'probabilities', datatype: 'FP32', shape: [rows.length, width], data: own.data },
      ]);
    }
    const metadata = await api.get('/v2/models/cancer');
    expect(metadata.body).toMatchObject({
      versions: ['2'],
      modelgate: { version: 2, sha256: versions[1]?.sha256 },
    });
  });

  it('takes nested row-major data as well as flat data', async () => {
    const rows = featureRows(3);
    const nested = JSON.stringify({
      inputs: [{ name: 'input', shape: [3, FEATURES], datatype: 'FP32', data: rows }],
    });
    const [flatAnswer, nestedAnswer] = [
      await api.infer('cancer', inferBody(rows)),
      await api.infer('cancer', nested),
    ];
    expect(nestedAnswer.status).toBe(200);
    expect(nestedAnswer.body.outputs).toEqual(flatAnswer.body.outputs);
  });

  it('returns only the outputs asked for, and int64 outputs as plain numbers', async () => {
    expect((await api.admin('/models/iris/load', { version: 1 })).status).toBe(200);
    const data = [5.6, 2.8, 4.9, 2.0, 5.1, 3.5, 1.4, 0.2];
    const body = JSON.stringify({
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }],
      outputs: [{ name: 'label' }],
    });
    const answer = await api.infer('iris', body);
    const own = await ownOutput(MODEL_TREE, { name: 'input', type: 'float32', shape: [2, 4], data }, 'label');
    expect(answer.status).toBe(200);
    expect(answer.body.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [2], data: own.data }]);
    expect(own.data).toEqual([2, 0]);
  });

  it('takes INT64 input tensors', async () => {
    expect((await api.admin('/models/codes/load', { version: 1 })).status).toBe(200);
    const body = JSON.stringify({
      inputs: [{ name: 'codes', shape: [2, 3], datatype: 'INT64', data: [1, -2, 3, 4, 5, 9007199254740991] }],
    });
    const answer = await api.infer('codes', body);
    expect(answer.status).toBe(200);
    expect(answer.body.outputs).toEqual([
      { name: 'doubled', datatype: 'INT64', shape: [2, 3], data: [2, -4, 6, 8, 10, 18014398509481982] },
      {
        name: 'scaled',
        datatype: 'FP32',
        shape: [2, 3],
        data: [0.5, -1, 1.5, 2, 2.5, Math.fround(9007199254740991) / 2],
      },
    ]);
  });

  it('refuses bad tensors with a 400 that names the input and what was expected', async () => {
    const row = featureRows(1)[0] as number[];
    const cases: Array<[string, RegExp]> = [
      [
        JSON.stringify({ inputs: [{ name: 'input', shape: [1, 29], datatype: 'FP32', data: row.slice(1) }] }),
        /input 'input' has shape \[1, 29\]; the model expects \[-1, 30\]/,
      ],
      [
        JSON.stringify({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'INT64', data: row }] }),
        /input 'input' has datatype "INT64"; the model expects FP32/,
      ],
      [
        JSON.stringify({ inputs: [{ name: 'input', shape: [2, 30], datatype: 'FP32', data: row }] }),
        /input 'input' has 30 values, but shape \[2, 30\] needs 60/,
      ],
      [
        JSON.stringify({ inputs: [{ name: 'inputs', shape: [1, 30], datatype: 'FP32', data: row }] }),
        /unknown input 'inputs': the model's inputs are: 'input' \(did you mean 'input'\?\)/,
      ],
      [
        JSON.stringify({
          inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: [...row.slice(1), 'x'] }],
        }),
        /input 'input' data\[29\] is "x"; expected a number/,
      ],
      [
        JSON.stringify({ inputs: [] }),
        /"inputs" must be a non-empty array of tensors; the model's inputs are: 'input'/,
      ],
      [
        inferBody([row], { outputs: [{ name: 'proba' }] }),
        /unknown output 'proba': the model's outputs are: 'probabilities'/,
      ],
      ['{"inputs": [', /request body is not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await api.infer('cancer', body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
  });

  it('answers 404 for a model it does not hold and a version that takes no traffic', async () => {
    const unknown = await api.infer('cancr', inferBody(featureRows(1)));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(
      /model 'cancr' is not loaded on this server \(loaded: cancer, codes, iris\)/,
    );
    const notServing = await api.infer('cancer', inferBody(featureRows(1)), 3);
    expect(notServing.status).toBe(404);
    expect(notServing.body.error).toMatch(/model 'cancer' has no version 3 taking traffic \(primary v2\)/);
    expect((await api.get('/v2/models/cancr')).status).toBe(404);
    expect((await api.get('/v2/nothing/here')).status).toBe(404);
  });
});

describe('the admin API', () => {
  let api: ReturnType<typeof client>;
  let server: RunningServer;
  beforeAll(async () => {
    ({ api, server } = await serve());
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
  });

  it('needs the token: 401 without it, 403 with a wrong one', async () => {
    const missing = await api.admin('/models', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatch(/needs an admin token: send Authorization: Bearer <token>/);
    const wrong = await api.admin('/models/cancer/load', { version: 2 }, 'not-the-token');
    expect(wrong.status).toBe(403);
    const state = await api.admin('/models');
    expect(state).toMatchObject({
      status: 200,
      body: { models: [{ name: 'cancer', primary: { version: 1 }, canary: null, previous: null }] },
    });
  });

  it('refuses bad bodies (400) and unknown models or versions (404)', async () => {
    expect((await api.admin('/models/cancer/load', { version: 'two' })).body.error).toMatch(
      /"version" must be a version number/,
    );
    expect((await api.admin('/models/cancer/load', { version: 1, canary_percent: 120 })).status).toBe(400);
    const noVersion = await api.admin('/models/cancer/load', { version: 9 });
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error).toMatch(/model 'cancer' has no version 9: it has versions 1–3/);
    const noModel = await api.admin('/models/cancr/load', { version: 1 });
    expect(noModel.status).toBe(404);
    expect(noModel.body.error).toMatch(
      /no model named 'cancr' in the registry .*\(hint: did you mean 'cancer'\?\)/,
    );
    const badName = await api.admin('/models/..%2Fx/load', { version: 1 });
    expect(badName.status).toBe(400);
    expect(badName.body.error).toMatch(/model name '..\/x' is not valid/);
  });

  it('refuses a canary for a model with no primary (409), and a file that is not ONNX (422)', async () => {
    const canary = await api.admin('/models/iris/load', { version: 1, canary_percent: 10 });
    expect(canary.status).toBe(409);
    expect(canary.body.error).toMatch(
      /model 'iris' has no primary version on this server to split traffic with/,
    );
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'this is not a model');
    await registerAll(registry, 'broken', [garbage]);
    const broken = await api.admin('/models/broken/load', { version: 1 });
    expect(broken.status).toBe(422);
    expect(broken.body.error).toMatch(
      /model file broken v1 \(sha256 [0-9a-f]{64}\) is not a valid ONNX model/,
    );
    expect((await api.admin('/models')).body.models).toHaveLength(1);
  });

  it('refuses a tampered model file with 409, and the old version keeps serving', async () => {
    const tampered = versions[2] as ModelVersion;
    const blob = join(registryRoot, 'blobs', 'sha256', tampered.sha256);
    const original = readFileSync(blob);
    const changed = Buffer.from(original);
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 0xff;
    chmodSync(blob, 0o644);
    writeFileSync(blob, changed);
    try {
      const refused = await api.admin('/models/cancer/load', { version: 3 });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(
        new RegExp(
          `refusing cancer v3: .* has sha256 [0-9a-f]{64}, but the registry recorded ${tampered.sha256}`,
        ),
      );
      const canary = await api.admin('/models/cancer/load', { version: 3, canary_percent: 50 });
      expect(canary.status).toBe(409);
    } finally {
      writeFileSync(blob, original);
      chmodSync(blob, 0o444);
    }
    expect((await api.admin('/models')).body).toMatchObject({
      models: [{ name: 'cancer', primary: { version: 1 }, canary: null, previous: null }],
    });
    const answer = await api.infer('cancer', inferBody(featureRows(2)));
    expect(answer).toMatchObject({ status: 200, version: '1' });
    const metrics = await api.metrics();
    expect(
      sample(metrics, 'modelgate_admin_operations_total', {
        model: 'cancer',
        operation: 'load',
        status: '409',
      }),
    ).toBe(2);
  });

  it('splits traffic 80/20 with a canary, then promotes it and rolls back', async () => {
    const load = await api.admin('/models/cancer/load', { version: 2, canary_percent: 20 });
    expect(load.body).toMatchObject({
      primary: { version: 1 },
      canary: { version: 2, percent: 20, sha256: versions[1]?.sha256 },
      previous: null,
    });
    const body = inferBody(featureRows(1));
    const answered = new Map<string | null, number>();
    const workers = Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 100; i++) {
        const answer = await api.infer('cancer', body);
        expect(answer.status).toBe(200);
        answered.set(answer.version, (answered.get(answer.version) ?? 0) + 1);
      }
    });
    await Promise.all(workers);
    // The split is counter-based, not random: 1,000 requests at 20% give the canary exactly 200.
    expect(Object.fromEntries(answered)).toEqual({ '1': 800, '2': 200 });

    const pinned = await api.infer('cancer', body, 2);
    expect(pinned).toMatchObject({ status: 200, version: '2' });
    const meta = await api.get('/v2/models/cancer');
    expect(meta.body).toMatchObject({ versions: ['1'], modelgate: { canary: { version: 2, percent: 20 } } });

    expect((await api.admin('/models/cancer/canary', { percent: 50 })).body).toMatchObject({
      canary: { percent: 50 },
    });
    const promoted = await api.admin('/models/cancer/promote', {});
    expect(promoted.body).toMatchObject({ primary: { version: 2 }, canary: null, previous: { version: 1 } });
    expect((await api.infer('cancer', body)).version).toBe('2');

    const rolledBack = await api.admin('/models/cancer/rollback', {});
    expect(rolledBack.body).toMatchObject({ primary: { version: 1 }, canary: null, previous: null });
    expect((await api.infer('cancer', body)).version).toBe('1');
    const nothingLeft = await api.admin('/models/cancer/rollback', {});
    expect(nothingLeft.status).toBe(409);
    expect(nothingLeft.body.error).toMatch(/nothing to roll back to/);
  });

  it('rolls a canary back by dropping it, leaving the primary with all the traffic', async () => {
    await api.admin('/models/cancer/load', { version: 2, canary_percent: 100 });
    expect((await api.infer('cancer', inferBody(featureRows(1)))).version).toBe('2');
    const state = await api.admin('/models/cancer/rollback', {});
    expect(state.body).toMatchObject({ primary: { version: 1 }, canary: null });
    expect((await api.infer('cancer', inferBody(featureRows(1)))).version).toBe('1');
    expect((await api.admin('/models/cancer/promote', {})).status).toBe(409);
  });

  it('publishes the loaded versions and request counts as Prometheus metrics', async () => {
    const metrics = await api.metrics();
    expect(sample(metrics, 'modelgate_loaded_version', { model: 'cancer', role: 'primary' })).toBe(1);
    expect(sample(metrics, 'modelgate_canary_percent', { model: 'cancer' })).toBe(0);
    expect(
      sample(metrics, 'modelgate_infer_requests_total', { model: 'cancer', version: '2', status: '200' }),
    ).toBeGreaterThan(190);
    expect(
      sample(metrics, 'modelgate_infer_duration_seconds_count', { model: 'cancer', version: '1' }),
    ).toBeGreaterThan(790);
    expect(server.metrics.registry).not.toBe(undefined);
  });
});

describe('a swap under load', () => {
  it('loses no request while v1 → v2 → rollback → v2 swaps, and then v2 answers', async () => {
    const { server, api } = await serve();
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
    const rows = featureRows(1);
    const CONNECTIONS = 16;
    // Responses before the swaps start, and after they finish: the run stops itself then.
    const BEFORE = 400;
    const AFTER = 1000;
    const statuses = new Map<number, number>();
    const answeredBy: string[] = [];
    let swaps: Promise<void> | undefined;
    let swappedAt: number | undefined;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const run = autocannon(
        {
          url: server.url,
          connections: CONNECTIONS,
          // A bound, should the swaps never finish; the run normally stops well before.
          duration: 20,
          requests: [
            {
              method: 'POST',
              path: '/v2/models/cancer/infer',
              headers: { 'content-type': 'application/json' },
              body: inferBody(rows),
              onResponse: (status, _body, _context, headers) => {
                statuses.set(status, (statuses.get(status) ?? 0) + 1);
                answeredBy.push(String((headers as Record<string, string>)['x-modelgate-version']));
                // Swap while requests are in flight: load v2, roll it back (v2's session is
                // released under load once its last request finishes), then load v2 again.
                if (answeredBy.length === BEFORE) {
                  swaps = (async () => {
                    await api.admin('/models/cancer/load', { version: 2 });
                    await api.admin('/models/cancer/rollback', {});
                    await api.admin('/models/cancer/load', { version: 2 });
                    swappedAt = answeredBy.length;
                  })();
                }
                if (swappedAt !== undefined && answeredBy.length === swappedAt + AFTER) run.stop();
              },
            },
          ],
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
    });
    await swaps;
    const count = (version: string, from = 0) => answeredBy.slice(from).filter((v) => v === version).length;
    expect(result.errors + result.timeouts + result.non2xx).toBe(0);
    expect([...statuses.keys()]).toEqual([200]);
    expect(swappedAt).toBeDefined();
    expect(answeredBy.length).toBeGreaterThanOrEqual((swappedAt as number) + AFTER);
    expect(count('1')).toBeGreaterThan(BEFORE - 1);
    // Only requests already in flight when the last swap landed (one per connection) may still
    // have been answered by v1; every later one was answered by v2.
    const settled = (swappedAt as number) + CONNECTIONS;
    expect(count('1', settled)).toBe(0);
    expect(count('2', settled)).toBe(answeredBy.length - settled);
    console.info(
      `swap under load: ${answeredBy.length} requests on ${CONNECTIONS} connections, 0 failed; v1 answered ${count('1')}, v2 ${count('2')}; the swaps landed after response ${swappedAt}`,
    );
  });
});

/**
 * Drives `requests` infer requests on `connections` keep-alive connections, as a load generator
 * does: each connection sends its next request when its last is answered, so requests pile up
 * while a run is in flight. The bodies are taken in turn; `check` sees each answer.
 */
async function underLoad(
  url: string,
  bodies: readonly string[],
  check: (status: number, body: Answer['body'], index: number) => void,
  requests = 960,
  connections = 16,
): Promise<void> {
  let failure: unknown;
  await autocannon({
    url,
    connections,
    amount: requests,
    requests: bodies.map((body, index) => ({
      method: 'POST' as const,
      path: '/v2/models/cancer/infer',
      headers: { 'content-type': 'application/json' },
      body,
      onResponse: (status: number, text: string) => {
        try {
          check(status, JSON.parse(text), index);
        } catch (error) {
          failure ??= error;
        }
      },
    })),
  });
  if (failure !== undefined) throw failure;
}

describe('dynamic batching', () => {
  const rows = featureRows(48);

  async function concurrentSingles(api: ReturnType<typeof client>) {
    return Promise.all(rows.map((row) => api.infer('cancer', inferBody([row]))));
  }

  it('runs the requests that arrive while a run is in flight together, and hands each its own rows back', async () => {
    const { server, api } = await serve({ maxBatch: 64, maxWaitMs: 25 });
    await api.admin('/models/cancer/load', { version: 2 });
    const some = rows.slice(0, 8);
    const own = await ownOutput(
      MODEL_V2,
      { name: 'input', type: 'float32', shape: [some.length, FEATURES], data: some.flat() },
      'probabilities',
    );
    let answered = 0;
    await underLoad(
      server.url,
      some.map((row) => inferBody([row])),
      (status, body, i) => {
        expect(status).toBe(200);
        const output = body.outputs?.[0];
        expect(output?.shape).toEqual([1, 2]);
        expectClose(output?.data ?? [], own.data.slice(i * 2, i * 2 + 2));
        answered++;
      },
    );
    expect(answered).toBe(960);
    const metrics = await api.metrics();
    const labels = { model: 'cancer', version: '2' };
    const runs = sample(metrics, 'modelgate_batch_size_count', labels) as number;
    expect(sample(metrics, 'modelgate_batch_size_sum', labels)).toBe(960);
    expect(runs).toBeLessThan(960);
    expect(sample(metrics, 'modelgate_batch_size_bucket', { ...labels, le: '1' })).toBeLessThan(runs);
  });

  it('keeps requests of several rows whole inside a batch', async () => {
    const { server, api } = await serve({ maxBatch: 64, maxWaitMs: 25 });
    await api.admin('/models/cancer/load', { version: 1 });
    const sizes = [2, 5, 1, 7, 3];
    let start = 0;
    const parts = sizes.map((size) => {
      const part = rows.slice(start, start + size);
      start += size;
      return part;
    });
    const own = await ownOutput(
      MODEL_V1,
      { name: 'input', type: 'float32', shape: [start, FEATURES], data: rows.slice(0, start).flat() },
      'probabilities',
    );
    const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    let answered = 0;
    await underLoad(
      server.url,
      parts.map((part) => inferBody(part)),
      (status, body, i) => {
        expect(status).toBe(200);
        const size = sizes[i] as number;
        const offset = offsets[i] as number;
        expect(body.outputs?.[0]?.shape).toEqual([size, 1]);
        answered += size;
        expectClose(body.outputs?.[0]?.data ?? [], own.data.slice(offset, offset + size));
      },
      500,
    );
    const labels = { model: 'cancer', version: '1' };
    const metrics = await api.metrics();
    // 500 requests of 1 to 7 rows, in fewer runs than requests.
    expect(sample(metrics, 'modelgate_batch_size_sum', labels)).toBe(answered);
    expect(sample(metrics, 'modelgate_batch_size_count', labels)).toBeLessThan(500);
  });

  it('runs every request alone with --max-batch 1', async () => {
    const { api } = await serve({ maxBatch: 1 });
    await api.admin('/models/cancer/load', { version: 2 });
    const answers = await concurrentSingles(api);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const metrics = await api.metrics();
    expect(sample(metrics, 'modelgate_batch_size_count', { model: 'cancer', version: '2' })).toBe(48);
  });
});
