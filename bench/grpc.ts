// Issue 17: OIP v2 over gRPC with raw tensors against HTTP + JSON, on one `modelgate serve`
// process with both wires (--grpc-port), the same model and the same concurrency. Prints
// figures; asserts nothing. Run alone with `node --import tsx bench/grpc.ts`.
//
//   HTTP + JSON:  autocannon, single-row infer requests on CONCURRENCY keep-alive connections
//   gRPC raw:     ModelInfer calls with raw_input_contents, CONCURRENCY calls in flight on one
//                 HTTP/2 connection. The generator is autocannon's analogue: the request is
//                 encoded once (from the .proto, by @grpc/proto-loader) and sent as a gRPC frame
//                 on node:http2 streams, and every answer's grpc-status is checked. A client
//                 made with @grpc/grpc-js spends so much CPU per call that on a small machine it,
//                 not the server, sets the pace (about 4,000 calls/s here, the server 77% idle).
//   target:       gRPC ≥ 2× the requests per second of HTTP + JSON, and a lower p99
//
// Two request sizes: 1 row (the target) and ROWS_LARGE rows, where the tensor's bytes
// rather than the per-request overhead dominate. ROUNDS interleaved rounds (HTTP, then gRPC, each SECONDS long after a 1 s warm-up); the
// figures are the medians over the rounds. The load generator runs in this process and shares
// the machine with the server, as in bench/server.ts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { createFsRegistry } from '@modelgate/core';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(root, 'packages', 'cli', 'bin', 'modelgate.js');
const PROTO = join(root, 'packages', 'server', 'src', 'grpc', 'grpc-predict-v2.proto');
const MODEL = join(root, 'bench', 'models', 'mlp-32.onnx');
const FEATURES = 32;
const SECONDS = Number(process.env.BENCH_GRPC_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_GRPC_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_GRPC_CONCURRENCY ?? 32);
const ROWS_LARGE = Number(process.env.BENCH_GRPC_ROWS ?? 256);
const TOKEN = 'bench-admin-token';
// Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;

/** A fixed row of features (the values do not change the work an MLP does). */
const row = Array.from({ length: FEATURES }, (_, j) => Math.sin(j + 1));
const method = (loadSync(PROTO, { keepCase: true }) as unknown as Record<string, Record<string, GrpcMethod>>)[
  'inference.GRPCInferenceService'
]?.ModelInfer as GrpcMethod;

interface GrpcMethod {
  path: string;
  requestSerialize(message: object): Buffer;
  responseDeserialize(bytes: Buffer): { outputs: unknown[]; raw_output_contents: Buffer[] };
}

/** The same rows as an HTTP + JSON body and as one gRPC frame (a flag byte, a length, the message). */
function requests(rows: number): { json: string; frame: Buffer } {
  const data = Array.from({ length: rows }, () => row).flat();
  const json = JSON.stringify({
    inputs: [{ name: 'input', shape: [rows, FEATURES], datatype: 'FP32', data }],
  });
  const message = method.requestSerialize({
    model_name: 'mlp-32',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, FEATURES] }],
    raw_input_contents: [Buffer.from(Float32Array.from(data).buffer)],
  });
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return { json, frame };
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  cpuMicrosPerRequest: number | undefined;
}

async function startServe(
  registry: string,
): Promise<{ url: string; grpcTarget: string; child: ChildProcess }> {
  const args = [cliBin, 'serve', '--port', '0', '--grpc-port', '0', '--registry', `fs:${registry}`];
  const child = spawn(process.execPath, [...args, '--model', 'mlp-32@1', '--quiet'], {
    env: { ...process.env, MODELGATE_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const grpcTarget = /listening on grpc:\/\/(\S+)/.exec(stdout)?.[1];
      if (url !== undefined && grpcTarget !== undefined) resolve({ url, grpcTarget, child });
    });
    child.on('exit', (code) => reject(new Error(`modelgate serve exited with ${code}:\n${stderr}`)));
  });
}

/** The server process's CPU time so far (user + system), in seconds; undefined off Linux. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Measures `run` (which returns how many requests it completed) with the server's CPU time. */
async function measured(
  pid: number | undefined,
  run: () => Promise<Omit<Figures, 'cpuMicrosPerRequest'> & { requests: number }>,
): Promise<Figures> {
  const before = cpuSeconds(pid);
  const result = await run();
  const after = cpuSeconds(pid);
  return {
    ...result,
    cpuMicrosPerRequest:
      before === undefined || after === undefined
        ? undefined
        : ((after - before) * 1e6) / Math.max(1, result.requests),
  };
}

async function overHttp(url: string, pid: number | undefined, body: string): Promise<Figures> {
  const options = {
    url: `${url}/v2/models/mlp-32/infer`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONCURRENCY,
  };
  await autocannon({ ...options, duration: 1 });
  return measured(pid, async () => {
    const result = await autocannon({ ...options, duration: SECONDS });
    return {
      requests: result.requests.total,
      requestsPerSecond: result.requests.total / SECONDS,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.errors + result.timeouts + result.non2xx,
    };
  });
}

