// `npm run bench` (issue 6): the model server's throughput and latency on loopback, against an
// in-process onnxruntime-node loop doing the same work. Prints figures; asserts nothing.
//
//   server:      `modelgate serve` as its own process; autocannon drives single-row infer
//                requests (JSON over keep-alive HTTP/1.1) on a fixed number of connections,
//                with dynamic batching (the defaults: 64 rows / 2 ms) and without (--max-batch 1)
//   in-process:  onnxruntime-node in this process, one session.run per row: batch size 1, the
//                size of each request (the target's baseline); and one run per 64 rows, the
//                most one server batch holds, as the ceiling
//   target:      the server with batching at ≥ 0.7× the in-process rows per second
//
// Two models: bench/models/mlp-32.onnx (tiny: HTTP costs far more than inference) and a wider
// MLP generated with /usr/bin/python3 + onnx (inference costs more than HTTP), skipped when
// that Python is missing. Run alone with `node --import tsx bench/server.ts`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsRegistry, loadModelBytes } from '@modelgate/core';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(root, 'packages', 'cli', 'bin', 'modelgate.js');
const FEATURES = 32;
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
// Enough concurrent clients to fill a 64-row batch.
const CONNECTIONS = Number(process.env.BENCH_SERVER_CONNECTIONS ?? 64);
const CEILING_BATCH = 64;
const TOKEN = 'bench-admin-token';
// Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;

/** A fixed row of features (the values do not change the work an MLP does). */
const row = Array.from({ length: FEATURES }, (_, j) => Math.sin(j + 1));
const body = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, FEATURES], datatype: 'FP32', data: row }],
});

interface Figures {
  rowsPerSecond: number;
  p50: number;
  p99: number;
  note: string;
}

/** One session.run per `batch` rows for SECONDS, timing every call. */
async function inProcess(model: string, batch: number): Promise<Figures> {
  const { session, runtime } = await loadModelBytes(readFileSync(model), model, { provider: 'cpu' });
  const data = new Float32Array(batch * FEATURES);
  for (let r = 0; r < batch; r++) data.set(row, r * FEATURES);
  const run = async () => {
    const tensor = new runtime.Tensor('float32', data, [batch, FEATURES]);
    await session.run({ input: tensor }, ['probabilities']);
  };
  for (let i = 0; i < 100; i++) await run();
  const latencies: number[] = [];
  const began = performance.now();
  while (performance.now() - began < SECONDS * 1000) {
    const t0 = performance.now();
    await run();
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - began) / 1000;
  await session.release();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  return {
    rowsPerSecond: (latencies.length * batch) / elapsed,
    p50: at(50),
    p99: at(99),
    note: `${latencies.length.toLocaleString('en-US')} runs; latency per run`,
  };
}

/** Starts `modelgate serve` on a free port with version 1 of `name` loaded. */
async function startServe(
  registry: string,
  name: string,
  flags: string[],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      cliBin,
      'serve',
      '--port',
      '0',
      '--registry',
      `fs:${registry}`,
      '--model',
      `${name}@1`,
      '--quiet',
      ...flags,
    ],
    { env: { ...process.env, MODELGATE_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
    child.on('exit', (code) => reject(new Error(`modelgate serve exited with ${code}:\n${stderr}`)));
  });
  return { url, child };
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

/** Rows and session runs so far, from the server's own batch-size histogram. */
async function batches(url: string): Promise<{ rows: number; runs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { rows: value('modelgate_batch_size_sum'), runs: value('modelgate_batch_size_count') };
}

