// `npm run bench` (issues 6 and 17): the model server over loopback HTTP + JSON, against the
// wire's own limit. Prints figures; asserts nothing.
//
//   plain server:  bench/plain-server.mjs, the plainest Node http server around one
//                  onnxruntime-node session (JSON in, JSON out, OIP v2 shapes; no checks, no
//                  batching, no metrics): what HTTP + JSON costs on this machine
//   modelgate:     `modelgate serve` as its own process, with its defaults (adaptive batching,
//                  up to 64 rows, max-wait-ms 2)
//   load:          autocannon drives single-row infer requests over keep-alive HTTP/1.1
//
// Targets (issue 17), each a ratio of requests per second measured in this one run: the median
// of ROUNDS interleaved rounds' ratios:
//   bench/models/mlp-32.onnx (tiny: HTTP costs far more than inference), modelgate against the
//     plain server: ≥ 0.8× at 1 connection, ≥ 0.9× at 32
//   a wide MLP (inference costs more than HTTP): batching ≥ 2× over --max-batch 1 at 64
//     connections. It is generated with /usr/bin/python3 + onnx (bench/make_wide_mlp.py), or,
//     where those are missing, with onnx-proto (bench/make-wide-mlp.mjs: the same graph).
//
// Run alone with `node --import tsx bench/server.ts`; BENCH_SERVER_SECONDS sets each
// measurement's length, BENCH_SERVER_CLI another build's bin/modelgate.js (a before/after).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsRegistry } from '@modelgate/core';
import autocannon from 'autocannon';

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
const body = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, FEATURES], datatype: 'FP32', data: row }],
});

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
  readonly inferPath: string;
  readonly child: ChildProcess;
  readonly countsBatches: boolean;
}

/** Starts a server process and waits for the `listening on URL` line it prints. */
async function start(args: string[], inferPath: string, countsBatches: boolean): Promise<Server> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, MODELGATE_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${stderr}`)));
  });
  return { url, inferPath, child, countsBatches };
}

function startServe(registry: string, name: string, flags: string[]): Promise<Server> {
  const args = [cliBin, 'serve', '--port', '0', '--registry', `fs:${registry}`, '--model', `${name}@1`];
  return start([...args, '--quiet', ...flags], `/v2/models/${name}/infer`, true);
}

function startPlain(model: string): Promise<Server> {
  return start([join(root, 'bench', 'plain-server.mjs'), model], '/v2/models/plain/infer', false);
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

/** Rows and session runs so far, from modelgate's own batch-size histogram. */
async function batches(server: Server): Promise<{ rows: number; runs: number }> {
  if (!server.countsBatches) return { rows: 0, runs: 0 };
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { rows: value('modelgate_batch_size_sum'), runs: value('modelgate_batch_size_count') };
}

async function load(server: Server, connections: number): Promise<Figures> {
  const options = {
    url: `${server.url}${server.inferPath}`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body,
    connections,
  };
  await autocannon({ ...options, duration: WARM_UP_SECONDS });
  const [before, cpuBefore] = [await batches(server), cpuSeconds(server.child.pid)];
  const result = await autocannon({ ...options, duration: SECONDS });
  const [after, cpuAfter] = [await batches(server), cpuSeconds(server.child.pid)];
  const requests = result.requests.total;
  return {
    requestsPerSecond: requests / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
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
  readonly connections: number;
  readonly rounds: Figures[];
}

/** Measures every contender once per round, in turn, so that a slow spell hits them all alike. */
async function interleaved(contenders: readonly Contender[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders)
      contender.rounds.push(await load(contender.server, contender.connections));
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// autocannon records latencies in whole milliseconds.
const ms = (n: number) => (n < 1 ? '< 1 ms' : `${Math.round(n)} ms`);

function table(contenders: readonly Contender[]): void {
  console.log(
    '| run | connections | requests/s | p50 | p99 | server CPU / request | mean batch | failed |\n|---|---|---|---|---|---|---|---|',
  );
  for (const { label, connections, rounds } of contenders) {
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
  return `${value.toFixed(2)}× (rounds ${each.map((r) => r.toFixed(2)).join(', ')}), target ≥ ${target}×: ${value >= target ? 'met' : 'NOT met'}`;
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
  const modelgate = await launch(startServe(registry, 'mlp-32', []));
  const tinyRuns: Contender[] = [1, 32].flatMap((connections) => [
    { label: 'plain server', server: plain, connections, rounds: [] },
    { label: 'modelgate serve', server: modelgate, connections, rounds: [] },
  ]);
  await interleaved(tinyRuns);
  await Promise.all(running.splice(0).map(stop));
  const [plain1, modelgate1, plain32, modelgate32] = tinyRuns as [Contender, Contender, Contender, Contender];
  console.log('\nmlp-32 (32→64→64→2, 6.4k parameters), modelgate against the plain server\n');
  table(tinyRuns);
  console.log(`\n1 connection: ${ratio(modelgate1, plain1, 0.8)}`);
  console.log(`32 connections: ${ratio(modelgate32, plain32, 0.9)}`);

  const wide = wideModel();
  if (wide === undefined) {
    console.log('\nmlp-wide: skipped (neither /usr/bin/python3 + onnx nor onnx-proto could write it)');
  } else {
    await register('mlp-wide', wide);
    const batched = await launch(startServe(registry, 'mlp-wide', []));
    const unbatched = await launch(startServe(registry, 'mlp-wide', ['--max-batch', '1']));
    const wideRuns: Contender[] = [
      { label: 'modelgate serve, adaptive batching', server: batched, connections: 64, rounds: [] },
      { label: 'modelgate serve, --max-batch 1', server: unbatched, connections: 64, rounds: [] },
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
