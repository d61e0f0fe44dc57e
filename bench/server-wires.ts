// Load generators for bench/server.ts's wire comparison (issue 17): HTTP + JSON against OIP v2
// over gRPC with raw tensors, driven alike.
//
// With h2load (Debian's nghttp2-client) on PATH, both wires are driven by it: a C client whose
// CPU per request is a small fraction of the server's, HTTP/1.1 (`--h1`) and HTTP/2 from the same
// tool, each request's time in its log file. Without it, HTTP goes through autocannon and gRPC
// through node:http2 streams; a Node HTTP/2 client costs about three times the server's CPU per
// call, so on a small machine it, not the server, sets gRPC's pace, and the bench says so.
//
// Like with like: CONNECTIONS requests in flight on both wires. HTTP/1.1 needs a connection per
// request in flight; gRPC's answer to the same load is the SDKs' channel, several calls on one
// connection, so gRPC is measured both ways: one call per connection (the HTTP shape) and
// STREAMS_PER_CHANNEL calls on each of CONNECTIONS / STREAMS_PER_CHANNEL channels.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import autocannon from 'autocannon';

/** What one measurement gives, before the server's CPU and batch figures are added. */
export interface Measured {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

export type Wire = 'http' | 'grpc';

export interface Drive {
  readonly wire: Wire;
  /** Requests in flight. */
  readonly connections: number;
  /** Calls in flight per connection (gRPC only; HTTP/1.1 has one). */
  readonly streams: number;
}

/** Whether h2load is here (`apt-get install nghttp2-client`). */
export const hasH2load = spawnSync('h2load', ['--version'], { encoding: 'utf8' }).status === 0;

const PROTO = join(import.meta.dirname, '..', 'packages', 'server', 'src', 'grpc', 'grpc-predict-v2.proto');

interface GrpcMethod {
  path: string;
  requestSerialize(message: object): Buffer;
}

/** The ModelInfer method as a client generated from the published .proto has it. */
const modelInfer = (
  loadSync(PROTO, { keepCase: true }) as unknown as Record<string, Record<string, GrpcMethod>>
)['inference.GRPCInferenceService']?.ModelInfer as GrpcMethod;

/** A single-row request as a JSON body and as one gRPC frame (a flag byte, a length, the message). */
export function requests(model: string, row: readonly number[]): { json: string; frame: Buffer } {
  const json = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, row.length], datatype: 'FP32', data: row }],
  });
  const message = modelInfer.requestSerialize({
    model_name: model,
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, row.length] }],
    raw_input_contents: [Buffer.from(Float32Array.from(row).buffer)],
  });
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return { json, frame };
}

/** The `at` percentile of sorted values (nearest rank). */
function percentile(sorted: readonly number[], at: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((at / 100) * sorted.length) - 1))] ?? 0;
}

/** HTTP + JSON through autocannon (latencies in whole milliseconds). */
export async function autocannonLoad(url: string, body: string, connections: number, seconds: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

/**
 * h2load on either wire, `seconds` long. A gRPC failure is an HTTP 200 whose trailers carry
 * the status, which h2load does not read: the caller counts failures from the server's metrics.
 */
export function h2loadRun(
  url: string,
  path: string,
  drive: Drive,
  body: string | Buffer,
  seconds: number,
): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-h2load-'));
  try {
    const data = join(dir, 'body');
    writeFileSync(data, body);
    const log = join(dir, 'requests.tsv');
    const wire =
      drive.wire === 'http'
        ? ['--h1', '-H', 'content-type: application/json']
        : ['-m', String(drive.streams), '-H', 'content-type: application/grpc', '-H', 'te: trailers'];
    const connections = drive.wire === 'http' ? drive.connections : drive.connections / drive.streams;
    const run = spawnSync(
      'h2load',
      [
        ...wire,
        '-c',
        String(connections),
        '-D',
        String(seconds),
        '-d',
        data,
        `--log-file=${log}`,
        `${url}${path}`,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`h2load failed: ${run.stderr}`);
    const rows = readFileSync(log, 'utf8').trim().split('\n');
    const times: number[] = [];
    let failed = 0;
    for (const row of rows) {
      const [, status, micros] = row.split('\t');
      if (status === '200') times.push(Number(micros) / 1000);
      else failed++;
    }
    times.sort((a, b) => a - b);
    return {
      requests: rows.length,
      requestsPerSecond: times.length / seconds,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      failed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** gRPC through node:http2 streams: `drive.connections` callers over their channels, each call after the last. */
export async function nodeGrpcLoad(target: string, frame: Buffer, drive: Drive, seconds: number) {
  const channels = Array.from({ length: drive.connections / drive.streams }, () =>
    http2.connect(`http://${target}`),
  );
  const headers = {
    ':method': 'POST',
    ':path': modelInfer.path,
    'content-type': 'application/grpc',
    te: 'trailers',
  };
  const times: number[] = [];
  let failed = 0;
  const call = (channel: http2.ClientHttp2Session) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const stream = channel.request(headers);
      let status: string | undefined;
      // A failure may come as headers alone (trailers-only); a success always ends in trailers.
      const read = (fields: http2.IncomingHttpHeaders) => {
        if (fields['grpc-status'] !== undefined) status = String(fields['grpc-status']);
      };
      stream.on('response', read);
      stream.on('trailers', read);
      stream.on('data', () => undefined);
      stream.on('error', () => undefined);
      stream.on('close', () => {
        if (status === '0') times.push(performance.now() - started);
        else failed++;
        resolve();
      });
      stream.end(frame);
    });
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: drive.connections }, async (_, i) => {
      const channel = channels[i % channels.length] as http2.ClientHttp2Session;
      while (performance.now() < end) await call(channel);
    }),
  );
  for (const channel of channels) channel.close();
  times.sort((a, b) => a - b);
  return {
    requests: times.length + failed,
    requestsPerSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    failed,
  };
}
