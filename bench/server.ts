// `npm run bench` (issues 6 and 17): the model server over loopback HTTP + JSON, against the
// wire's own limit. Prints figures; asserts nothing.
//
//   plain server:  bench/plain-server.mjs, the plainest Node http server around one
//                  onnxruntime-node session (JSON in, JSON out, OIP v2 shapes; no checks, no
//                  batching, no metrics): what HTTP + JSON costs on this machine
//   modelgate:     `modelgate serve` as its own process, with its defaults (adaptive batching,
//                  up to 64 rows, max-wait-ms 2)
//   load:          autocannon drives single-row infer requests over keep-alive HTTP/1.1
//   wires:         the same modelgate process over HTTP + JSON and over gRPC with raw tensors
//                  (--grpc-port), driven alike (bench/server-wires.ts: h2load for both when it
//                  is installed, else autocannon and node:http2)
//   request log:   the same server with --log-requests, logging every request (--log-sample 1)
//                  and a tenth of them (the default, --log-sample 0.1)
//                  against logging off; the files are read back and counted
//
// Targets (issue 17), each a ratio of requests per second measured in this one run: the median
// of ROUNDS interleaved rounds' ratios:
//   bench/models/mlp-32.onnx (tiny: HTTP costs far more than inference), modelgate against the
//     plain server: ≥ 0.8× at 1 connection, ≥ 0.9× at 32
//   gRPC with raw tensors against HTTP + JSON on mlp-32 at 32 requests in flight: ≥ 2×, and a
//     lower p99
//   the request log (issue 19) against logging off at 32 connections: 0 failed requests
//   a wide MLP (inference costs more than HTTP): batching ≥ 2× over --max-batch 1 at 64
//     connections. It is generated with /usr/bin/python3 + onnx (bench/make_wide_mlp.py), or,
//     where those are missing, with onnx-proto (bench/make-wide-mlp.mjs: the same graph).
//
// Run alone with `node --import tsx bench/server.ts`; BENCH_SERVER_SECONDS sets each
// measurement's length, BENCH_SERVER_CLI another build's bin/modelgate.js (a before/after).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsRegistry } from '@modelgate/core';
import {
  autocannonLoad,
  type Drive,
  h2loadRun,
  hasH2load,
  type Measured,
  nodeGrpcLoad,
  requests,
} from './server-wires.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = process.env.BENCH_SERVER_CLI ?? join(root, 'packages', 'cli', 'bin', 'modelgate.js');
const FEATURES = 32;
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
// Three rounds give a median that one noisy measurement (a neighbour's build) cannot move.
const ROUNDS = 3;
const WARM_UP_SECONDS = 1;
const TOKEN = 'bench-admin-token';
// Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;

/** A fixed row of features (the values do not change the work an MLP does). */
const row = Array.from({ length: FEATURES }, (_, j) => Math.sin(j + 1));
const GRPC_PATH = '/inference.GRPCInferenceService/ModelInfer';

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  /** Server CPU per request, in µs; undefined off Linux. */
  cpuMicros: number | undefined;
  /** Rows per session run; undefined for the plain server, which does not count them. */
  meanBatch: number | undefined;
}

interface Server {
  readonly url: string;
  /** HOST:PORT of its gRPC port, when it has one. */
  readonly grpcTarget: string | undefined;
  readonly inferPath: string;
  readonly child: ChildProcess;
  readonly countsBatches: boolean;
  /** The single-row request of its model, as JSON and as a gRPC frame. */
  readonly body: { json: string; frame: Buffer };
}

