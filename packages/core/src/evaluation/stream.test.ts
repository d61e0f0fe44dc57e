import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger, scratch } from '../kernel/testing.ts';
import { evaluate, finishEvaluation, scoreRows } from './evaluate.ts';
import { mergeParts, partRecord } from './part.ts';
import type { EvaluateSettings } from './settings.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'models');
const quiet = { info: () => undefined, warning: () => undefined };
const MEASURED = /^(rows_per_second|latency_)/;

function comparable(record: Awaited<ReturnType<typeof evaluate>>['record']): unknown {
  const copy = structuredClone(record) as unknown as Record<string, unknown> & {
    metrics: Record<string, unknown>;
  };
  delete copy.created_at;
  copy.notes = (copy.notes as string[]).filter((n) => !n.startsWith('streaming'));
  for (const name of Object.keys(copy.metrics)) if (MEASURED.test(name)) delete copy.metrics[name];
  return copy;
}

const base = (fixture: string, extra: Partial<EvaluateSettings>): EvaluateSettings => ({
  model: join(FIXTURES, fixture, 'model.onnx'),
  data: join(FIXTURES, fixture, 'data.csv'),
  label: 'target',
  sliceBy: [],
  bootstrap: 200,
  confidence: 0.95,
  seed: 5,
  provider: 'cpu',
  batchSize: 64,
  ...extra,
});

describe('a streamed CSV file gives the record the whole read gives', () => {
  it.each([
    ['binary-sigmoid', { sliceBy: ['size'] }],
    ['binary-logits', {}],
    ['regression', { task: 'regression' as const, sliceBy: ['bmi_band', 'age_band'] }],
    ['string-labels', { label: 'species' }],
    ['multiclass-mlp', { label: 'digit' }],
  ])('%s', async (fixture, extra) => {
    const settings = base(fixture, extra);
    const logger = recordingLogger();
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).toMatch(/^info: streaming \d+ rows × \d+ features from /m);
    expect(logger.text()).not.toMatch(/reading .* whole/);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('with CRLF line ends, a BOM, blank lines and no newline at the end', async () => {
    const dir = scratch('modelgate-stream-');
    const text = readFileSync(join(FIXTURES, 'binary-sigmoid', 'data.csv'), 'utf8').trimEnd();
    const lines = text.split('\n');
    const odd = `\ufeff${lines[0]}\r\n\r\n${lines.slice(1, 100).join('\r\n')}\r\n\n${lines.slice(100).join('\r\n')}`;
    const path = join(dir, 'odd.csv');
    writeFileSync(path, odd);
    const settings = base('binary-sigmoid', { data: path, sliceBy: ['size'] });
    const logger = recordingLogger();
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).toMatch(/^info: streaming 200 rows/m);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(streamed.record.data.rows).toBe(200);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('hands a file it cannot take to the whole read, which words the error as always', async () => {
    const settings = base('binary-sigmoid', {});
    // 'size' is text, and it is among the default features here: the whole read names it.
    await expect(evaluate({ ...settings, streaming: 'always' }, quiet)).rejects.toThrow(
      /column 'size' row 1 is 'medium', expected a number/,
    );
    const dir = scratch('modelgate-stream-');
    const text = readFileSync(join(FIXTURES, 'binary-sigmoid', 'data.csv'), 'utf8').split('\n');
    text[150] = (text[150] as string).replace(/^[^,]+/, 'nan');
    const path = join(dir, 'nan.csv');
    writeFileSync(path, text.join('\n'));
    await expect(
      evaluate({ ...settings, data: path, sliceBy: ['size'], streaming: 'always' }, quiet),
    ).rejects.toThrow(/nan\.csv.*mean_radius.*(line|row) 15[01]/);
  });

  it('streams a shard: its part holds what the whole read’s part holds, and the parts merge to the whole', async () => {
    const settings = base('binary-sigmoid', { sliceBy: ['size'] });
    const files = [];
    for (const index of [1, 2, 3]) {
      const shard = { index, count: 3 };
      const logger = recordingLogger();
      const streamed = await partRecord(
        await scoreRows({ ...settings, streaming: 'always' }, shard, logger),
        settings,
        shard,
      );
      expect(logger.text()).toMatch(
        /^info: streaming 200 rows × 30 features from .*; scoring rows \d+-\d+ \(shard \d of 3\)$/m,
      );
      const whole = await partRecord(
        await scoreRows({ ...settings, streaming: 'never' }, shard, quiet),
        settings,
        shard,
      );
      for (const part of [streamed, whole]) {
        delete (part as { created_at?: string }).created_at;
        delete (part as { measured?: unknown }).measured;
      }
      expect(streamed).toEqual(whole);
      files.push({ source: `part-${index}.json`, part: JSON.parse(JSON.stringify(streamed)) });
    }
    const { scored, settings: merged } = mergeParts(files);
    const fromParts = await finishEvaluation(scored, merged, quiet);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(fromParts.record)).toEqual(comparable(whole.record));
  });
});
