// `npm run bench`: modelgate evaluate against its limits and its peer, measured in one run on
// the same generated data. Prints ratios; asserts nothing (speed goals are not test assertions).
//
//   evaluate (no bootstrap) vs bare onnxruntime-node over pre-decoded Float32Array, on CSV
//            (target ≤ 2.5×, issue 18; it was ≤ 4×) and NPY (target ≤ 1.3×; it was ≤ 1.5×),
//            plus peak memory
//   evaluate with 1,000 resamples vs the pandas + scikit-learn script a data scientist writes,
//            on wall time and on CPU time, user + sys (target ≤ 0.025× on both, issue 18; it
//            was ≤ 0.05×), and the bootstrap's own cost
// Every ratio is the median of the rounds' own ratios (each round runs every case once, in turn),
// with the smallest and largest in brackets: medians, not the best round.
//   issue 6: the model server (bench/server.ts) vs an in-process onnxruntime-node loop, with and
//            without dynamic batching (target ≥ 0.7× with batching)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npyPreamble, rng } from './data.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = join(root, 'bench', '.data');
const model = join(root, 'bench', 'models', 'mlp-32.onnx');
const weights = join(root, 'bench', 'models', 'mlp-32.npz');
const cliBin = join(root, 'packages', 'cli', 'bin', 'modelgate.js');
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const FEATURES = 32;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

/** The data rule of bench/models/README.md, with Box–Muller normals. */
function generate(): { csv: string; npy: string; bin: string } {
  mkdirSync(dataDir, { recursive: true });
  const csv = join(dataDir, `mlp32-${ROWS}.csv`);
  const npy = join(dataDir, `mlp32-${ROWS}.npy`);
  const bin = join(dataDir, `mlp32-${ROWS}.f32`);
  if (existsSync(csv) && existsSync(npy) && existsSync(bin)) return { csv, npy, bin };
  const random = rng(2024);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const features = new Float32Array(ROWS * FEATURES);
  const table = new Float32Array(ROWS * (FEATURES + 1));
  const lines = [`${Array.from({ length: FEATURES }, (_, j) => `x${j}`).join(',')},y`];
  for (let i = 0; i < ROWS; i++) {
    const cells: string[] = [];
    let signal = 0;
    for (let j = 0; j < FEATURES; j++) {
      const text = normal().toFixed(8);
      const value = Math.fround(Number.parseFloat(text));
      features[i * FEATURES + j] = value;
      table[i * (FEATURES + 1) + j] = value;
      signal += j < 16 ? value : -value;
      cells.push(text);
    }
    const y = signal + 0.5 * normal() > 0 ? 1 : 0;
    table[i * (FEATURES + 1) + FEATURES] = y;
    cells.push(String(y));
    lines.push(cells.join(','));
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  writeFileSync(bin, new Uint8Array(features.buffer));
  writeFileSync(npy, Buffer.concat([npyPreamble(ROWS, FEATURES + 1), new Uint8Array(table.buffer)]));
  return { csv, npy, bin };
}

interface Timed {
  seconds: number;
  /** User + system CPU seconds, from /usr/bin/time when present. */
  cpu: number | undefined;
  peakMiB: number | undefined;
  stdout: string;
}

/** Wall time of a whole process (start-up included), with CPU time and peak RSS from /usr/bin/time when present. */
function timeProcess(command: string, args: string[]): Timed {
  const useTime = existsSync('/usr/bin/time');
  const began = performance.now();
  const result = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'TIME_CPU=%U+%S MAXRSS_KB=%M', command, ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - began) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const measured = /TIME_CPU=([\d.]+)\+([\d.]+) MAXRSS_KB=(\d+)/.exec(result.stderr ?? '');
  return {
    seconds,
    cpu: measured === null ? undefined : Number(measured[1]) + Number(measured[2]),
    peakMiB: measured === null ? undefined : Number(measured[3]) / 1024,
    stdout: result.stdout,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The median of per-round ratios, with their smallest and largest: `1.23× (1.20–1.31)`. */
function ratio(values: number[]): string {
  const digits = Math.max(...values) < 0.1 ? 4 : 2;
  const spread =
    values.length > 1
      ? ` (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`
      : '';
  return `${median(values).toFixed(digits)}×${spread}`;
}

/**
 * Runs every case once per round, round after round, so that a slow spell of a shared machine
 * falls on all of them alike rather than on whichever case ran during it.
 */
function interleave(rounds: number, cases: Record<string, () => Timed>): Record<string, Timed[]> {
  const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(cases)) runs[name]?.push(run());
  }
  return runs;
}

if (!existsSync(join(root, 'packages', 'cli', 'dist', 'modelgate.js'))) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
console.log(`generating ${ROWS} rows × ${FEATURES} features (cached in bench/.data)…`);
const files = generate();
console.log(
  `CSV ${(statSync(files.csv).size / 1e6).toFixed(1)} MB, NPY ${(statSync(files.npy).size / 1e6).toFixed(1)} MB; ${REPEATS} interleaved rounds, whole processes; medians of the rounds' ratios (min–max)\n`,
);