/** CONCURRENCY callers on one HTTP/2 connection, each sending its next call as soon as the last is answered. */
async function grpcLoad(target: string, frame: Buffer, seconds: number) {
  const session = http2.connect(`http://${target}`);
  const headers = {
    ':method': 'POST',
    ':path': method.path,
    'content-type': 'application/grpc',
    te: 'trailers',
  };
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const call = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const stream = session.request(headers);
      let status: string | undefined;
      let message: string | undefined;
      // A failure may come as headers alone (trailers-only), a success always ends in trailers.
      const read = (fields: http2.IncomingHttpHeaders) => {
        if (fields['grpc-status'] !== undefined) status = String(fields['grpc-status']);
        if (fields['grpc-message'] !== undefined) message = String(fields['grpc-message']);
      };
      stream.on('response', read);
      stream.on('trailers', read);
      stream.on('data', () => undefined);
      stream.on('error', () => undefined);
      stream.on('close', () => {
        if (status === '0') latencies.push(performance.now() - t0);
        else {
          failed++;
          firstError ??= `grpc-status ${status}: ${decodeURIComponent(message ?? '')}`;
        }
        resolve();
      });
      stream.end(frame);
    });
  const end = performance.now() + seconds * 1000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) await call();
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  session.close();
  if (firstError !== undefined) console.log(`  gRPC failures, the first: ${firstError}`);
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  return {
    requests: latencies.length + failed,
    requestsPerSecond: latencies.length / elapsed,
    p50: at(50),
    p99: at(99),
    failed,
  };
}

async function overGrpc(target: string, pid: number | undefined, frame: Buffer): Promise<Figures> {
  await grpcLoad(target, frame, 1);
  return measured(pid, () => grpcLoad(target, frame, SECONDS));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

if (!existsSync(join(root, 'packages', 'cli', 'dist', 'modelgate.js'))) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
const dir = mkdtempSync(join(tmpdir(), 'modelgate-bench-grpc-'));
let child: ChildProcess | undefined;
try {
  const registry = join(dir, 'registry');
  await createFsRegistry(registry).register({
    name: 'mlp-32',
    modelPath: MODEL,
    evaluation: null,
    verdict: null,
    lineage: {},
    requirePassed: false,
  });
  const served = await startServe(registry);
  child = served.child;

  console.log(
    `\nOIP v2 over gRPC (issue 17): mlp-32 (32→64→64→2) infer requests on loopback, ${CONCURRENCY} concurrent, ${ROUNDS} interleaved rounds of ${SECONDS} s, medians`,
  );
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const summary = (figures: Figures[]) => {
    const cpu = figures.map((f) => f.cpuMicrosPerRequest).filter((c): c is number => c !== undefined);
    return {
      rps: median(figures.map((f) => f.requestsPerSecond)),
      p50: median(figures.map((f) => f.p50)),
      p99: median(figures.map((f) => f.p99)),
      failed: figures.reduce((sum, f) => sum + f.failed, 0),
      cpu: cpu.length === 0 ? 'n/a' : `${Math.round(median(cpu))} µs`,
    };
  };
  for (const rows of [1, ROWS_LARGE]) {
    const { json, frame } = requests(rows);
    const http: Figures[] = [];
    const rpc: Figures[] = [];
    console.log(
      `\n${rows} row${rows === 1 ? '' : 's'} per request (JSON body ${fmt(json.length)} bytes, gRPC message ${fmt(frame.length - 5)} bytes)`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      http.push(await overHttp(served.url, child.pid, json));
      rpc.push(await overGrpc(served.grpcTarget, child.pid, frame));
      const h = http.at(-1) as Figures;
      const g = rpc.at(-1) as Figures;
      console.log(
        `  round ${round}: HTTP + JSON ${fmt(h.requestsPerSecond)}/s, p99 ${ms(h.p99)}; gRPC raw ${fmt(g.requestsPerSecond)}/s, p99 ${ms(g.p99)}`,
      );
    }
    const h = summary(http);
    const g = summary(rpc);
    console.log(
      '\n| wire | requests/s | p50 | p99 | server CPU per request | failed |\n|---|---|---|---|---|---|',
    );
    console.log(`| HTTP + JSON | ${fmt(h.rps)} | ${ms(h.p50)} | ${ms(h.p99)} | ${h.cpu} | ${h.failed} |`);
    console.log(
      `| gRPC, raw tensors | ${fmt(g.rps)} | ${ms(g.p50)} | ${ms(g.p99)} | ${g.cpu} | ${g.failed} |`,
    );
    console.log(
      `\ngRPC / HTTP throughput: ${(g.rps / h.rps).toFixed(2)}× (target ≥ 2×); p99 ${ms(g.p99)} vs ${ms(h.p99)} (target lower)`,
    );
  }
  console.log(
    '\nautocannon reports latencies in whole milliseconds; the gRPC generator times each call itself.',
  );
} finally {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
