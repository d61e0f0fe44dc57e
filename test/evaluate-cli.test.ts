import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, CLI_BIN, cli, FIXTURES, tempDir } from './helpers.ts';

const dir = tempDir();
const binary = join(FIXTURES, 'binary-sigmoid');
const expected = JSON.parse(readFileSync(join(binary, 'expected.json'), 'utf8'));
const base = [
  'evaluate',
  '--model',
  join(binary, 'model.onnx'),
  '--data',
  join(binary, 'data.csv'),
  '--label',
  'target',
  '--slice-by',
  'size',
];

describe('modelgate evaluate', () => {
  it('prints the record to stdout when --out is left out, and the summary to stderr', async () => {
    const result = await cli([...base, '--bootstrap', '0']);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.schema).toBe('modelgate/evaluation@1');
    expect(record.metrics.f1.value).toBeCloseTo(expected.metrics.f1, 12);
    expect(result.stderr).toMatch(/^accuracy +0\.9700/m);
  });

  it('gives every metric a bootstrap interval that holds the point value, except the measured ones', async () => {
    const out = join(dir, 'ci.json');
    const result = await cli([...base, '--bootstrap', '300', '--seed', '7', '--out', out]);
    expect(result.code).toBe(0);
    const record = JSON.parse(readFileSync(out, 'utf8'));
    expect(record.bootstrap).toEqual({ resamples: 300, confidence: 0.95, seed: 7 });
    for (const name of Object.keys(expected.metrics)) {
      const { value, ci } = record.metrics[name];
      expect(ci, name).toHaveLength(2);
      expect(ci[0], name).toBeLessThanOrEqual(value + 1e-12);
      expect(ci[1], name).toBeGreaterThanOrEqual(value - 1e-12);
    }
    for (const measured of [
      'rows_per_second',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'model_size_bytes',
    ]) {
      expect(record.metrics[measured].ci, measured).toBeUndefined();
    }
    for (const slice of record.slices) expect(slice.metrics.accuracy.ci).toHaveLength(2);
  });

  it('gives the identical record for the same seed (apart from the timing measurements)', async () => {
    const strip = (text: string) => {
      const record = JSON.parse(text);
      delete record.created_at;
      for (const measured of ['rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'])
        delete record.metrics[measured];
      return record;
    };
    const a = await cli([...base, '--bootstrap', '200', '--seed', '11']);
    const b = await cli([...base, '--bootstrap', '200', '--seed', '11']);
    const c = await cli([...base, '--bootstrap', '200', '--seed', '12']);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
    expect(strip(a.stdout).metrics.roc_auc.ci).not.toEqual(strip(c.stdout).metrics.roc_auc.ci);
  });

  it('reads JSON Lines the same as CSV', async () => {
    const lines = readFileSync(join(binary, 'data.csv'), 'utf8').trimEnd().split('\n');
    const header = (lines[0] as string).split(',');
    const jsonl = lines
      .slice(1)
      .map((line) => {
        const cells = line.split(',');
        return JSON.stringify(
          Object.fromEntries(header.map((h, i) => [h, h === 'size' ? cells[i] : Number(cells[i])])),
        );
      })
      .join('\n');
    const path = join(dir, 'data.jsonl');
    writeFileSync(path, `${jsonl}\n`);
    const result = await cli([
      'evaluate',
      '--model',
      join(binary, 'model.onnx'),
      '--data',
      path,
      '--label',
      'target',
      '--slice-by',
      'size',
      '--bootstrap',
      '0',
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    for (const [name, value] of Object.entries(expected.metrics))
      expect(record.metrics[name].value).toBeCloseTo(value as number, 9);
  });

  it('records how the output was read, the digests, and the provider', async () => {
    const result = await cli([
      'evaluate',
      '--model',
      join(FIXTURES, 'binary-logits', 'model.onnx'),
      '--data',
      join(FIXTURES, 'binary-logits', 'data.csv'),
      '--label',
      'target',
      '--bootstrap',
      '0',
    ]);
    const record = JSON.parse(result.stdout);
    expect(record.model.transform).toBe('softmax');
    expect(record.notes.join('\n')).toMatch(/treated as logits/);
    expect(record.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.model.inputs[0]).toMatchObject({ name: 'input', type: 'float32' });
    expect(record.provider).toBe('cpu');
  });

  it('falls back to CPU when CUDA is asked for but unavailable, and says so', async () => {
    const result = await cli([...base, '--bootstrap', '0', '--provider', 'cuda']);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.provider).toBe('cpu');
    expect(record.notes.join('\n')).toMatch(/CUDA execution provider unavailable .*fell back to CPU/);
    expect(result.stderr).toMatch(/warning: CUDA execution provider unavailable/);
  });

  it('has --help with examples and exit codes, from the real bin', () => {
    const result = bin(['evaluate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:/);
    expect(result.stdout).toMatch(/Exit codes:/);
    const top = bin(['--help']);
    expect(top.stdout).toMatch(/evaluate +run an ONNX model/);
  });

  it('finishes quietly when the reader of its output goes away early (| head), still writing --out', async () => {
    const out = join(dir, 'piped.json');
    const child = spawn(process.execPath, [CLI_BIN, ...base, '--bootstrap', '0', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // Read the first line, then close the pipe, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('modelgate/evaluation@1');
  });

  it('gives the same predictions whatever the batch size, down to a last batch of a few rows', async () => {
    const strip = (text: string) => {
      const record = JSON.parse(text);
      for (const measured of ['rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'])
        delete record.metrics[measured];
      delete record.created_at;
      return record;
    };
    const whole = await cli([...base, '--bootstrap', '0']);
    const small = await cli([...base, '--bootstrap', '0', '--batch-size', '7']);
    expect(small.code, small.stderr).toBe(0);
    expect(strip(small.stdout)).toEqual(strip(whole.stdout));
  });
});
