import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, InputError, silentLogger as quiet, type Registry } from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcEndpoint, type RunningServer, ServerMetrics, startServer } from './index.ts';
import { silentLogger } from './logger.ts';
import { MIN_LOG_MAX_BYTES, RequestLog } from './request-log.ts';
import * as fixtures from './testing.ts';

/**
 * `serve --log-requests DIR`: a real server answering real HTTP and gRPC requests writes one
 * JSON line per input row, read back here; the answer is the same with logging on; the sample
 * takes its share; the size cap removes the oldest files; a full queue drops and counts.
 */
const TOKEN = 'test-admin-token';
const dir = fixtures.tempDir('modelgate-request-log-');
let registry: Registry;
const servers: RunningServer[] = [];
/** The names of the 30 feature columns, which the registered evaluation of `named` v1 records. */
const NAMES = (readFileSync(fixtures.DATA, 'utf8').split('\n')[0] as string)
  .split(',')
  .slice(0, fixtures.FEATURES);

interface Line {
  time: string;
  model: string;
  version: string;
  features: Record<string, number>;
  outputs: Record<string, number | number[]>;
}

function readLines(logDir: string): Line[] {
  return readdirSync(logDir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(logDir, name), 'utf8').split('\n').filter(Boolean))
    .map((text) => JSON.parse(text) as Line);
}

async function serve(logDir: string | undefined, sampleShare = 1) {
  const server = await startServer({
    registry,
    port: 0,
    grpcPort: 0,
    adminToken: TOKEN,
    preload: ['cancer@1', 'named@1'],
    ...(logDir === undefined ? {} : { logRequests: { dir: logDir, sample: sampleShare } }),
  });
  servers.push(server);
  return { server, api: fixtures.client(server.url, TOKEN) };
}

beforeAll(async () => {
  ({ registry } = fixtures.freshRegistry(dir, 'registry'));
  await fixtures.registerAll(registry, 'cancer', [fixtures.MODEL_V1]);
  // A version registered with its evaluation, which names the features it was evaluated on.
  const { record } = await evaluate(
    {
      model: fixtures.MODEL_V2,
      data: fixtures.DATA,
      label: 'target',
      features: NAMES,
      sliceBy: [],
      bootstrap: 10,
      confidence: 0.95,
      seed: 1,
      provider: 'cpu',
      batchSize: 1024,
    },
    quiet,
  );
  await registry.register({
    name: 'named',
    modelPath: fixtures.MODEL_V2,
    evaluation: record,
    verdict: null,
    lineage: {},
    requirePassed: false,
  });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('the request log of a running server', () => {
  it('writes one line per input row, over HTTP and gRPC, with the answer each row got', async () => {
    const logDir = join(dir, 'logs-both');
    const { server, api } = await serve(logDir);
    const rows = fixtures.featureRows(3);
    const http = await api.infer('cancer', fixtures.inferBody(rows));
    const overGrpc = await grpcEndpoint(server.grpcUrl as string, 'cancer').infer({
      input: { name: 'input', datatype: 'FP32', shape: [2, fixtures.FEATURES] },
      data: Float32Array.from(rows.slice(0, 2).flat()),
      output: 'probabilities',
    });
    await server.requestLog?.flush();

    const names = readdirSync(logDir);
    expect(names.length).toBe(1);
    expect(names[0]).toMatch(new RegExp(`^requests-\\d{8}T\\d{6}Z-${process.pid}-\\d+\\.jsonl$`));
    const lines = readLines(logDir);
    expect(lines).toHaveLength(5);
    const httpData = http.body.outputs?.[0]?.data as number[];
    for (const [i, line] of lines.entries()) {
      const row = rows[i < 3 ? i : i - 3] as number[];
      expect(line.model).toBe('cancer');
      expect(line.version).toBe('1');
      expect(Date.parse(line.time)).toBeGreaterThan(Date.now() - 60_000);
      expect(Object.keys(line.features)).toEqual(
        Array.from({ length: fixtures.FEATURES }, (_, j) => `input_${j}`),
      );
      expect(Object.values(line.features)).toEqual(row.map(Math.fround));
      const expected = i < 3 ? httpData[i] : overGrpc.data[i - 3];
      expect(line.outputs).toEqual({ probabilities: [expected] });
    }
  });

  it('names the features as the registered evaluation does, and gives the same answer as with logging off', async () => {
    const logDir = join(dir, 'logs-named');
    const on = await serve(logDir);
    const off = await serve(undefined);
    const rows = fixtures.featureRows(4);
    const logged = await on.api.infer('named', fixtures.inferBody(rows));
    const plain = await off.api.infer('named', fixtures.inferBody(rows));
    expect(logged.status).toBe(200);
    expect(logged.body).toEqual(plain.body);
    await on.server.requestLog?.flush();
    const lines = readLines(logDir);
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0]?.features ?? {})).toEqual(NAMES);
    expect(lines.map((line) => line.outputs.probabilities)).toEqual(
      Array.from({ length: 4 }, (_, i) => logged.body.outputs?.[0]?.data.slice(2 * i, 2 * i + 2)),
    );
    expect(fixtures.sample(await on.api.metrics(), 'modelgate_request_log_rows_total', {})).toBe(4);
  });

  it('logs about the sampled share of requests', async () => {
    const logDir = join(dir, 'logs-sampled');
    const { server, api } = await serve(logDir, 0.25);
    const body = fixtures.inferBody(fixtures.featureRows(1));
    for (let i = 0; i < 400; i++) expect((await api.infer('cancer', body)).status).toBe(200);
    await server.requestLog?.flush();
    // Binomial(400, 0.25): mean 100, sd 8.7; ±45 is over 5 sd.
    expect(readLines(logDir).length).toBeGreaterThan(55);
    expect(readLines(logDir).length).toBeLessThan(145);
  });
});

