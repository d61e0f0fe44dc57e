import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, ROOT, runBuiltAction, tempDir } from './helpers.ts';

const EXAMPLE = join(ROOT, 'examples', 'breast-cancer');
const action = (step: string) => join(ROOT, 'actions', step);
const run = (step: string, cwd: string, inputs: Record<string, string>) =>
  runBuiltAction(join(action(step), 'dist', 'index.js'), {
    cwd,
    actionYml: join(action(step), 'action.yml'),
    inputs,
  });

/** What differs between two runs of one evaluation: the time and the timings. */
function comparable(text: string): unknown {
  const record = JSON.parse(text);
  delete record.created_at;
  for (const name of Object.keys(record.metrics))
    if (/^(rows_per_second|latency_)/.test(name)) delete record.metrics[name];
  return record;
}

describe('the evaluate action with shard, and the merge action', () => {
  it('a 3-way matrix merged by the action gives the record the CLI gives unsharded, and the same refusals', async () => {
    const work = tempDir('modelgate-merge-action-');
    mkdirSync(join(work, 'data'));
    for (const file of ['model.onnx', '.modelgate.yml', join('data', 'eval.csv')])
      copyFileSync(join(EXAMPLE, file), join(work, file));
    mkdirSync(join(work, 'parts', 'evaluation-part-1'), { recursive: true });
    for (const k of [1, 2, 3]) {
      const shard = await run('evaluate', work, {
        model: 'model.onnx',
        bootstrap: '200',
        shard: `${k}/3`,
        out: join('parts', `evaluation-part-${k}`, `part-${k}.json`),
      });
      expect(shard.log).not.toMatch(/::error::/);
      expect(shard.code).toBe(0);
      expect(shard.outputs.evaluation).toBe(join('parts', `evaluation-part-${k}`, `part-${k}.json`));
      expect(shard.summary).toMatch(new RegExp(`part ${k} of 3`));
    }
    const merged = await run('merge', work, { parts: 'parts', out: 'merged.json' });
    expect(merged.log).not.toMatch(/::error::/);
    expect(merged.code).toBe(0);
    expect(merged.outputs.evaluation).toBe('merged.json');
    expect(Object.keys(JSON.parse(merged.outputs.metrics ?? '{}'))).toContain('roc_auc');
    expect(merged.summary).toMatch(/^### modelgate evaluate: binary, \d+ rows/m);

    const whole = bin(
      ['evaluate', '--model', 'model.onnx', '--bootstrap', '200', '--out', 'whole.json'],
      work,
    );
    expect(whole.code, whole.stderr).toBe(0);
    expect(comparable(readFileSync(join(work, 'merged.json'), 'utf8'))).toEqual(
      comparable(readFileSync(join(work, 'whole.json'), 'utf8')),
    );

    // A missing part: one ::error:: line naming it, no record; the CLI refuses the same way.
    const missing = await run('merge', work, {
      parts: ['parts/evaluation-part-1/part-1.json', 'parts/evaluation-part-3/part-3.json'].join('\n'),
      out: 'refused.json',
    });
    expect(missing.code).toBe(1);
    expect(missing.log).toMatch(/::error::shard 2 of 3 is missing: 2 of 3 parts given/);
    expect(existsSync(join(work, 'refused.json'))).toBe(false);
    const fromCli = bin(
      [
        'merge',
        'parts/evaluation-part-1/part-1.json',
        'parts/evaluation-part-3/part-3.json',
        '--out',
        'refused.json',
      ],
      work,
    );
    expect(fromCli.code).toBe(2);
    expect(fromCli.stderr.split('\n')[0]).toBe(
      'modelgate: error: shard 2 of 3 is missing: 2 of 3 parts given',
    );

    const badShard = await run('evaluate', work, { model: 'model.onnx', shard: '4/3', out: 'x.json' });
    expect(badShard.code).toBe(1);
    expect(badShard.log).toMatch(
      /::error::input 'shard' '4\/3' is not valid: the part K must be from 1 to 3/,
    );
  });
});
