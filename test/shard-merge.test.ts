import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, tempDir } from './helpers.ts';

const dir = tempDir('modelgate-shard-');
const MEASURED = ['rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'];

interface Metric {
  value: number;
  ci?: [number, number];
}
interface Record_ {
  metrics: Record<string, Metric>;
  slices: Array<{ column: string; value: string; rows: number; metrics: Record<string, Metric> }>;
  [key: string]: unknown;
}

function read(path: string): Record_ {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The record without what differs between two runs of one evaluation: the time and the timings. */
function comparable(record: Record_): Record_ {
  const copy = structuredClone(record);
  delete copy.created_at;
  for (const name of MEASURED) delete copy.metrics[name];
  return copy;
}

let counter = 0;

/** Evaluates unsharded and in `shards` parts (merged in a shuffled order); returns both records. */
async function shardedAndWhole(args: string[], shards: number): Promise<{ whole: Record_; merged: Record_ }> {
  const run = `run-${++counter}`;
  const wholePath = join(dir, `${run}-whole.json`);
  const whole = await cli(['evaluate', ...args, '--out', wholePath]);
  expect(whole.code, whole.stderr).toBe(0);
  const parts: string[] = [];
  for (let k = 1; k <= shards; k++) {
    const part = join(dir, `${run}-part-${k}.json`);
    const result = await cli(['evaluate', ...args, '--shard', `${k}/${shards}`, '--out', part]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`scored shard ${k} of ${shards}: rows`));
    parts.push(part);
  }
  const mergedPath = join(dir, `${run}-merged.json`);
  const merged = await cli(['merge', ...parts.reverse(), '--out', mergedPath]);
  expect(merged.code, merged.stderr).toBe(0);
  return { whole: read(wholePath), merged: read(mergedPath) };
}

/** Metrics to 1e-9 and intervals identical, overall and per slice; then the whole record. */
function expectSame(merged: Record_, whole: Record_): void {
  const check = (a: Record<string, Metric>, b: Record<string, Metric>, where: string) => {
    expect(Object.keys(a).sort(), where).toEqual(Object.keys(b).sort());
    for (const [name, metric] of Object.entries(b)) {
      if (MEASURED.includes(name)) continue;
      expect(Math.abs((a[name] as Metric).value - metric.value), `${where} ${name}`).toBeLessThanOrEqual(
        1e-9,
      );
      expect(a[name]?.ci, `${where} ${name}`).toEqual(metric.ci);
    }
  };
  check(merged.metrics, whole.metrics, 'all rows');
  expect(merged.slices.length).toBe(whole.slices.length);
  whole.slices.forEach((slice, i) => {
    const other = merged.slices[i];
    expect(other?.column).toBe(slice.column);
    expect(other?.value).toBe(slice.value);
    expect(other?.rows).toBe(slice.rows);
    check(other?.metrics ?? {}, slice.metrics, `${slice.column}=${slice.value}`);
  });
  expect(comparable(merged)).toEqual(comparable(whole));
  for (const name of MEASURED) expect(merged.metrics[name]?.value, name).toBeGreaterThan(0);
}

const fixture = (name: string, file = 'model.onnx') => join(FIXTURES, name, file);

