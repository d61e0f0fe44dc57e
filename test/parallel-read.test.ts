// A large data file is read on every core by the built CLI (worker threads run worker.js, next to
// the bundle); run from the sources, as `cli()` does, the same file is read on one thread. The
// two must agree on everything: the record, the digest, and the line an error names.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, CLI_BIN, cli, ROOT, tempDir } from './helpers.ts';

const dir = tempDir();
const model = join(ROOT, 'bench', 'models', 'mlp-32.onnx');
const FEATURES = 32;
/** Past the 16 MiB where reading in parallel starts (packages/core/src/data/parallel.ts). */
const ROWS = 56_000;

/** Deterministic rows of 32 features, a 0/1 label and a text slice column. */
function lines(): string[] {
  const out = [`${Array.from({ length: FEATURES }, (_, j) => `x${j}`).join(',')},y,region`];
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < ROWS; i++) {
    const cells = Array.from({ length: FEATURES }, () => next().toFixed(7));
    const signal = cells.slice(0, 16).reduce((sum, cell) => sum + Number(cell), 0);
    out.push(`${cells.join(',')},${signal > 0 ? 1 : 0},${i % 3 === 0 ? 'north' : 'south'}`);
  }
  return out;
}

const base = ['evaluate', '--model', model, '--label', 'y', '--slice-by', 'region', '--bootstrap', '0'];

function withoutTimings(text: string): unknown {
  const record = JSON.parse(text);
  delete record.created_at;
  for (const name of ['rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'])
    delete record.metrics[name];
  return record;
}

describe('a large CSV file read on every core', () => {
  const rows = lines();
  const data = join(dir, 'large.csv');
  writeFileSync(data, `${rows.join('\n')}\n`);

  it('is larger than the size where reading in parallel starts', () => {
    expect(readFileSync(data).length).toBeGreaterThan(16 << 20);
  });

  it('gives the record that one thread gives, with the digest of the whole file', async () => {
    const one = await cli([...base, '--data', data]);
    const every = bin([...base, '--data', data]);
    expect(one.code, one.stderr).toBe(0);
    expect(every.code, every.stderr).toBe(0);
    expect(withoutTimings(every.stdout)).toEqual(withoutTimings(one.stdout));
    const record = JSON.parse(every.stdout);
    expect(record.data.rows).toBe(ROWS);
    expect(record.data.sha256).toBe(createHash('sha256').update(readFileSync(data)).digest('hex'));
    expect(record.slices.map((slice: { value: string }) => slice.value).sort()).toEqual(['north', 'south']);
  });

  it('names the same line for a ragged row in the second half', async () => {
    const ragged = [...rows];
    ragged[50_000] = `${ragged[50_000]},extra`;
    const path = join(dir, 'ragged.csv');
    writeFileSync(path, `${ragged.join('\n')}\n`);
    const one = await cli([...base, '--data', path]);
    const every = bin([...base, '--data', path]);
    expect(one.code).toBe(2);
    expect(every.code).toBe(2);
    expect(every.stderr).toBe(one.stderr);
    expect(every.stderr).toContain(`${path} line 50001 has 35 fields, expected 34 (header)`);
  });

  it('falls back to one piece when a quoted field could straddle a cut, with the same record', async () => {
    const quoted = [...rows];
    quoted[40_000] = (quoted[40_000] as string).replace(/,south$|,north$/, ',"south"');
    const path = join(dir, 'quoted.csv');
    writeFileSync(path, `${quoted.join('\n')}\n`);
    const one = await cli([...base, '--data', path]);
    const every = bin([...base, '--data', path]);
    expect(every.code, every.stderr).toBe(0);
    expect(withoutTimings(every.stdout)).toEqual(withoutTimings(one.stdout));
  });

  /**
   * A copy of the built CLI with its own worker.js. It sits under node_modules so that
   * onnxruntime-node, which the bundle leaves out, still resolves from it.
   */
  function cliWithWorker(name: string, source: string): string {
    const copy = mkdtempSync(join(ROOT, 'node_modules', `.modelgate-${name}-`));
    afterAll(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(join(CLI_BIN, '..'), join(copy, 'bin'), { recursive: true });
    cpSync(join(CLI_BIN, '..', '..', 'dist'), join(copy, 'dist'), { recursive: true });
    writeFileSync(join(copy, 'dist', 'commands', 'evaluate', 'chunks', 'worker.js'), source);
    return join(copy, 'bin', 'modelgate.js');
  }

  const run = (cliPath: string, args: string[]) =>
    spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

  it('reads the file on one thread when a worker fails, with the same record', async () => {
    const broken = cliWithWorker('broken-worker', 'throw new Error("a worker that cannot start");\n');
    const one = await cli([...base, '--data', data]);
    const result = run(broken, [...base, '--data', data]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('a worker that cannot start');
    expect(withoutTimings(result.stdout)).toEqual(withoutTimings(one.stdout));
  });

  it('hands a large file of any format to the worker next to the bundle (a lying worker shows in the record)', () => {
    // 130,000 rows × 33 float32 columns: past 16 MiB, so the digest is the worker's alone.
    const rows = 130_000;
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (130000, 33), }";
    const padded = `${header}${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
    const preamble = Buffer.concat([
      Buffer.from('\x93NUMPY\x01\x00', 'latin1'),
      Buffer.alloc(2),
      Buffer.from(padded),
    ]);
    preamble.writeUInt16LE(padded.length, 8);
    const values = new Float32Array(rows * 33).map((_, k) =>
      k % 33 === 32 ? k % 2 : ((k * 7919) % 1000) / 1000,
    );
    const npy = join(dir, 'large.npy');
    writeFileSync(npy, Buffer.concat([preamble, new Uint8Array(values.buffer)]));
    const liar = cliWithWorker(
      'lying-worker',
      `import { parentPort } from 'node:worker_threads';
parentPort.once('message', () => parentPort.postMessage({ kind: 'digest', sha256: '${'f'.repeat(64)}' }));
`,
    );
    const args = ['evaluate', '--model', model, '--label', '32', '--bootstrap', '0', '--data', npy];
    const honest = JSON.parse(bin(args).stdout);
    expect(honest.data.sha256).toBe(createHash('sha256').update(readFileSync(npy)).digest('hex'));
    const lied = run(liar, args);
    expect(lied.status, lied.stderr).toBe(0);
    expect(JSON.parse(lied.stdout).data.sha256).toBe('f'.repeat(64));
  });
});