async function overHttp(registry: string, name: string, flags: string[]): Promise<Figures> {
  const { url, child } = await startServe(registry, name, flags);
  try {
    const options = {
      url: `${url}/v2/models/${name}/infer`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body,
      connections: CONNECTIONS,
    };
    await autocannon({ ...options, duration: 1 });
    const [before, cpuBefore] = [await batches(url), cpuSeconds(child.pid)];
    const result = await autocannon({ ...options, duration: SECONDS });
    const [after, cpuAfter] = [await batches(url), cpuSeconds(child.pid)];
    const failed = result.errors + result.timeouts + result.non2xx;
    const requests = result.requests.total;
    const meanBatch = (after.rows - before.rows) / Math.max(1, after.runs - before.runs);
    const cpu =
      cpuBefore === undefined || cpuAfter === undefined
        ? ''
        : `, server CPU ${Math.round(((cpuAfter - cpuBefore) * 1e6) / Math.max(1, requests))} µs/request`;
    return {
      rowsPerSecond: requests / SECONDS,
      p50: result.latency.p50,
      p99: result.latency.p99,
      note: `${requests.toLocaleString('en-US')} requests, ${failed} failed, mean batch ${meanBatch.toFixed(1)} rows${cpu}`,
    };
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The wide MLP, generated once into bench/.data; undefined without Debian's python3 + onnx. */
function wideModel(): string | undefined {
  const path = join(root, 'bench', '.data', 'mlp-wide.onnx');
  if (existsSync(path)) return path;
  mkdirSync(join(root, 'bench', '.data'), { recursive: true });
  const made = spawnSync('/usr/bin/python3', [join(root, 'bench', 'make_wide_mlp.py'), path], {
    encoding: 'utf8',
  });
  return made.status === 0 && existsSync(path) ? path : undefined;
}

if (!existsSync(join(root, 'packages', 'cli', 'dist', 'modelgate.js'))) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
const models: Array<{ name: string; path: string | undefined; what: string }> = [
  { name: 'mlp-32', path: join(root, 'bench', 'models', 'mlp-32.onnx'), what: '32→64→64→2, 6.4k parameters' },
  { name: 'mlp-wide', path: wideModel(), what: '32→1024→1024→2, 1.1M parameters' },
];
const dir = mkdtempSync(join(tmpdir(), 'modelgate-bench-server-'));
try {
  const registry = join(dir, 'registry');
  console.log(
    `\nmodel server (issue 6): single-row infer requests over loopback HTTP, ${CONNECTIONS} connections, ${SECONDS} s per run`,
  );
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n < 1 ? n.toFixed(3) : n.toFixed(1)} ms`;
  for (const model of models) {
    if (model.path === undefined) {
      console.log(
        `\n${model.name}: skipped (it is generated with /usr/bin/python3 and onnx, which are not here)`,
      );
      continue;
    }
    await createFsRegistry(registry).register({
      name: model.name,
      modelPath: model.path,
      evaluation: null,
      verdict: null,
      lineage: {},
      requirePassed: false,
    });
    const single = await inProcess(model.path, 1);
    const ceiling = await inProcess(model.path, CEILING_BATCH);
    const batched = await overHttp(registry, model.name, []);
    const unbatched = await overHttp(registry, model.name, ['--max-batch', '1']);
    const ratio = (f: Figures) => `${(f.rowsPerSecond / single.rowsPerSecond).toFixed(2)}×`;
    console.log(`\n${model.name} (${model.what})\n`);
    console.log(
      '| run | rows/s | p50 | p99 | vs in-process, 1 row per run | notes |\n|---|---|---|---|---|---|',
    );
    const line = (name: string, f: Figures, extra = '') =>
      console.log(
        `| ${name} | ${fmt(f.rowsPerSecond)} | ${ms(f.p50)} | ${ms(f.p99)} | ${ratio(f)}${extra} | ${f.note} |`,
      );
    line('in-process onnxruntime-node, 1 row per run (baseline)', single);
    line(`in-process onnxruntime-node, ${CEILING_BATCH} rows per run (ceiling)`, ceiling);
    line('modelgate serve, dynamic batching (64 rows / 2 ms)', batched, ' (target ≥ 0.7×)');
    line('modelgate serve, --max-batch 1 (no batching)', unbatched);
    console.log(
      `\nbatching: ${(batched.rowsPerSecond / unbatched.rowsPerSecond).toFixed(2)}× the requests per second of one run per request`,
    );
  }
  console.log(
    '\nThe load generator shares the machine with the server. Server latencies are per HTTP request, in-process ones per session.run.',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
