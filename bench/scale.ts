// `npm run bench:scale`: evaluate at scale (issue 18), measured in one run, rounds interleaved:
// - peak RSS of `modelgate evaluate` (CSV, no bootstrap) over the raw feature bytes (rows × 32 × 4):
//   target ≤ 1.5× at 2M rows (the CSV is streamed: data/csv-stream.ts), and the same of the NPY
//   file (streamed in slices: data/npy-stream.ts);
// - its wall time over bare onnxruntime-node's on the same rows pre-decoded to a Float32Array
//   (bench/bare-ort.mjs): target ≤ 2.5× at 200k, ≤ 3× at 2M; NPY ≤ 1.3× at 200k;
// - with BENCH_HUGE=1, 20M rows: time and RSS (target: within 2 GB).
// Each ratio is the median of BENCH_ROUNDS (default 3) rounds' ratios, with their spread.
//
//   BENCH_SIZES=200000,2000000 BENCH_ROUNDS=3 BENCH_HUGE=0 npm run bench:scale
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npyPreamble, rng } from './data.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = join(root, 'bench', '.data');
const model = join(root, 'bench', 'models', 'mlp-32.onnx');
const cliBin = join(root, 'packages', 'cli', 'bin', 'modelgate.js');
const FEATURES = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '200000,2000000').split(',').map(Number);
const HUGE = 20_000_000;

/** CSV (and, unless `csvOnly`, the pre-decoded .f32 and an .npy) of `rows` rows, written a block at a time. */
function generate(rows: number, csvOnly: boolean): { csv: string; bin: string; npy: string } {
  mkdirSync(dataDir, { recursive: true });
  const csv = join(dataDir, `scale-${rows}.csv`);
  const bin = join(dataDir, `scale-${rows}.f32`);
  const npy = join(dataDir, `scale-${rows}.npy`);
  if (existsSync(csv) && (csvOnly || (existsSync(bin) && existsSync(npy)))) return { csv, bin, npy };
  const random = rng(2024);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const csvFd = openSync(csv, 'w');
  const binFd = csvOnly ? undefined : openSync(bin, 'w');
  const npyFd = csvOnly ? undefined : openSync(npy, 'w');
  if (npyFd !== undefined) {
    writeSync(npyFd, npyPreamble(rows, FEATURES + 1));
  }
  writeSync(csvFd, `${Array.from({ length: FEATURES }, (_, j) => `x${j}`).join(',')},y\n`);
  const BLOCK = 50_000;
  for (let from = 0; from < rows; from += BLOCK) {
    const count = Math.min(BLOCK, rows - from);
    const features = new Float32Array(count * FEATURES);
    const table = new Float32Array(count * (FEATURES + 1));
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      let signal = 0;
      const cells: string[] = [];
      for (let j = 0; j < FEATURES; j++) {
        const text = normal().toFixed(6);
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
    writeSync(csvFd, `${lines.join('\n')}\n`);
    if (binFd !== undefined) writeSync(binFd, new Uint8Array(features.buffer));
    if (npyFd !== undefined) writeSync(npyFd, new Uint8Array(table.buffer));
  }
  for (const fd of [csvFd, binFd, npyFd]) if (fd !== undefined) closeSync(fd);
  return { csv, bin, npy };
}

interface Timed {
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** A whole process under /usr/bin/time -v's fields: wall, user + sys, peak RSS. */
function measure(command: string, args: string[]): Timed {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if (match === null) throw new Error(`no /usr/bin/time line in:\n${result.stderr}`);
  const [, wall, user, sys, kb] = match.map(Number) as [number, number, number, number, number];
  return { wall, cpu: user + sys, rssMiB: kb / 1024 };
}

const evaluate = (data: string, label: string) => [
  cliBin,
  'evaluate',
  ...['--model', model, '--data', data, '--label', label, '--bootstrap', '0'],
  ...['--out', join(dataDir, 'scale-eval.json')],
];

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] as number;
  return `${median.toFixed(2)}× (${(sorted[0] as number).toFixed(2)}–${(sorted.at(-1) as number).toFixed(2)})`;
}

if (!existsSync(join(root, 'packages', 'cli', 'dist', 'modelgate.js'))) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
console.log(`rounds: ${ROUNDS}, interleaved; ratios are medians of the rounds' ratios (min–max)\n`);
console.log(
  '| rows | CSV time / bare | CSV RSS / feature bytes | NPY time / bare | NPY RSS / feature bytes | CSV wall, RSS (median) |',
);
console.log('|---|---|---|---|---|---|');
for (const rows of SIZES) {
  const files = generate(rows, false);
  const featureMiB = (rows * FEATURES * 4) / 2 ** 20;
  const time: number[] = [];
  const rss: number[] = [];
  const npy: number[] = [];
  const npyRss: number[] = [];
  const csvRuns: Timed[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bare = measure(process.execPath, [
      join(root, 'bench', 'bare-ort.mjs'),
      model,
      files.bin,
      String(FEATURES),
    ]);
    const csv = measure(process.execPath, evaluate(files.csv, 'y'));
    const fromNpy = measure(process.execPath, evaluate(files.npy, '32'));
    time.push(csv.wall / bare.wall);
    rss.push(csv.rssMiB / featureMiB);
    npy.push(fromNpy.wall / bare.wall);
    npyRss.push(fromNpy.rssMiB / featureMiB);
    csvRuns.push(csv);
  }
  const middle = [...csvRuns].sort((a, b) => a.wall - b.wall)[csvRuns.length >> 1] as Timed;
  console.log(
    `| ${rows.toLocaleString('en-US')} | ${summary(time)} | ${summary(rss)} | ${summary(npy)} | ${summary(npyRss)} | ${middle.wall.toFixed(1)} s, ${middle.rssMiB.toFixed(0)} MiB |`,
  );
}
if (process.env.BENCH_HUGE === '1') {
  const files = generate(HUGE, true);
  const run = measure(process.execPath, evaluate(files.csv, 'y'));
  console.log(
    `\n20,000,000 rows × 32 (CSV, no bootstrap): ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s CPU, peak RSS ${run.rssMiB.toFixed(0)} MiB (target ≤ 2,048 MiB; raw features ${((HUGE * FEATURES * 4) / 2 ** 20).toFixed(0)} MiB)`,
  );
}
