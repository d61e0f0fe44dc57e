import type { Registry } from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './index.ts';
import * as fixtures from './testing.ts';

/**
 * The OIP v2 HTTP endpoints against what others wrote: the binary tensor data extension as
 * Triton defines it, and the request and response shapes of the published protocol's examples.
 * A real server on loopback with real ONNX models from a real filesystem registry.
 */
const TOKEN = 'test-admin-token';
/** Room for the 25-row JSON requests below, and small enough to test the cap on binary bodies. */
const MAX_BODY_BYTES = 64 * 1024;
const dir = fixtures.tempDir('modelgate-oip-conformance-');
let registry: Registry;
let server: RunningServer;
let api: ReturnType<typeof fixtures.client>;

beforeAll(async () => {
  ({ registry } = fixtures.freshRegistry(dir, 'registry'));
  await fixtures.registerAll(registry, 'cancer', [fixtures.MODEL_V1, fixtures.MODEL_V2]);
  await fixtures.registerAll(registry, 'iris', [fixtures.MODEL_TREE]);
  await fixtures.registerAll(registry, 'codes', [fixtures.MODEL_INT64]);
  server = await startServer({ registry, port: 0, adminToken: TOKEN, maxBodyBytes: MAX_BODY_BYTES });
  api = fixtures.client(server.url, TOKEN);
  for (const name of ['cancer', 'iris', 'codes']) {
    expect((await api.admin(`/models/${name}/load`, { version: 1 })).status).toBe(200);
  }
});

afterAll(async () => {
  await server?.close();
});

/** A request in the extension's layout: the JSON part, then each tensor's bytes in order. */
function binaryBody(header: unknown, ...tensors: ArrayBufferView[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  const parts = tensors.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength));
  return { body: Buffer.concat([json, ...parts]), headerLength: json.length };
}

interface BinaryAnswer {
  status: number;
  headers: Headers;
  /** The JSON part (the whole body when the answer has no binary outputs). */
  json: Record<string, unknown> & {
    error?: string;
    outputs?: Array<{
      name: string;
      datatype: string;
      shape: number[];
      data?: unknown[];
      parameters?: { binary_data_size: number };
    }>;
  };
  /** The bytes after the JSON part. */
  rest: Buffer;
}

async function post(
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<BinaryAnswer> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  const declared = response.headers.get('inference-header-content-length');
  const headerLength = declared === null ? bytes.length : Number(declared);
  return {
    status: response.status,
    headers: response.headers,
    json: JSON.parse(bytes.subarray(0, headerLength).toString('utf8')),
    rest: bytes.subarray(headerLength),
  };
}

function postBinary(model: string, frame: { body: Buffer; headerLength: number }, headerLength?: string) {
  return post(`/v2/models/${model}/infer`, frame.body, {
    'content-type': 'application/octet-stream',
    'inference-header-content-length': headerLength ?? String(frame.headerLength),
  });
}

/** The rows as one FP32 input sent as binary, asking for every output as binary. */
function cancerFrame(rows: number[][], extra: Record<string, unknown> = {}) {
  const data = Float32Array.from(rows.flat());
  return binaryBody(
    {
      inputs: [
        {
          name: 'input',
          shape: [rows.length, fixtures.FEATURES],
          datatype: 'FP32',
          parameters: { binary_data_size: data.byteLength },
        },
      ],
      ...extra,
    },
    data,
  );
}

