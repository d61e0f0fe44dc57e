import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../config/file.ts';
import { evaluate } from '../../evaluation/evaluate.ts';
import { writeJsonAtomic } from '../../kernel/fs.ts';
import { actionInput, cliOption } from '../../kernel/options.ts';
import { recordingLogger, scratch } from '../../kernel/testing.ts';
import { openRegistry } from '../../registry/open.ts';
import { presentCompare } from './present.ts';
import { type ComparePorts, type ReportCommentPort, runCompare } from './run.ts';
import { compareSettingsFrom } from './settings.ts';

/**
 * The compare step end to end on real records: the decision is written before the comment is
 * posted, a comment port that breaks costs a warning and never the decision, and the
 * presentation's exit code follows the gate and `fail-on-regression`.
 */
const MODELS = new URL('../../../../../test/fixtures/models', import.meta.url).pathname;
const dir = scratch('modelgate-compare-run-');

beforeAll(async () => {
  const data = join(MODELS, 'binary-sigmoid', 'data.csv');
  for (const [name, model] of [
    ['baseline', 'binary-sigmoid'],
    ['candidate', 'binary-zero-division'],
  ] as const) {
    const { record } = await evaluate(
      {
        model: join(MODELS, model, 'model.onnx'),
        data,
        label: 'target',
        sliceBy: ['size'],
        bootstrap: 0,
        confidence: 0.95,
        seed: 1,
        provider: 'cpu',
        batchSize: 1024,
      },
      recordingLogger(),
    );
    await writeJsonAtomic(join(dir, `${name}.json`), record);
  }
  writeFileSync(join(dir, 'pass.yml'), 'model: cancer\ngates:\n  accuracy: { min: 0.1 }\n');
  writeFileSync(join(dir, 'fail.yml'), 'model: cancer\ngates:\n  accuracy: { max_drop: 0.01 }\n');
});

const ports = (comment?: ReportCommentPort): ComparePorts => ({
  logger: recordingLogger(),
  openRegistry: (spec, what) => openRegistry(spec, { cwd: dir, what }),
  ...(comment === undefined ? {} : { comment }),
});

async function settingsFor(gates: string, extra: Record<string, string> = {}, namer = actionInput) {
  const config = await readConfigFile(undefined, dir, namer);
  return compareSettingsFrom(
    {
      candidate: join(dir, 'candidate.json'),
      baseline: join(dir, 'baseline.json'),
      gates: join(dir, gates),
      ...extra,
    },
    config,
    namer,
    dir,
  );
}

describe('runCompare and presentCompare', () => {
  it('keeps the decision when the comment port breaks: files written, a warning, the gate decides', async () => {
    const out = join(dir, 'v.json');
    const report = join(dir, 'r.md');
    const settings = await settingsFor('fail.yml', { 'verdict-path': out, 'report-path': report });
    const logger = recordingLogger();
    const seen: boolean[] = [];
    const outcome = await runCompare(settings, {
      ...ports(),
      logger,
      comment: {
        post: async () => {
          // The verdict and the report are on disk before any call to GitHub.
          seen.push(existsSync(out) && existsSync(report));
          throw new Error('socket hang up');
        },
      },
    });
    expect(seen).toEqual([true]);
    expect(outcome.kind).toBe('failed');
    expect(outcome.comment).toEqual({ kind: 'comment-failed', message: 'socket hang up' });
    expect(logger.text()).toContain(
      "warning: could not post the report comment: socket hang up; the gate's result stands",
    );
    const presentation = presentCompare(outcome);
    expect(presentation.exitCode).toBe(1);
    expect(presentation.failure).toMatch(/^cancer fails its gates: accuracy max_drop \(/);
    expect(presentation.outputs).toEqual({ passed: 'false', verdict: out, report, 'comment-url': '' });
    expect(JSON.parse(readFileSync(out, 'utf8')).passed).toBe(false);
    expect(presentation.summary).toBe(readFileSync(report, 'utf8'));
  });

  it('exits 0 on a failed gate with fail-on-regression false, and 0 on a passed one', async () => {
    const lenient = await settingsFor('fail.yml', { 'fail-on-regression': 'false' }, cliOption);
    const failed = presentCompare(await runCompare(lenient, ports()));
    expect(failed.outputs.passed).toBe('false');
    expect(failed.exitCode).toBe(0);
    expect(failed.failure).toBeUndefined();

    const passed = presentCompare(await runCompare(await settingsFor('pass.yml'), ports()));
    expect(passed.exitCode).toBe(0);
    expect(passed.lines.map((l) => l.text)).toEqual([
      '✅ modelgate: cancer passes its gates',
      expect.stringMatching(/^ {2}✔ pass {2}accuracy min: /),
    ]);
  });

  it('sets comment-url from the port', async () => {
    const url = 'https://github.com/o/r/pull/1#issuecomment-1';
    const outcome = await runCompare(
      await settingsFor('pass.yml'),
      ports({ post: async () => ({ kind: 'commented', url, created: true }) }),
    );
    expect(presentCompare(outcome).outputs['comment-url']).toBe(url);
  });

  it('looks a registry baseline up through the port: an empty registry is the first model', async () => {
    const settings = await settingsFor('pass.yml', { baseline: 'registry:production' });
    const outcome = await runCompare(settings, ports());
    expect(outcome.verdict.baseline).toBeNull();
    expect(outcome.verdict.notes[0]).toBe(
      "no baseline: the registry fs:.modelgate/registry holds no model 'cancer' yet, so this is treated as the first model",
    );
  });
});