describe('evaluate --shard K/N and merge', () => {
  it('binary, with slices and intervals: the merged record is the unsharded one', async () => {
    const args = [
      ...['--model', fixture('binary-sigmoid'), '--data', fixture('binary-sigmoid', 'data.csv')],
      ...['--label', 'target', '--slice-by', 'size', '--bootstrap', '200', '--seed', '7'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 3);
    expect(whole.metrics.roc_auc?.ci).toHaveLength(2);
    expectSame(merged, whole);
  });

  it('binary logits in 7 shards: the logit transform is decided on all the rows, as unsharded', async () => {
    const args = [
      ...['--model', fixture('binary-logits'), '--data', fixture('binary-logits', 'data.csv')],
      ...['--label', 'target', '--bootstrap', '100'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 7);
    expect(merged.model).toMatchObject({ transform: (whole.model as { transform: string }).transform });
    expectSame(merged, whole);
  });

  it('multiclass, sliced by a feature column: the merged record is the unsharded one', async () => {
    const data = fixture('multiclass-mlp', 'data.csv');
    const header = (readFileSync(data, 'utf8').split('\n')[0] as string).split(',');
    const features = header.filter((c) => c !== 'digit').join(',');
    const args = [
      ...['--model', fixture('multiclass-mlp'), '--data', data, '--label', 'digit'],
      ...['--features', features, '--slice-by', 'pixel_0_2', '--bootstrap', '150', '--seed', '3'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 4);
    expect(whole.task).toBe('multiclass');
    expect(whole.slices.length).toBeGreaterThan(5);
    expectSame(merged, whole);
  });

  it('regression, with two slice columns: the merged record is the unsharded one', async () => {
    const args = [
      ...['--model', fixture('regression'), '--data', fixture('regression', 'data.csv'), '--label', 'target'],
      ...['--task', 'regression', '--slice-by', 'bmi_band', '--slice-by', 'age_band', '--bootstrap', '200'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 2);
    expect(whole.metrics.median_ae?.ci).toHaveLength(2);
    expectSame(merged, whole);
  });

  it('text labels sorted into the class order: the parts agree on it with the whole file', async () => {
    const args = [
      ...['--model', fixture('string-labels'), '--data', fixture('string-labels', 'data.csv')],
      ...['--label', 'species', '--bootstrap', '100'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 5);
    expectSame(merged, whole);
  });

  it('a predictions file: the merged record is the unsharded one, with no measured metrics', async () => {
    const args = [
      ...['--predictions', fixture('predictions-binary', 'predictions.csv'), '--label', 'y'],
      ...['--bootstrap', '100'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 3);
    expect(merged.metrics.rows_per_second).toBeUndefined();
    expect(comparable(merged)).toEqual(comparable(whole));
  });

  it('one shard of N = 1 is the whole file', async () => {
    const args = [
      ...['--model', fixture('binary-sigmoid'), '--data', fixture('binary-sigmoid', 'data.csv')],
      ...['--label', 'target', '--slice-by', 'size', '--bootstrap', '50'],
    ];
    const { whole, merged } = await shardedAndWhole(args, 1);
    expectSame(merged, whole);
  });
});

describe('bad shards and parts: exit 2, naming the problem, nothing written', () => {
  const binary = [
    ...['--model', fixture('binary-sigmoid'), '--data', fixture('binary-sigmoid', 'data.csv')],
    ...['--label', 'target', '--slice-by', 'size', '--bootstrap', '20'],
  ];
  const part = async (name: string, shard: string, extra: string[] = [], base = binary) => {
    const path = join(dir, `${name}.json`);
    const result = await cli(['evaluate', ...base, ...extra, '--shard', shard, '--out', path]);
    expect(result.code, result.stderr).toBe(0);
    return path;
  };

  it.each([
    ['0/3', /--shard '0\/3' is not valid: the part K must be from 1 to 3/],
    ['4/3', /--shard '4\/3' is not valid: the part K must be from 1 to 3/],
    ['2', /--shard '2' is not valid; expected K\/N/],
    ['1/0', /--shard '1\/0' is not valid; expected K\/N/],
    ['a/b', /--shard 'a\/b' is not valid; expected K\/N/],
    ['2/3/4', /--shard '2\/3\/4' is not valid; expected K\/N/],
  ])('--shard %s', async (shard, message) => {
    const out = join(dir, `bad-shard-${shard.replace(/\W/g, '_')}.json`);
    const result = await cli(['evaluate', ...binary, '--shard', shard, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('more shards than rows', async () => {
    const out = join(dir, 'too-many.json');
    const result = await cli(['evaluate', ...binary, '--shard', '1/256', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has 200 rows, too few for 256 shards: shard 1 would be empty/);
    expect(existsSync(out)).toBe(false);
  });

  it('missing, duplicated, foreign and mismatched parts', async () => {
    const p1 = await part('ok-1', '1/3');
    const p2 = await part('ok-2', '2/3');
    const p3 = await part('ok-3', '3/3');
    const out = join(dir, 'refused.json');
    const refused = async (parts: string[], message: RegExp) => {
      const result = await cli(['merge', ...parts, '--out', out]);
      expect(result.code, parts.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    };
    await refused([p1, p3], /shard 2 of 3 is missing: 2 of 3 parts given/);
    await refused([p1], /shards 2, 3 of 3 are missing/);
    await refused(
      [p1, p2, p2, p3],
      /ok-2\.json and .*ok-2\.json are both shard 2 of 3: a part is given twice/,
    );
    const copy = join(dir, 'copy-of-2.json');
    writeFileSync(copy, readFileSync(p2));
    await refused([p1, p2, copy, p3], /copy-of-2\.json and .*ok-2\.json are both shard 2 of 3/);

    await refused(
      [p1, p2, await part('seed-3', '3/3', ['--seed', '9'])],
      /seed-3\.json does not belong with .*ok-1\.json: its bootstrap seed is 9, not 42/,
    );
    await refused(
      [p1, p2, await part('four-3', '3/4')],
      /four-3\.json does not belong .*: its shard count is 4, not 3/,
    );
    const logits = [
      ...['--model', fixture('binary-logits'), '--data', fixture('binary-sigmoid', 'data.csv')],
      ...['--label', 'target', '--slice-by', 'size', '--bootstrap', '20'],
    ];
    await refused(
      [p1, p2, await part('model-3', '3/3', [], logits)],
      /model-3\.json does not belong .*: its model is [0-9a-f]{12}, not [0-9a-f]{12}/,
    );
    const changed = join(dir, 'changed.csv');
    writeFileSync(
      changed,
      readFileSync(fixture('binary-sigmoid', 'data.csv'), 'utf8').replace(/\n$/, '\n\n'),
    );
    const otherData = [...binary];
    otherData[3] = changed;
    await refused(
      [p1, p2, await part('data-3', '3/3', [], otherData)],
      /data-3\.json does not belong .*: its data digest is [0-9a-f]{12}, not/,
    );

    const record = join(dir, 'an-evaluation.json');
    expect((await cli(['evaluate', ...binary, '--out', record])).code).toBe(0);
    await refused(
      [p1, p2, record],
      /an-evaluation\.json is not a part record \(expected "schema": "modelgate\/evaluation-part@1", found "modelgate\/evaluation@1"\)/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"schema": "modelgate/evaluation-part@1"');
    await refused([p1, p2, broken], /part file .*broken\.json is not valid JSON/);
    await refused([p1, p2, join(dir, 'nowhere.json')], /part file not found: .*nowhere\.json/);
    await refused([], /--parts is required/);
  });
});
