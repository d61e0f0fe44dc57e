import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  DeployCheckError,
  type ModelVersion,
  prepareSmoke,
  type Registry,
  silentLogger,
  VERSION,
} from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcEndpoint, type RunningServer, startServer } from '../index.ts';
import * as fixtures from '../testing.ts';

/**
 * `modelgate serve --grpc-port` against a client built by this test from the published
 * grpc_predict_v2.proto (grpc-predict-v2.proto here), on loopback with real ONNX models: the
 * same answers as HTTP + JSON, raw and typed tensors, metadata, readiness, INVALID_ARGUMENT for
 * malformed requests, and canary → promote → rollback under gRPC load with no failed call.
 */
const TOKEN = 'test-admin-token';
const PROTO = fileURLToPath(new URL('grpc-predict-v2.proto', import.meta.url));
const dir = fixtures.tempDir('modelgate-grpc-');
let registry: Registry;
let versions: ModelVersion[];
const servers: RunningServer[] = [];
const clients: grpc.Client[] = [];

/** A client generated from the .proto file, as any OIP v2 user would build one. */
function inferenceClient(url: string) {
  const definition = grpc.loadPackageDefinition(
    loadSync(PROTO, { keepCase: true, longs: String, defaults: true, arrays: true }),
  ) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
  const stub = new definition.inference.GRPCInferenceService(
    url.replace('grpc://', ''),
    grpc.credentials.createInsecure(),
  );
  clients.push(stub);
  // biome-ignore lint/suspicious/noExplicitAny: the answer's shape is what the test checks.
  const call = (method: string, request: object): Promise<any> =>
    new Promise((resolve, reject) => {
      (stub as unknown as Record<string, grpc.requestCallback<unknown> & ((...args: unknown[]) => void)>)[
        method
      ]?.(request, (error: grpc.ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response),
      );
    });
  return call;
}

async function serve() {
  const server = await startServer({ registry, port: 0, grpcPort: 0, adminToken: TOKEN });
  servers.push(server);
  return { server, api: fixtures.client(server.url, TOKEN), call: inferenceClient(server.grpcUrl as string) };
}

beforeAll(async () => {
  ({ registry } = fixtures.freshRegistry(dir, 'registry'));
  versions = await fixtures.registerAll(registry, 'cancer', [fixtures.MODEL_V1, fixtures.MODEL_V2]);
  await fixtures.registerAll(registry, 'iris', [fixtures.MODEL_TREE]);
  await fixtures.registerAll(registry, 'codes', [fixtures.MODEL_INT64]);
});

afterAll(async () => {
  for (const stub of clients) stub.close();
  await Promise.all(servers.map((server) => server.close()));
});

/** A float32 tensor's little-endian bytes, as raw_input_contents carries them. */
function rawFloats(values: readonly number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

/** raw_output_contents back to numbers. */
function floatsOf(bytes: Buffer): number[] {
  const copy = new Uint8Array(bytes);
  return Array.from(new Float32Array(copy.buffer));
}

function cancerRequest(rows: number[][], extra: object = {}) {
  return {
    model_name: 'cancer',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, fixtures.FEATURES] }],
    raw_input_contents: [rawFloats(rows.flat())],
    ...extra,
  };
}

/** The status a failed call ends with. */
async function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