/** Starts a server process and waits for the `listening on URL` line it prints. */
async function start(
  args: string[],
  inferPath: string,
  countsBatches: boolean,
  model: string,
  grpc = false,
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, MODELGATE_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const [url, grpcTarget] = await new Promise<[string, string | undefined]>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const http = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const target = /listening on grpc:\/\/(\S+)/.exec(stdout)?.[1];
      if (http !== undefined && (!grpc || target !== undefined)) resolve([http, target]);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${stderr}`)));
  });
  return { url, grpcTarget, inferPath, child, countsBatches, body: requests(model, row) };
}

function startServe(registry: string, name: string, flags: string[]): Promise<Server> {
  const args = [cliBin, 'serve', '--port', '0', '--registry', `fs:${registry}`, '--model', `${name}@1`];
  const grpc = flags.includes('--grpc-port');
  return start([...args, '--quiet', ...flags], `/v2/models/${name}/infer`, true, name, grpc);
}

/** A bare server of one wire (bench/server-floor.mjs): what node:http or node:http2 costs by itself. */
async function startFloor(wire: 'http' | 'grpc'): Promise<Server> {
  const server = await start([join(root, 'bench', 'server-floor.mjs'), wire], '/', false, 'floor');
  return { ...server, grpcTarget: server.url.replace('http://', '') };
}

function startPlain(model: string): Promise<Server> {
  return start([join(root, 'bench', 'plain-server.mjs'), model], '/v2/models/plain/infer', false, 'plain');
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
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

interface Counts {
  rows: number;
  runs: number;
  /** Infer requests answered with anything but 200, over both wires. */
  refused: number;
}

/** Rows and session runs so far (modelgate's batch-size histogram), and its refused requests. */
async function counts(server: Server): Promise<Counts> {
  if (!server.countsBatches) return { rows: 0, runs: 0, refused: 0 };
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  let refused = 0;
  for (const [, status, count] of text.matchAll(
    /^modelgate_infer_requests_total\{[^}]*status="(\d+)"[^}]*\} (\S+)$/gm,
  ))
    if (status !== '200') refused += Number(count);
  return { rows: value('modelgate_batch_size_sum'), runs: value('modelgate_batch_size_count'), refused };
}

/** How a contender is driven: the wire, the requests in flight, and the tool. */
interface Load extends Drive {
  /** h2load for the wire comparison when it is here; autocannon (HTTP) and node:http2 (gRPC) else. */
  readonly h2load: boolean;
}

function drive(server: Server, load: Load, seconds: number): Measured | Promise<Measured> {
  if (load.wire === 'http') {
    return load.h2load
      ? h2loadRun(server.url, server.inferPath, load, server.body.json, seconds)
      : autocannonLoad(`${server.url}${server.inferPath}`, server.body.json, load.connections, seconds);
  }
  const target = server.grpcTarget as string;
  return load.h2load
    ? h2loadRun(`http://${target}`, GRPC_PATH, load, server.body.frame, seconds)
    : nodeGrpcLoad(target, server.body.frame, load, seconds);
}

