// A large streamed CSV file is parsed by worker threads besides the main thread (data/csv-stream.ts)
// when the built CLI runs it: from 128 MiB by default, at any size with MODELGATE_PARSE_WORKERS.
// Run from the sources, as `cli()` does, the same file is parsed on one thread. The records must
// be the same, and so must the way a file the stream cannot take falls back to the whole read.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, ROOT, tempDir } from './helpers.ts';

const dir = tempDir();
const model = join(ROOT, 'bench', 'models', 'mlp-32.onnx');
const FEATURES = 32;
/** Past the 16 MiB where a CSV file is streamed (evaluation/settings.ts STREAM_MIN_BYTES). */
const ROWS = 56_000;

/** Deterministic rows: 32 features (some in forms the fast path leaves to the full parser), a label and a slice. */
function lines(): string[] {
  const out = [`${Array.from({ length: FEATURES }, (_, j) => `x${j}`).join(',')},y,region`];
  let state = 987654;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < ROWS; i++) {
    const cells = Array.from({ length: FEATURES }, (_, j) => {
      const value = next();
      if (j === 3) return value.toExponential(4); // an exponent
      if (j === 5) return String(value); // 17 significant digits
      if (j === 7) return ` ${value.toFixed(3)}`; // padded
      if (j === 9 && i % 1000 === 0) return '+.5';
      return value.toFixed(7);
    });
    const signal = cells.slice(0, 16).reduce((sum, cell) => sum + Number(cell), 0);
    out.push(`${cells.join(',')},${signal > 0 ? 1 : 0},${['north', 'south', 'east'][i % 3]}`);
    if (i % 9000 === 0) out.push(''); // blank lines are not records
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

describe('a streamed CSV file parsed by worker threads', () => {
  const rows = lines();
  const data = join(dir, 'large.csv');
  writeFileSync(data, `${rows.join('\n')}\n`);

  it.each(['1', '3'])('gives the record one thread gives, with %s parse workers', async (workers) => {
    const one = await cli([...base, '--data', data]);
    const every = bin([...base, '--data', data], ROOT, { MODELGATE_PARSE_WORKERS: workers });
    expect(one.code, one.stderr).toBe(0);
    expect(every.code, every.stderr).toBe(0);
    expect(withoutTimings(every.stdout)).toEqual(withoutTimings(one.stdout));
    const record = JSON.parse(every.stdout);
    expect(record.data.rows).toBe(ROWS);
    expect(record.data.sha256).toBe(createHash('sha256').update(readFileSync(data)).digest('hex'));
    expect(record.slices.map((slice: { value: string }) => slice.value).sort()).toEqual([
      'east',
      'north',
      'south',
    ]);
  });

  it('gives a shard’s part the one-thread part', async () => {
    const one = await cli([...base, '--data', data, '--shard', '2/3']);
    const every = bin([...base, '--data', data, '--shard', '2/3'], ROOT, { MODELGATE_PARSE_WORKERS: '2' });
    expect(one.code, one.stderr).toBe(0);
    expect(every.code, every.stderr).toBe(0);
    const strip = (text: string) => {
      const part = JSON.parse(text);
      delete part.created_at;
      // The shard's timings: the seconds of its scoring and its single-row latencies.
      const timings = Object.keys(part.measured).filter((key) => key !== 'rows');
      for (const key of timings) delete part.measured[key];
      return part;
    };
    expect(strip(every.stdout)).toEqual(strip(one.stdout));
  });

  it('falls back to the whole read for a cell it cannot take late in the file, with the same error', async () => {
    const text = [...rows];
    text[50_000] = (text[50_000] as string).replace(/^[^,]*/, 'abc');
    const path = join(dir, 'text-cell.csv');
    writeFileSync(path, `${text.join('\n')}\n`);
    const one = await cli([...base, '--data', path]);
    const every = bin([...base, '--data', path], ROOT, { MODELGATE_PARSE_WORKERS: '2' });
    expect(one.code).toBe(2);
    expect(every.code).toBe(2);
    expect(every.stderr).toBe(one.stderr);
  });

  it('falls back for a ragged row, naming the same line', async () => {
    const ragged = [...rows];
    ragged[45_000] = `${ragged[45_000]},extra`;
    const path = join(dir, 'ragged.csv');
    writeFileSync(path, `${ragged.join('\n')}\n`);
    const one = await cli([...base, '--data', path]);
    const every = bin([...base, '--data', path], ROOT, { MODELGATE_PARSE_WORKERS: '2' });
    expect(one.code).toBe(2);
    expect(every.code).toBe(2);
    expect(every.stderr).toBe(one.stderr);
    expect(every.stderr).toMatch(/line \d+ has 35 fields, expected 34 \(header\)/);
  });
});

describe('a streamed NPY file read in slices by the built CLI', () => {
  // 33 float32 columns (32 features, then the label), past the 16 MiB where NPY streams too.
  const rows = 130_000;
  const width = FEATURES + 1;
  const values = new Float32Array(rows * width);
  let state = 1234567;
  for (let i = 0; i < rows; i++) {
    let signal = 0;
    for (let j = 0; j < FEATURES; j++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const value = state / 2 ** 32 - 0.5;
      values[i * width + j] = value;
      signal += j < 16 ? value : -value;
    }
    values[i * width + FEATURES] = signal > 0 ? 1 : 0;
  }
  const npy = (data: Float32Array) => {
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${width}), }`;
    const padded = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11)}\n`;
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(padded.length, 8);
    return Buffer.concat([head, Buffer.from(padded, 'latin1'), new Uint8Array(data.buffer)]);
  };
  const npyBase = ['evaluate', '--model', model, '--label', String(FEATURES), '--bootstrap', '0'];

  it('gives the record the sources give, hashed by a worker', async () => {
    const path = join(dir, 'large.npy');
    writeFileSync(path, npy(values));
    const [fromSources, fromBundle] = [join(dir, 'npy-sources.json'), join(dir, 'npy-bundle.json')];
    const one = await cli([...npyBase, '--data', path, '--out', fromSources]);
    const built = bin([...npyBase, '--data', path, '--out', fromBundle], ROOT);
    expect(one.code, one.stderr).toBe(0);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/streaming 130000 rows × 32 features/);
    const record = readFileSync(fromBundle, 'utf8');
    expect(withoutTimings(record)).toEqual(withoutTimings(readFileSync(fromSources, 'utf8')));
    expect(JSON.parse(record).data.rows).toBe(rows);
    expect(JSON.parse(record).data.sha256).toBe(
      createHash('sha256').update(readFileSync(path)).digest('hex'),
    );
  });

  it('falls back to the whole read for a NaN late in the file, with the same error', async () => {
    const poisoned = Float32Array.from(values);
    poisoned[120_000 * width + 7] = Number.NaN;
    const path = join(dir, 'nan.npy');
    writeFileSync(path, npy(poisoned));
    const one = await cli([...npyBase, '--data', path]);
    const built = bin([...npyBase, '--data', path], ROOT);
    expect(one.code).toBe(2);
    expect(built.code).toBe(2);
    expect(built.stderr).toBe(one.stderr);
    expect(built.stderr).toMatch(/row 120001/);
  });
});