function floats(bytes: Buffer): number[] {
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

describe('the binary tensor data extension over HTTP', () => {
  it('is announced in the server metadata under the name Triton uses', async () => {
    expect((await api.get('/v2')).body.extensions).toEqual(['binary_tensor_data']);
  });

  it('gives the same outputs for binary and JSON requests for the same rows, both ways back', async () => {
    const rows = fixtures.featureRows(25);
    const json = await api.infer('cancer', fixtures.inferBody(rows, { id: 'as-json' }));
    expect(json.status).toBe(200);
    const expected = json.body.outputs?.[0];

    // Binary in, JSON out.
    const jsonOut = await postBinary('cancer', cancerFrame(rows, { id: 'as-binary' }));
    expect(jsonOut.status).toBe(200);
    expect(jsonOut.headers.get('content-type')).toBe('application/json');
    expect(jsonOut.json).toEqual({ ...json.body, id: 'as-binary' });

    // Binary in, binary out (asked for on the request).
    const binaryOut = await postBinary(
      'cancer',
      cancerFrame(rows, { id: 'both', parameters: { binary_data_output: true } }),
    );
    expect(binaryOut.status).toBe(200);
    expect(binaryOut.headers.get('content-type')).toBe('application/octet-stream');
    expect(binaryOut.headers.get('x-modelgate-version')).toBe('1');
    expect(Number(binaryOut.headers.get('content-length'))).toBe(
      Number(binaryOut.headers.get('inference-header-content-length')) + rows.length * 4,
    );
    expect(binaryOut.json).toEqual({
      model_name: 'cancer',
      model_version: '1',
      id: 'both',
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [25, 1], parameters: { binary_data_size: 100 } },
      ],
    });
    expect(floats(binaryOut.rest)).toEqual(expected?.data);

    // JSON in, binary out (asked for on the output).
    const jsonIn = await post(
      '/v2/models/cancer/infer',
      fixtures.inferBody(rows, { outputs: [{ name: 'probabilities', parameters: { binary_data: true } }] }),
      { 'content-type': 'application/json' },
    );
    expect(jsonIn.status).toBe(200);
    expect(floats(jsonIn.rest)).toEqual(expected?.data);
  });

  it('takes INT64 binary inputs and returns INT64 and FP32 outputs as bytes, mixed with JSON ones', async () => {
    const codes = BigInt64Array.of(1n, -2n, 3n, 4n, 5n, 9007199254740991n);
    const answer = await postBinary(
      'codes',
      binaryBody(
        {
          inputs: [{ name: 'codes', shape: [2, 3], datatype: 'INT64', parameters: { binary_data_size: 48 } }],
          outputs: [{ name: 'doubled', parameters: { binary_data: true } }, { name: 'scaled' }],
        },
        codes,
      ),
    );
    expect(answer.status).toBe(200);
    expect(answer.json.outputs).toEqual([
      { name: 'doubled', datatype: 'INT64', shape: [2, 3], parameters: { binary_data_size: 48 } },
      {
        name: 'scaled',
        datatype: 'FP32',
        shape: [2, 3],
        data: [0.5, -1, 1.5, 2, 2.5, Math.fround(9007199254740991) / 2],
      },
    ]);
    const doubled = Array.from({ length: 6 }, (_, i) => answer.rest.readBigInt64LE(i * 8));
    expect(doubled).toEqual([2n, -4n, 6n, 8n, 10n, 18014398509481982n]);
  });

  it('goes through the same versions, canary routing and metrics as JSON', async () => {
    const before = await api.metrics();
    const count = (metrics: string, status: string) =>
      fixtures.sample(metrics, 'modelgate_infer_requests_total', { model: 'cancer', version: '1', status }) ??
      0;
    expect((await api.admin('/models/cancer/load', { version: 2, canary_percent: 50 })).status).toBe(200);
    const frame = cancerFrame(fixtures.featureRows(1));
    const versions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await postBinary('cancer', frame);
      expect(answer.status).toBe(200);
      versions.push(answer.headers.get('x-modelgate-version') ?? '?');
      expect(answer.json.model_version).toBe(versions.at(-1));
    }
    // The split is counter-based: half of four requests go to the canary.
    expect(versions.sort()).toEqual(['1', '1', '2', '2']);
    const pinned = await post('/v2/models/cancer/versions/2/infer', frame.body, {
      'inference-header-content-length': String(frame.headerLength),
    });
    expect(pinned.json).toMatchObject({ model_version: '2', outputs: [{ shape: [1, 2] }] });
    expect((await api.admin('/models/cancer/rollback', {})).status).toBe(200);
    const bad = await postBinary('cancer', frame, 'abc');
    expect(bad.status).toBe(400);
    const after = await api.metrics();
    expect(count(after, '200') - count(before, '200')).toBe(2);
    expect(
      (fixtures.sample(after, 'modelgate_infer_requests_total', {
        model: 'cancer',
        version: 'none',
        status: '400',
      }) ?? 0) -
        (fixtures.sample(before, 'modelgate_infer_requests_total', {
          model: 'cancer',
          version: 'none',
          status: '400',
        }) ?? 0),
    ).toBe(1);
  });

  it('refuses bad framing with a 400 that names the input, and keeps serving', async () => {
    const rows = fixtures.featureRows(2);
    const good = cancerFrame(rows);
    const withSize = (size: number, shape = [2, fixtures.FEATURES]) =>
      binaryBody(
        { inputs: [{ name: 'input', shape, datatype: 'FP32', parameters: { binary_data_size: size } }] },
        Float32Array.from(rows.flat()),
      );
    const cases: Array<[string, { body: Buffer; headerLength: number }, string | undefined, RegExp]> = [
      [
        'a negative header length',
        good,
        '-5',
        /^Inference-Header-Content-Length is "-5"; expected the length in bytes of the body's JSON part/,
      ],
      [
        'a header length that is not a number',
        good,
        'twelve',
        /^Inference-Header-Content-Length is "twelve"/,
      ],
      [
        'a header length past the body',
        good,
        String(good.body.length + 1),
        /a whole number from 1 to the body's \d+ bytes$/,
      ],
      [
        'a header length inside the JSON',
        good,
        String(good.headerLength - 3),
        /^the request's JSON part .* is not valid JSON/,
      ],
      [
        'bytes left over after the inputs',
        withSize(120, [1, fixtures.FEATURES]),
        undefined,
        /^240 bytes follow the request's JSON part, but its inputs' binary_data_size add up to 120/,
      ],
      [
        'a size past the bytes sent',
        withSize(248),
        undefined,
        /^input 'input' has binary_data_size 248, but only 240 of the 240 bytes/,
      ],
      [
        'a size that does not fit the shape',
        withSize(240, [3, fixtures.FEATURES]),
        undefined,
        /^input 'input' has binary_data_size 240, but shape \[3, 30\] of FP32 takes 360 bytes/,
      ],
      [
        'a shape the model does not take',
        withSize(240, [4, 15]),
        undefined,
        /^input 'input' has shape \[4, 15\]; the model expects \[-1, 30\]/,
      ],
    ];
    for (const [what, frame, headerLength, message] of cases) {
      const answer = await postBinary('cancer', frame, headerLength);
      expect(answer.status, what).toBe(400);
      expect(answer.headers.get('content-type'), what).toBe('application/json');
      expect(Object.keys(answer.json), what).toEqual(['error']);
      expect(answer.json.error, what).toMatch(message);
    }
    const stray = await api.infer(
      'cancer',
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [1, fixtures.FEATURES],
            datatype: 'FP32',
            parameters: { binary_data_size: 120 },
          },
        ],
      }),
    );
    expect(stray.status).toBe(400);
    expect(stray.body.error).toMatch(
      /^input 'input' has binary_data_size, but the request has no Inference-Header-Content-Length/,
    );
    const half = await post(
      '/v2/models/iris/infer',
      JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }],
        outputs: [{ name: 'label', parameters: { binary_data: 'yes' } }],
      }),
    );
    expect(half).toMatchObject({
      status: 400,
      json: { error: `output 'label' has "binary_data": "yes"; it must be true or false` },
    });

    const after = await postBinary('cancer', good);
    expect(after.status).toBe(200);
    expect(after.json.outputs?.[0]?.shape).toEqual([2, 1]);
  });

  it('caps binary bodies like JSON ones', async () => {
    const rows = Array.from({ length: 600 }, () => fixtures.featureRows(1)[0] as number[]);
    const frame = cancerFrame(rows);
    expect(frame.body.length).toBeGreaterThan(MAX_BODY_BYTES);
    const answer = await postBinary('cancer', frame);
    expect(answer.status).toBe(413);
    expect(answer.json.error).toContain(`over this server's limit of ${MAX_BODY_BYTES} bytes`);
    expect((await postBinary('cancer', cancerFrame(rows.slice(0, 500)))).status).toBe(200);
  });
});