async function load(server: Server, how: Load): Promise<Figures> {
  await drive(server, how, WARM_UP_SECONDS);
  const [before, cpuBefore] = [await counts(server), cpuSeconds(server.child.pid)];
  const result = await drive(server, how, SECONDS);
  const [after, cpuAfter] = [await counts(server), cpuSeconds(server.child.pid)];
  const requests = result.requests;
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50: result.p50,
    p99: result.p99,
    failed: result.failed + after.refused - before.refused,
    cpuMicros:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / Math.max(1, requests),
    meanBatch: server.countsBatches
      ? (after.rows - before.rows) / Math.max(1, after.runs - before.runs)
      : undefined,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Contender {
  readonly label: string;
  readonly server: Server;
  readonly load: Load;
  readonly rounds: Figures[];
}

/** `connections` HTTP + JSON requests in flight through autocannon. */
const http = (connections: number): Load => ({ wire: 'http', connections, streams: 1, h2load: false });

/** Measures every contender once per round, in turn, so that a slow spell hits them all alike. */
async function interleaved(contenders: readonly Contender[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders) contender.rounds.push(await load(contender.server, contender.load));
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// autocannon records latencies in whole milliseconds; h2load and the node:http2 client in µs.
const ms = (n: number) =>
  n < 1 ? (n === 0 ? '< 1 ms' : `${n.toFixed(2)} ms`) : `${n.toFixed(n < 10 ? 1 : 0)} ms`;

function table(contenders: readonly Contender[]): void {
  console.log(
    '| run | in flight | requests/s | p50 | p99 | server CPU / request | mean batch | failed |\n|---|---|---|---|---|---|---|---|',
  );
  for (const { label, load: how, rounds } of contenders) {
    const connections =
      how.streams > 1
        ? `${how.connections} (${how.connections / how.streams} × ${how.streams})`
        : how.connections;
    const of = (pick: (f: Figures) => number | undefined) => {
      const values = rounds.map(pick).filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : median(values);
    };
    const cpu = of((f) => f.cpuMicros);
    const batch = of((f) => f.meanBatch);
    console.log(
      `| ${label} | ${connections} | ${fmt(of((f) => f.requestsPerSecond) ?? 0)} | ${ms(of((f) => f.p50) ?? 0)} | ${ms(of((f) => f.p99) ?? 0)} | ${cpu === undefined ? '–' : `${Math.round(cpu)} µs`} | ${batch === undefined ? '–' : batch.toFixed(1)} | ${rounds.reduce((sum, f) => sum + f.failed, 0)} |`,
    );
  }
}

/**
 * "0.93× (rounds 0.91, 0.93, 0.95), target ≥ 0.9×": the median of the rounds' ratios. Each round
 * measures both sides minutes apart at most, so a slow spell on this shared machine moves one
 * round's pair together rather than one side's median.
 */
function ratio(of: Contender, to: Contender, target: number): string {
  const each = of.rounds.map((f, i) => f.requestsPerSecond / (to.rounds[i] as Figures).requestsPerSecond);
  const value = median(each);
  const spread = `${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)}`;
  return `${value.toFixed(2)}× (rounds ${each.map((r) => r.toFixed(2)).join(', ')}; spread ${spread}), target ≥ ${target}×: ${value >= target ? 'met' : 'NOT met'}`;
}

/** "p99 1.2 ms vs 2.5 ms: lower": the medians of the rounds' p99s. */
function lowerP99(of: Contender, to: Contender): string {
  const [a, b] = [median(of.rounds.map((f) => f.p99)), median(to.rounds.map((f) => f.p99))];
  return `p99 ${ms(a)} vs ${ms(b)}: ${a < b ? 'lower (met)' : 'NOT lower'}`;
}

/** Every line of the request logs in `dir`, parsed (a line that is not JSON throws). */
function logLines(dir: string): number {
  let lines = 0;
  for (const name of readdirSync(dir)) {
    for (const text of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (text === '') continue;
      const line = JSON.parse(text) as { features: Record<string, number>; outputs: Record<string, unknown> };
      if (Object.keys(line.features).length !== FEATURES)
        throw new Error(`${name}: a line without its features`);
      lines++;
    }
  }
  return lines;
}

/** The wide MLP, generated once into bench/.data: by Debian's python3 + onnx, else by onnx-proto. */
function wideModel(): string | undefined {
  const path = join(root, 'bench', '.data', 'mlp-wide.onnx');
  mkdirSync(join(root, 'bench', '.data'), { recursive: true });
  if (!existsSync(path)) {
    spawnSync('/usr/bin/python3', [join(root, 'bench', 'make_wide_mlp.py'), path], { encoding: 'utf8' });
  }
  if (!existsSync(path)) {
    spawnSync(process.execPath, [join(root, 'bench', 'make-wide-mlp.mjs'), path], { encoding: 'utf8' });
  }
  return existsSync(path) ? path : undefined;
}

if (!existsSync(join(root, 'packages', 'cli', 'dist', 'modelgate.js'))) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
const dir = mkdtempSync(join(tmpdir(), 'modelgate-bench-server-'));
const running: Server[] = [];
const launch = async (server: Promise<Server>) => {
  running.push(await server);
  return running.at(-1) as Server;
};
try {
  const registry = join(dir, 'registry');
  const register = (name: string, modelPath: string) =>
    createFsRegistry(registry).register({
      name,
      modelPath,
      evaluation: null,
      verdict: null,
      lineage: {},
      requirePassed: false,
    });
  console.log(
    `\nmodel server (issue 17): single-row infer requests over loopback HTTP + JSON, ${SECONDS} s per measurement, medians of ${ROUNDS} interleaved rounds`,
  );

  const tiny = join(root, 'bench', 'models', 'mlp-32.onnx');
  await register('mlp-32', tiny);
  const plain = await launch(startPlain(tiny));
  const modelgate = await launch(startServe(registry, 'mlp-32', ['--grpc-port', '0']));
  const logAll = join(dir, 'log-all');
  const logTenth = join(dir, 'log-tenth');
  const logged = await launch(
    startServe(registry, 'mlp-32', ['--log-requests', logAll, '--log-sample', '1']),
  );
  const sampled = await launch(
    startServe(registry, 'mlp-32', ['--log-requests', logTenth, '--log-sample', '0.1']),
  );
  const grpc = (connections: number, streams: number): Load => ({
    wire: 'grpc',
    connections,
    streams,
    h2load: hasH2load,
  });
  const tinyRuns: Contender[] = [
    ...[1, 32].flatMap((connections) => [
      { label: 'plain server', server: plain, load: http(connections), rounds: [] },
      { label: 'modelgate serve', server: modelgate, load: http(connections), rounds: [] },
    ]),
    { label: 'modelgate serve, --log-requests --log-sample 1', server: logged, load: http(32), rounds: [] },
    {
      label: 'modelgate serve, --log-requests (sample 0.1)',
      server: sampled,
      load: http(32),
      rounds: [],
    },
    ...(hasH2load
      ? [
          {
            label: 'modelgate serve, HTTP + JSON (h2load --h1)',
            server: modelgate,
            load: { ...http(32), h2load: true },
            rounds: [],
          },
        ]
      : []),
    {
      label: 'modelgate serve, gRPC raw, a call per connection',
      server: modelgate,
      load: grpc(32, 1),
      rounds: [],
    },
    {
      label: 'modelgate serve, gRPC raw, 8 calls per channel',
      server: modelgate,
      load: grpc(32, 8),
      rounds: [],
    },
  ];
  await interleaved(tinyRuns);
  await Promise.all(running.splice(0).map(stop));
  const [plain1, modelgate1, plain32, modelgate32, logged32, sampled32, ...wires] = tinyRuns as Contender[];
  const [httpWire, grpcPerConnection, grpcPerChannel] = (hasH2load ? wires : [modelgate32, ...wires]) as [
    Contender,
    Contender,
    Contender,
  ];
  console.log('\nmlp-32 (32→64→64→2, 6.4k parameters), modelgate against the plain server\n');
  table(tinyRuns);
  console.log(`\n1 connection: ${ratio(modelgate1 as Contender, plain1 as Contender, 0.8)}`);
  console.log(`32 connections: ${ratio(modelgate32 as Contender, plain32 as Contender, 0.9)}`);
  const by = hasH2load
    ? 'both driven by h2load'
    : 'HTTP by autocannon, gRPC by node:http2 (no h2load here: the client, not the server, sets gRPC’s pace)';
  for (const [what, contender] of [
    ['a call per connection', grpcPerConnection],
    ['8 calls per channel', grpcPerChannel],
  ] as const) {
    console.log(
      `gRPC raw (${what}) / HTTP + JSON at 32 in flight, ${by}: ${ratio(contender, httpWire, 2)}; ${lowerP99(contender, httpWire)}`,
    );
  }
  const failed = (c: Contender) => c.rounds.reduce((sum, f) => sum + f.failed, 0);
  for (const [what, contender, logDir] of [
    ['every request', logged32, logAll],
    ['a tenth of requests', sampled32, logTenth],
  ] as const) {
    console.log(
      `request log (${what}) / off at 32 connections: ${ratio(contender as Contender, modelgate32 as Contender, 0.95)}; ${failed(contender as Contender)} failed; ${fmt(logLines(logDir))} lines read back`,
    );
  }

  if (hasH2load) {
    // The wires' floor: what node:http and node:http2 cost per request before any work.
    const floorHttp = await launch(startFloor('http'));
    const floorGrpc = await launch(startFloor('grpc'));
    const floorRuns: Contender[] = [
      {
        label: 'bare node:http, canned answer',
        server: floorHttp,
        load: { ...http(32), h2load: true },
        rounds: [],
      },
      { label: 'bare node:http2, canned gRPC answer', server: floorGrpc, load: grpc(32, 1), rounds: [] },
      { label: 'bare node:http2, canned gRPC answer', server: floorGrpc, load: grpc(32, 8), rounds: [] },
    ];
    await interleaved(floorRuns);
    await Promise.all(running.splice(0).map(stop));
    console.log(
      '\nthe wires by themselves (h2load; no decoding, no model): server CPU per request is each wire’s floor\n',
    );
    table(floorRuns);
  }

  const wide = wideModel();
  if (wide === undefined) {
    console.log('\nmlp-wide: skipped (neither /usr/bin/python3 + onnx nor onnx-proto could write it)');
  } else {
    await register('mlp-wide', wide);
    const batched = await launch(startServe(registry, 'mlp-wide', []));
    const unbatched = await launch(startServe(registry, 'mlp-wide', ['--max-batch', '1']));
    const wideRuns: Contender[] = [
      { label: 'modelgate serve, adaptive batching', server: batched, load: http(64), rounds: [] },
      { label: 'modelgate serve, --max-batch 1', server: unbatched, load: http(64), rounds: [] },
    ];
    await interleaved(wideRuns);
    await Promise.all(running.splice(0).map(stop));
    console.log('\nmlp-wide (32→1024→1024→2, 1.1M parameters), batching against one run per request\n');
    table(wideRuns);
    console.log(
      `\nbatching at 64 connections: ${ratio(wideRuns[0] as Contender, wideRuns[1] as Contender, 2)}`,
    );
  }
  console.log(
    '\nThe load generator shares the machine with the servers, so these are ratios on one machine, not absolute capacities.',
  );
} finally {
  await Promise.all(running.map(stop));
  rmSync(dir, { recursive: true, force: true });
}