const evaluateArgs = (data: string, label: string, resamples: number) => [
  cliBin,
  'evaluate',
  '--model',
  model,
  '--data',
  data,
  '--label',
  label,
  '--bootstrap',
  String(resamples),
  '--out',
  join(dataDir, 'bench-eval.json'),
];
const runs = interleave(REPEATS, {
  bare: () =>
    timeProcess(process.execPath, [join(root, 'bench', 'bare-ort.mjs'), model, files.bin, String(FEATURES)]),
  csv0: () => timeProcess(process.execPath, evaluateArgs(files.csv, 'y', 0)),
  npy0: () => timeProcess(process.execPath, evaluateArgs(files.npy, '32', 0)),
  csv1000: () => timeProcess(process.execPath, evaluateArgs(files.csv, 'y', 1000)),
});
const seconds = (name: string) => (runs[name] ?? []).map((run) => run.seconds);
if (seconds('bare').length === 0) throw new Error('BENCH_REPEATS must be at least 1');
/** Each round's time of `name` over the same round's `over`. */
const perRound = (name: string, over: string) =>
  seconds(name).map((s, k) => s / (seconds(over)[k] as number));
const peak = (name: string) => {
  const values = (runs[name] ?? []).map((run) => run.peakMiB).filter((v) => v !== undefined);
  return values.length === 0 ? 'n/a' : `${median(values).toFixed(0)} MiB`;
};
const wall = (name: string) => `${median(seconds(name)).toFixed(3)} s`;

const rows: string[][] = [
  ['bare onnxruntime-node, pre-decoded Float32Array (the limit)', wall('bare'), '1.00×', peak('bare')],
  [
    'modelgate evaluate, CSV, no bootstrap',
    wall('csv0'),
    `${ratio(perRound('csv0', 'bare'))} (target ≤ 2.5×)`,
    peak('csv0'),
  ],
  [
    'modelgate evaluate, NPY, no bootstrap',
    wall('npy0'),
    `${ratio(perRound('npy0', 'bare'))} (target ≤ 1.3×)`,
    peak('npy0'),
  ],
  [
    'modelgate evaluate, CSV, 1,000 resamples',
    wall('csv1000'),
    ratio(perRound('csv1000', 'bare')),
    peak('csv1000'),
  ],
];
console.log('| run | wall (median) | vs bare onnxruntime | peak RSS (median) |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nbootstrap's own cost: ${(median(seconds('csv1000')) - median(seconds('csv0'))).toFixed(3)} s for 1,000 resamples of every metric (evaluate with it / without it = ${ratio(perRound('csv1000', 'csv0'))})`,
);

const python = '/usr/bin/python3';
const peer = join(root, 'bench', 'sklearn_peer.py');
const hasPeer =
  process.env.BENCH_PEER !== '0' &&
  existsSync(python) &&
  existsSync(peer) &&
  spawnSync(python, ['-c', 'import pandas, sklearn, numpy'], { encoding: 'utf8' }).status === 0;
if (!hasPeer) {
  console.log(
    '\npandas + scikit-learn peer: skipped (BENCH_PEER=0, or no /usr/bin/python3 with pandas and scikit-learn)',
  );
} else {
  // The script takes a minute or more: it runs once, against the median of evaluate's rounds.
  const script = timeProcess(python, [peer, files.csv, weights, '1000']);
  const ours = runs.csv1000 ?? [];
  const cpu = ours.map((run) => run.cpu).filter((v) => v !== undefined);
  console.log('\n| run | wall | CPU (user + sys) |\n|---|---|---|');
  console.log(
    `| pandas + scikit-learn script, 1,000-resample bootstrap of accuracy and roc_auc | ${script.seconds.toFixed(3)} s | ${script.cpu === undefined ? 'n/a' : `${script.cpu.toFixed(2)} s`} |`,
  );
  console.log(
    `| modelgate evaluate, 1,000 resamples of every metric | ${ratio(seconds('csv1000').map((s) => s / script.seconds))} (target ≤ 0.025×) | ${script.cpu === undefined || cpu.length === 0 ? 'n/a' : `${ratio(cpu.map((c) => c / (script.cpu as number)))} (target ≤ 0.025×)`} |`,
  );
  const detail = script.stdout.trim().split('\n').at(-1);
  if (detail !== undefined) console.log(`\npeer script phases: ${detail}`);
}

// issue 6: the model server against an in-process onnxruntime-node loop (BENCH_SERVER=0 skips it).
if (process.env.BENCH_SERVER !== '0') {
  const server = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'server.ts')], {
    stdio: 'inherit',
  });
  if (server.status !== 0) throw new Error(`bench/server.ts failed with exit code ${server.status}`);
}