describe('OIP v2 over gRPC', () => {
  let server: RunningServer;
  let api: ReturnType<typeof fixtures.client>;
  let call: ReturnType<typeof inferenceClient>;
  beforeAll(async () => {
    ({ server, api, call } = await serve());
  });

  it('listens on its own port, reported as a grpc:// URL', () => {
    expect(server.grpcUrl).toBe(`grpc://127.0.0.1:${server.grpcPort}`);
    expect(server.grpcPort).not.toBe(server.port);
  });

  it('is live at once, and ready only once a model is loaded and warm', async () => {
    expect(await call('ServerLive', {})).toEqual({ live: true });
    expect(await call('ServerReady', {})).toEqual({ ready: false });
    expect(await call('ModelReady', { name: 'cancer' })).toEqual({ ready: false });
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
    expect(await call('ServerReady', {})).toEqual({ ready: true });
    expect(await call('ModelReady', { name: 'cancer' })).toEqual({ ready: true });
    expect(await call('ModelReady', { name: 'cancer', version: '1' })).toEqual({ ready: true });
    expect(await call('ModelReady', { name: 'cancer', version: '2' })).toEqual({ ready: false });
  });

  it('describes the server and the model as HTTP does', async () => {
    expect(await call('ServerMetadata', {})).toEqual({ name: 'modelgate', version: VERSION, extensions: [] });
    const http = (await api.get('/v2/models/cancer')).body as Record<string, unknown>;
    const { modelgate: _digest, ...shared } = http;
    const answer = await call('ModelMetadata', { name: 'cancer' });
    expect(answer).toEqual({
      ...shared,
      inputs: [{ name: 'input', datatype: 'FP32', shape: ['-1', String(fixtures.FEATURES)] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['-1', '1'] }],
    });
    expect(answer.versions).toEqual(['1']);
  });

  it('answers raw tensors with raw tensors, equal to the HTTP answer for the same rows', async () => {
    const rows = fixtures.featureRows(25);
    const http = await api.infer('cancer', fixtures.inferBody(rows));
    const answer = await call('ModelInfer', cancerRequest(rows, { id: 'req-7' }));
    expect(answer).toMatchObject({ model_name: 'cancer', model_version: '1', id: 'req-7' });
    expect(answer.outputs).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: ['25', '1'], parameters: {}, contents: null },
    ]);
    expect(floatsOf(answer.raw_output_contents[0])).toEqual(http.body.outputs?.[0]?.data);
  });

  it('answers typed contents with typed contents, equal to the HTTP answer', async () => {
    const rows = fixtures.featureRows(4);
    const http = await api.infer('cancer', fixtures.inferBody(rows));
    const answer = await call('ModelInfer', {
      model_name: 'cancer',
      inputs: [
        {
          name: 'input',
          datatype: 'FP32',
          shape: [4, fixtures.FEATURES],
          contents: { fp32_contents: rows.flat() },
        },
      ],
    });
    expect(answer.raw_output_contents).toEqual([]);
    expect(answer.outputs[0].contents.fp32_contents).toEqual(http.body.outputs?.[0]?.data);
  });

  it('takes and returns INT64 tensors exactly, raw or typed, and only the outputs asked for', async () => {
    expect((await api.admin('/models/codes/load', { version: 1 })).status).toBe(200);
    const values = [1n, -2n, 3n, 4n, 5n, 9007199254740993n];
    const typed = await call('ModelInfer', {
      model_name: 'codes',
      inputs: [
        { name: 'codes', datatype: 'INT64', shape: [2, 3], contents: { int64_contents: values.map(String) } },
      ],
      outputs: [{ name: 'doubled' }],
    });
    expect(typed.outputs).toHaveLength(1);
    expect(typed.outputs[0]).toMatchObject({ name: 'doubled', datatype: 'INT64', shape: ['2', '3'] });
    expect(typed.outputs[0].contents.int64_contents).toEqual(values.map((v) => String(v * 2n)));
    const raw = await call('ModelInfer', {
      model_name: 'codes',
      inputs: [{ name: 'codes', datatype: 'INT64', shape: [2, 3] }],
      outputs: [{ name: 'doubled' }],
      raw_input_contents: [Buffer.from(BigInt64Array.from(values).buffer)],
    });
    const doubled = new BigInt64Array(new Uint8Array(raw.raw_output_contents[0]).buffer);
    expect([...doubled]).toEqual(values.map((v) => v * 2n));

    expect((await api.admin('/models/iris/load', { version: 1 })).status).toBe(200);
    const data = [5.6, 2.8, 4.9, 2.0, 5.1, 3.5, 1.4, 0.2];
    const http = await api.infer(
      'iris',
      JSON.stringify({
        inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }],
        outputs: [{ name: 'label' }],
      }),
    );
    const labels = await call('ModelInfer', {
      model_name: 'iris',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: data } }],
      outputs: [{ name: 'label' }],
    });
    expect(labels.outputs[0].contents.int64_contents.map(Number)).toEqual(http.body.outputs?.[0]?.data);
  });

  it('refuses malformed requests with INVALID_ARGUMENT naming the input, and keeps serving', async () => {
    const row = fixtures.featureRows(1)[0] as number[];
    const input = (extra: object) => ({
      name: 'input',
      datatype: 'FP32',
      shape: [1, fixtures.FEATURES],
      ...extra,
    });
    const cases: Array<[object, RegExp]> = [
      [
        { model_name: 'cancer', inputs: [input({ datatype: 'FP64' })], raw_input_contents: [rawFloats(row)] },
        /input 'input' has datatype "FP64"; the model expects FP32/,
      ],
      [
        {
          model_name: 'cancer',
          inputs: [input({ shape: [1, 29] })],
          raw_input_contents: [rawFloats(row.slice(1))],
        },
        /input 'input' has shape \[1, 29\]; the model expects \[-1, 30\]/,
      ],
      [
        { model_name: 'cancer', inputs: [input({})], raw_input_contents: [rawFloats(row).subarray(1)] },
        /input 'input' has 119 bytes of raw content, but shape \[1, 30\] of FP32 needs 120/,
      ],
      [
        {
          model_name: 'cancer',
          inputs: [input({ shape: [2, fixtures.FEATURES] })],
          raw_input_contents: [rawFloats(row)],
        },
        /input 'input' has 120 bytes of raw content, but shape \[2, 30\] of FP32 needs 240/,
      ],
      [
        { model_name: 'cancer', inputs: [input({ contents: { fp32_contents: row.slice(1) } })] },
        /input 'input' has 29 values in contents.fp32_contents, but shape \[1, 30\] needs 30/,
      ],
      [
        { model_name: 'cancer', inputs: [input({ contents: { fp64_contents: row } })] },
        /input 'input' has 0 values in contents.fp32_contents, .* FP32 values go in fp32_contents/,
      ],
      [
        { model_name: 'cancer', inputs: [input({ name: 'inputs' })], raw_input_contents: [rawFloats(row)] },
        /unknown input 'inputs': the model's inputs are: 'input' \(did you mean 'input'\?\)/,
      ],
      [
        {
          model_name: 'cancer',
          inputs: [input({ contents: { fp32_contents: row } })],
          raw_input_contents: [rawFloats(row)],
        },
        /input 'input' has contents, but the request also has raw_input_contents/,
      ],
      [{ model_name: 'cancer', inputs: [] }, /the request has no inputs; the model's inputs are: 'input'/],
      [
        { ...cancerRequest([row]), outputs: [{ name: 'proba' }] },
        /unknown output 'proba': the model's outputs are: 'probabilities'/,
      ],
      [
        { ...cancerRequest([row]), model_version: 'latest' },
        /model_version 'latest' is not a version number/,
      ],
    ];
    for (const [request, message] of cases) {
      const error = await failure(call('ModelInfer', request));
      expect(error.code, String(message)).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(message);
    }
    const unknown = await failure(call('ModelInfer', { ...cancerRequest([row]), model_name: 'cancr' }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    expect(unknown.details).toMatch(
      /model 'cancr' is not loaded on this server \(loaded: cancer, codes, iris\)/,
    );
    const notServing = await failure(call('ModelInfer', { ...cancerRequest([row]), model_version: '2' }));
    expect(notServing.code).toBe(grpc.status.NOT_FOUND);
    expect(notServing.details).toMatch(/model 'cancer' has no version 2 taking traffic \(primary v1\)/);

    const after = await call('ModelInfer', cancerRequest([row]));
    expect(after.model_version).toBe('1');
  });

  it('counts its calls in the same Prometheus metrics as HTTP, with the HTTP status of each outcome', async () => {
    const metrics = await api.metrics();
    const count = (status: string) =>
      fixtures.sample(metrics, 'modelgate_infer_requests_total', { model: 'cancer', version: '1', status });
    // HTTP: 2 answers above; gRPC: 3 answers and 11 refusals (one of them on version 2's pin).
    expect(count('200')).toBe(5);
    expect(count('400')).toBe(10);
    expect(
      fixtures.sample(metrics, 'modelgate_infer_requests_total', { model: 'unknown', status: '404' }),
    ).toBe(1);
  });
});

describe('the gRPC port', () => {
  it('is off unless asked for', async () => {
    const server = await startServer({ registry, port: 0, adminToken: TOKEN });
    servers.push(server);
    expect(server.grpcUrl).toBeUndefined();
    expect(server.grpcPort).toBeUndefined();
  });

  it('refuses a port in use with a user error naming it and --grpc-port, and starts nothing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = startServer({ registry, port: 0, grpcPort: port, adminToken: TOKEN });
      await expect(started).rejects.toMatchObject({
        name: 'InputError',
        message: `gRPC port ${port} on 127.0.0.1 is already in use`,
        hint: 'stop the other server, or choose another port with --grpc-port (0 picks a free one)',
      });
    } finally {
      blocker.close();
    }
  });
});