/**
 * The published protocol's shapes, written down as data. Each `$string`, `$number` and `$boolean`
 * of a schema becomes a sample value of that type; an array holds one sample element.
 *
 * Source: kserve/kserve, docs/predict-api/v2/required_api.md ("Predict Protocol - Version 2"),
 * its $metadata_server_response, $metadata_model_response, $metadata_tensor,
 * $inference_response and $response_output schemas and its "Inference Request Examples"; and, for
 * the health bodies that document leaves empty, the KServe website's Open Inference Protocol page
 * (modelserving/data_plane/v2_protocol: $live_server_response, $ready_model_response). The
 * binary examples: triton-inference-server/server, docs/protocol/extension_binary_data.md.
 */
const PROTOCOL = {
  liveServerResponse: { live: true },
  readyModelResponse: { name: '$string', ready: true },
  metadataServerResponse: { name: '$string', version: '$string', extensions: ['$string'] },
  metadataModelResponse: {
    name: '$string',
    versions: ['$string'],
    platform: '$string',
    inputs: [{ name: '$string', datatype: '$string', shape: [0] }],
    outputs: [{ name: '$string', datatype: '$string', shape: [0] }],
  },
  /** The example request, verbatim. */
  inferenceRequestExample: {
    id: '42',
    inputs: [
      { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
      { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
    ],
    outputs: [{ name: 'output0' }],
  },
  /** The example response, verbatim, with the schema's model_name and model_version (a versioned server). */
  inferenceResponseExample: {
    model_name: '$string',
    model_version: '$string',
    id: '42',
    outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', data: [1.0, 1.1, 2.0, 2.1, 3.0, 3.1] }],
  },
  errorResponse: { error: '$string' },
  /** Triton's binary request example, verbatim: its JSON part, which 19 bytes of tensors follow. */
  binaryRequestExample: {
    model_name: 'mymodel',
    inputs: [
      { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: 16 } },
      { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
    ],
    outputs: [{ name: 'output0', parameters: { binary_data: true } }],
  },
  /** Triton's binary response example, verbatim, with the schema's model_name and model_version. */
  binaryResponseExample: {
    model_name: '$string',
    model_version: '$string',
    outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', parameters: { binary_data_size: 24 } }],
  },
};

/** A value's shape: its keys and the types of their values, arrays by their first element. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}

describe('the HTTP shapes against the published protocol', () => {
  it('has the health, readiness and server metadata shapes', async () => {
    expect(shapeOf((await api.get('/v2/health/live')).body)).toEqual(shapeOf(PROTOCOL.liveServerResponse));
    expect(shapeOf((await api.get('/v2/models/cancer/ready')).body)).toEqual(
      shapeOf(PROTOCOL.readyModelResponse),
    );
    expect(shapeOf((await api.get('/v2')).body)).toEqual(shapeOf(PROTOCOL.metadataServerResponse));
  });

  it("has the model metadata shape, plus modelgate's own field", async () => {
    const { modelgate, ...rest } = (await api.get('/v2/models/cancer')).body;
    expect(shapeOf(rest)).toEqual(shapeOf(PROTOCOL.metadataModelResponse));
    expect(modelgate).toMatchObject({ version: 1, canary: null });
  });

  it("takes a request shaped like the example and answers in the example response's shape", async () => {
    // The example's model has UINT32 and BOOL inputs; this one has one FP32 input, so only the
    // tensors are swapped for it: every key of the example is kept.
    const request = {
      ...PROTOCOL.inferenceRequestExample,
      inputs: [
        {
          name: 'input',
          shape: [2, fixtures.FEATURES],
          datatype: 'FP32',
          data: fixtures.featureRows(2).flat(),
        },
      ],
      outputs: [{ name: 'probabilities' }],
    };
    expect(shapeOf(request)).toEqual(shapeOf(PROTOCOL.inferenceRequestExample));
    const answer = await api.infer('cancer', JSON.stringify(request));
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.body)).toEqual(shapeOf(PROTOCOL.inferenceResponseExample));
    expect(answer.body).toMatchObject({ id: '42', model_name: 'cancer', model_version: '1' });
    expect(answer.body.outputs?.[0]).toMatchObject({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [2, 1],
    });
  });

  it('leaves out "id" when the request has none, as the schema allows', async () => {
    const answer = await api.infer('cancer', fixtures.inferBody(fixtures.featureRows(1)));
    const { id: _id, ...withoutId } = PROTOCOL.inferenceResponseExample;
    expect(shapeOf(answer.body)).toEqual(shapeOf(withoutId));
  });

  it("takes a binary request shaped like Triton's example and answers in its example's shape", async () => {
    const rows = fixtures.featureRows(3);
    const data = Float32Array.from(rows.flat());
    const header = {
      ...PROTOCOL.binaryRequestExample,
      model_name: 'cancer',
      inputs: [
        {
          name: 'input',
          shape: [3, fixtures.FEATURES],
          datatype: 'FP32',
          parameters: { binary_data_size: data.byteLength },
        },
      ],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    };
    expect(shapeOf(header)).toEqual(shapeOf(PROTOCOL.binaryRequestExample));
    const answer = await postBinary('cancer', binaryBody(header, data));
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(PROTOCOL.binaryResponseExample));
    expect(answer.json.outputs?.[0]?.parameters?.binary_data_size).toBe(answer.rest.length);
    expect(answer.rest.length).toBe(3 * 4);
  });

  it('answers errors in the error shape', async () => {
    for (const answer of [
      await api.get('/v2/models/nope'),
      await api.infer('cancer', '{"inputs": []}'),
      await api.infer('cancer', fixtures.inferBody(fixtures.featureRows(1)), 9),
    ]) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(shapeOf(answer.body)).toEqual(shapeOf(PROTOCOL.errorResponse));
    }
  });
});