/** A 2-D FP32 input of `rows` rows of `width` columns, and a one-column output, as the server decodes them. */
function tensors(rows: number, width: number) {
  const inputs = [
    { name: 'x', type: 'float32', shape: [rows, width], data: new Float32Array(rows * width).fill(0.5) },
  ];
  const outputs = [{ name: 'y', datatype: 'FP32', shape: [rows], data: new Float32Array(rows).fill(1) }];
  return { inputs, outputs };
}

describe('the request log on its own', () => {
  it("keeps the files under the cap, removing the oldest first, older runs' files included", async () => {
    const logDir = join(dir, 'logs-capped');
    mkdirSync(logDir);
    const old = 'requests-20000101T000000Z-1-000000.jsonl';
    writeFileSync(join(logDir, old), `${'{"model":"old"}\n'.repeat(2_000)}`);
    writeFileSync(join(logDir, 'notes.txt'), 'not a log file: never removed');
    const metrics = new ServerMetrics();
    const log = new RequestLog({
      dir: logDir,
      sample: 1,
      maxBytes: MIN_LOG_MAX_BYTES,
      metrics,
      logger: silentLogger,
    });
    const { inputs, outputs } = tensors(50, 20);
    for (let i = 0; i < 40; i++) {
      log.record('m', '1', undefined, inputs, outputs);
      await log.flush();
    }
    await log.close();
    const files = readdirSync(logDir).filter((name) => name.startsWith('requests-'));
    const total = files.reduce((sum, name) => sum + statSync(join(logDir, name)).size, 0);
    expect(total).toBeLessThanOrEqual(MIN_LOG_MAX_BYTES);
    expect(files).not.toContain(old);
    expect(files.length).toBeGreaterThan(1);
    expect(readdirSync(logDir)).toContain('notes.txt');
    // The newest rows survive: the last file ends with a whole line of the last request.
    const lines = readLines(logDir).filter((line) => line.model === 'm');
    expect(lines.at(-1)?.outputs).toEqual({ y: 1 });
    expect(Object.keys(lines.at(-1)?.features ?? {})).toHaveLength(20);
  });

  it('drops and counts the rows of a request that would overfill its queue, without waiting', async () => {
    const metrics = new ServerMetrics();
    const log = new RequestLog({ dir: join(dir, 'logs-full'), sample: 1, metrics, logger: silentLogger });
    const { inputs, outputs } = tensors(70_000, 1);
    log.record('m', '1', undefined, inputs, outputs);
    const small = tensors(2, 1);
    log.record('m', '1', undefined, small.inputs, small.outputs);
    await log.close();
    const text = await metrics.registry.metrics();
    expect(fixtures.sample(text, 'modelgate_request_log_dropped_rows_total', {})).toBe(70_000);
    expect(fixtures.sample(text, 'modelgate_request_log_rows_total', {})).toBe(2);
  });

  it('refuses a sample outside (0, 1] and a cap under 64 KiB, naming the option', () => {
    const options = { dir: join(dir, 'logs-bad'), metrics: new ServerMetrics(), logger: silentLogger };
    expect(() => new RequestLog({ ...options, sample: 0 })).toThrow(InputError);
    expect(() => new RequestLog({ ...options, sample: 1.5 })).toThrow(/--log-sample must be a fraction/);
    expect(() => new RequestLog({ ...options, maxBytes: 1000 })).toThrow(/--log-max-bytes must be .* 65536/);
  });
});