describe('a swap under gRPC load', () => {
  it('loses no call while canary → promote → rollback, and the canary split holds', async () => {
    const { api, call } = await serve();
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
    const request = cancerRequest(fixtures.featureRows(1));
    const STREAMS = 16;
    const answeredBy: string[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const load = Array.from({ length: STREAMS }, async () => {
      while (!stop) {
        try {
          answeredBy.push((await call('ModelInfer', request)).model_version);
        } catch (error) {
          failures.push(error);
        }
      }
    });
    const waitFor = async (more: number) => {
      const target = answeredBy.length + more;
      while (answeredBy.length < target) await new Promise((resolve) => setTimeout(resolve, 5));
    };

    await waitFor(200);
    expect((await api.admin('/models/cancer/load', { version: 2, canary_percent: 50 })).status).toBe(200);
    const canaryFrom = answeredBy.length + STREAMS;
    await waitFor(400);
    const canaryTo = answeredBy.length;
    expect((await api.admin('/models/cancer/promote', {})).status).toBe(200);
    const promotedFrom = answeredBy.length + STREAMS;
    await waitFor(300);
    const promotedTo = answeredBy.length;
    expect((await api.admin('/models/cancer/rollback', {})).status).toBe(200);
    const rolledBackFrom = answeredBy.length + STREAMS;
    await waitFor(300);
    stop = true;
    await Promise.all(load);

    expect(failures).toEqual([]);
    const share = (from: number, to: number, version: string) =>
      answeredBy.slice(from, to).filter((v) => v === version).length / (to - from);
    // The split is exact per request; the window's edges hold at most one stream's worth of slack.
    expect(share(canaryFrom, canaryTo, '2')).toBeCloseTo(0.5, 1);
    expect(share(promotedFrom, promotedTo, '2')).toBe(1);
    expect(share(rolledBackFrom, answeredBy.length, '1')).toBe(1);
    console.info(
      `swap under gRPC load: ${answeredBy.length} calls on ${STREAMS} streams, ${failures.length} failed; v2 answered ${answeredBy.filter((v) => v === '2').length}`,
    );
    expect(versions[1]?.version).toBe(2);
  });
});

describe("the deploy's smoke check over gRPC", () => {
  it('passes on the version it pinned, and fails naming the endpoint on another model or version', async () => {
    const { server, api } = await serve();
    expect((await api.admin('/models/cancer/load', { version: 1 })).status).toBe(200);
    const [v1, v2] = versions as [ModelVersion, ModelVersion];
    const smoke1 = await prepareSmoke(v1, readFileSync(fixtures.MODEL_V1), undefined, {
      logger: silentLogger,
    });
    const smoke2 = await prepareSmoke(v2, readFileSync(fixtures.MODEL_V2), undefined, {
      logger: silentLogger,
    });
    const url = server.grpcUrl as string;

    await smoke1?.run(grpcEndpoint(url, 'cancer', '1'), '1');
    // v2's rows checked against what v1 answers: another model, whose output has another shape.
    const wrongModel = await failure(smoke2?.run(grpcEndpoint(url, 'cancer', '1'), '1') ?? Promise.resolve());
    expect(wrongModel).toBeInstanceOf(DeployCheckError);
    expect(wrongModel.message).toMatch(
      new RegExp(
        `grpc://127.0.0.1:${server.grpcPort} ModelInfer cancer v1 answered output 'probabilities' with shape \\[16, 1\\]`,
      ),
    );
    const notServing = await failure(smoke1?.run(grpcEndpoint(url, 'cancer', '2'), '2') ?? Promise.resolve());
    expect(notServing.message).toMatch(
      /ModelInfer cancer v2 answered NOT_FOUND: model 'cancer' has no version 2 taking traffic \(primary v1\)/,
    );
  });
});
