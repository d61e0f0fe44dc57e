// A streamed JSON Lines file (data/jsonl-stream.ts) must give the record the whole read gives,
// and hand every file or line it does not take to the whole read, which words the error as always.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJsonlStream } from '../data/jsonl-stream.ts';
import { recordingLogger, scratch } from '../kernel/testing.ts';
import { evaluate, finishEvaluation, scoreRows } from './evaluate.ts';
import { mergeParts, partRecord } from './part.ts';
import type { EvaluateSettings } from './settings.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'models');
const quiet = { info: () => undefined, warning: () => undefined };
const MEASURED = /^(rows_per_second|latency_)/;
const dir = scratch('modelgate-jsonl-stream-');

function comparable(record: Awaited<ReturnType<typeof evaluate>>['record']): unknown {
  const copy = structuredClone(record) as unknown as Record<string, unknown> & {
    metrics: Record<string, unknown>;
  };
  delete copy.created_at;
  for (const name of Object.keys(copy.metrics)) if (MEASURED.test(name)) delete copy.metrics[name];
  return copy;
}

/** A fixture's CSV as JSON Lines (numbers as numbers), with the changes `edit` makes to the lines' text. */
function jsonlOf(
  fixture: string,
  edit: (lines: string[]) => string = (lines) => `${lines.join('\n')}\n`,
): string {
  const [head = '', ...rows] = readFileSync(join(FIXTURES, fixture, 'data.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = head.split(',');
  const lines = rows.map((row) => {
    const cells = row.split(',');
    const object = Object.fromEntries(
      names.map((name, c) => {
        const cell = cells[c] as string;
        return [name, cell !== '' && !Number.isNaN(Number(cell)) ? Number(cell) : cell];
      }),
    );
    return JSON.stringify(object);
  });
  const path = join(dir, `${fixture}-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, edit(lines));
  return path;
}

const base = (fixture: string, data: string, extra: Partial<EvaluateSettings>): EvaluateSettings => ({
  model: join(FIXTURES, fixture, 'model.onnx'),
  data,
  label: 'target',
  sliceBy: [],
  bootstrap: 200,
  confidence: 0.95,
  seed: 5,
  provider: 'cpu',
  batchSize: 64,
  ...extra,
});

async function bothWays(settings: EvaluateSettings) {
  const logger = recordingLogger();
  const [streamed, whole] = await Promise.allSettled([
    evaluate({ ...settings, streaming: 'always' }, logger),
    evaluate({ ...settings, streaming: 'never' }, quiet),
  ]);
  return { streamed, whole, log: logger.text() };
}

describe('a streamed JSON Lines file gives the record the whole read gives', () => {
  it.each([
    ['binary-sigmoid', { sliceBy: ['size'] }],
    ['regression', { task: 'regression' as const, sliceBy: ['bmi_band', 'age_band'] }],
    ['string-labels', { label: 'species' }],
    ['multiclass-mlp', { label: 'digit' }],
  ])('%s %o', async (fixture, extra) => {
    const settings = base(fixture, jsonlOf(fixture), extra);
    const logger = recordingLogger();
    const streamed = await evaluate({ ...settings, streaming: 'always' }, logger);
    expect(logger.text()).toMatch(/^info: streaming \d+ rows × \d+ features from .*\.jsonl$/m);
    const whole = await evaluate({ ...settings, streaming: 'never' }, quiet);
    expect(comparable(streamed.record)).toEqual(comparable(whole.record));
  });

  it('with a byte order mark, CRLF line ends, blank lines, keys in another order and no LF at the end', async () => {
    const path = jsonlOf('binary-sigmoid', (lines) => {
      const reordered = lines.map((line, i) =>
        i % 5 === 0 ? JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line)).reverse())) : line,
      );
      return `\ufeff${reordered.slice(0, 50).join('\r\n')}\r\n\n  \n${reordered.slice(50).join('\n')}`;
    });
    const { streamed, whole, log } = await bothWays(base('binary-sigmoid', path, { sliceBy: ['size'] }));
    expect(log).toMatch(/^info: streaming 200 rows/m);
    expect(log).not.toMatch(/whole/);
    expect(streamed.status).toBe('fulfilled');
    if (streamed.status === 'fulfilled' && whole.status === 'fulfilled') {
      expect(comparable(streamed.value.record)).toEqual(comparable(whole.value.record));
    }
  });

  it('streams a shard: the parts equal the whole read’s and merge to the whole', async () => {
    const settings = base('binary-sigmoid', jsonlOf('binary-sigmoid'), { sliceBy: ['size'] });
    const files = [];
    for (const index of [1, 2, 3]) {
      const shard = { index, count: 3 };
      const streamed = await partRecord(
        await scoreRows({ ...settings, streaming: 'always' }, shard, quiet),
        settings,
        shard,
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

  it.each([
    ['a line with a key more', (line: string) => line.replace('{', '{"extra":1,')],
    ['a line without a key', (line: string) => line.replace(/"mean_radius":[^,]*,/, '')],
    ['a null feature', (line: string) => line.replace(/"mean_texture":[^,]*,/, '"mean_texture":null,')],
    ['a text feature', (line: string) => line.replace(/"mean_texture":[^,]*,/, '"mean_texture":"12.5",')],
    ['a nested value', (line: string) => line.replace(/"mean_texture":[^,]*,/, '"mean_texture":[1],')],
    ['invalid JSON', (line: string) => line.slice(0, -1)],
    ['an array', () => '[1, 2]'],
  ])('hands %s to the whole read: the same record, or the same error', async (_, change) => {
    const path = jsonlOf('binary-sigmoid', (lines) => {
      lines[120] = change(lines[120] as string);
      return `${lines.join('\n')}\n`;
    });
    const { streamed, whole, log } = await bothWays(base('binary-sigmoid', path, { sliceBy: ['size'] }));
    expect(log).toMatch(/reading .* whole: /);
    expect(streamed.status).toBe(whole.status);
    if (streamed.status === 'rejected' && whole.status === 'rejected') {
      expect(String(streamed.reason?.message)).toBe(String(whole.reason?.message));
    }
    if (streamed.status === 'fulfilled' && whole.status === 'fulfilled') {
      expect(comparable(streamed.value.record)).toEqual(comparable(whole.value.record));
    }
  });

  it('does not take a file whose first line is not an object, or a kept column it lacks', () => {
    const text = join(dir, 'text.jsonl');
    writeFileSync(text, 'not json\n{"a": 1}\n');
    expect(openJsonlStream(text, [])).toBeUndefined();
    const path = jsonlOf('binary-sigmoid');
    expect(openJsonlStream(path, ['no_such_column'])).toBeUndefined();
    const stream = openJsonlStream(path, ['target']);
    expect(stream?.rows).toBe(200);
    stream?.close();
  });
});
