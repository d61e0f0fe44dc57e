import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, ROOT, runBuiltAction, tempDir } from './helpers.ts';

const EXAMPLE = join(ROOT, 'examples', 'breast-cancer');
const dir = tempDir('modelgate-select-');
const data = join(dir, 'eval.csv');

interface Selection {
  schema: string;
  metric: string;
  direction: string;
  winner: {
    evaluation: string;
    model: string;
    value: number;
    ci: [number, number];
    adjusted_ci: [number, number];
    params: unknown;
  };
  runner_up: { evaluation: string; value: number } | null;
  lead: { value: number; ci: [number, number]; p_noise: number; method: string; statement: string } | null;
  adjusted: { method: string; candidates: number; confidence: number; how: string };
  candidates: Array<{ evaluation: string; passed: boolean; reasons: string[] }>;
}

/** A candidate of a tuning run: its model (and train's record) in a folder, evaluated on `rows`. */
async function candidate(name: string, model: string, rows = data, params?: unknown): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  copyFileSync(model, join(folder, 'model.onnx'));
  if (params !== undefined) {
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(readFileSync(model)).digest('hex');
    writeFileSync(
      join(folder, 'modelgate-train.json'),
      JSON.stringify({
        schema: 'modelgate/train@1',
        model: { path: 'model.onnx', sha256, bytes: 1 },
        params,
      }),
    );
  }
  const out = join(folder, 'eval.json');
  const args = ['--model', join(folder, 'model.onnx'), '--data', rows, '--label', 'target'];
  const result = await cli(['evaluate', ...args, '--slice-by', 'size', '--bootstrap', '300', '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

const config = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

let model: string;
let baseline: string;

beforeAll(async () => {
  copyFileSync(join(EXAMPLE, 'data', 'eval.csv'), data);
  model = await candidate('lr-0.1', join(EXAMPLE, 'model.onnx'), data, { lr: 0.1, depth: 3 });
  baseline = await candidate('lr-0.01', join(EXAMPLE, 'baseline.onnx'), data, { lr: 0.01, depth: 3 });
});

describe('modelgate select', () => {
  it('picks the best by the metric, with its params, a paired lead on the shared rows, and a Bonferroni interval', async () => {
    const out = join(dir, 'selection.json');
    const empty = config('no-gates.yml', 'model: x\n');
    const result = await cli([
      'select',
      model,
      baseline,
      '--metric',
      'log_loss',
      '--config',
      empty,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const s: Selection = JSON.parse(readFileSync(out, 'utf8'));
    const values = [model, baseline].map((e) => JSON.parse(readFileSync(e, 'utf8')).metrics.log_loss.value);
    const best = values[0] < values[1] ? 0 : 1;
    expect(s.schema).toBe('modelgate/selection@1');
    expect(s.direction).toBe('lower');
    expect(s.winner.evaluation).toBe([model, baseline][best]);
    expect(s.winner.model).toBe(join(dir, best === 0 ? 'lr-0.1' : 'lr-0.01', 'model.onnx'));
    expect(s.winner.params).toEqual({ lr: best === 0 ? 0.1 : 0.01, depth: 3 });
    expect(s.winner.value).toBe(values[best]);
    expect(s.lead?.method).toBe('paired-bootstrap');
    expect(s.lead?.value).toBeCloseTo(values[1 - best] - values[best], 12);
    expect(s.lead?.ci[0]).toBeLessThanOrEqual(s.lead?.value as number);
    expect(s.lead?.ci[1]).toBeGreaterThanOrEqual(s.lead?.value as number);
    // The Bonferroni interval (97.5% for 2 candidates) holds the plain 95% one.
    expect(s.adjusted).toEqual({ method: 'bonferroni', candidates: 2, confidence: 0.975, how: 'bootstrap' });
    expect(s.winner.adjusted_ci[0]).toBeLessThanOrEqual(s.winner.ci[0]);
    expect(s.winner.adjusted_ci[1]).toBeGreaterThanOrEqual(s.winner.ci[1]);
    expect(result.stdout).toMatch(/^winner: .*model\.onnx .*log_loss 0\.0\d{3} \[/m);
    expect(result.stdout).toMatch(
      /selection-adjusted 97\.5% interval \(Bonferroni over 2 candidates, bootstrap\)/,
    );
  });

  it('says noise can explain a lead whose paired interval holds 0, and how often the runner-up does as well', async () => {
    const result = await cli([
      'select',
      model,
      baseline,
      '--metric',
      'roc_auc',
      '--config',
      config('none.yml', '{}\n'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const s: Selection = JSON.parse(result.stdout);
    const lead = s.lead as NonNullable<Selection['lead']>;
    expect(lead.ci[0]).toBeLessThan(0);
    expect(lead.p_noise).toBeGreaterThan(0.025);
    expect(lead.statement).toMatch(
      /^noise can explain the lead of 0\.\d+ in roc_auc: its 95% interval \[-0\.\d+, 0\.\d+\] includes 0 \(the runner-up does as well in \d+(\.\d)?% of the paired resamples\)$/,
    );
  });

  it('says noise is unlikely to explain a clear lead, from independent intervals when the rows differ', async () => {
    // A model that scores no better than chance, on a copy of the data (another digest: not paired).
    const rows = readFileSync(data, 'utf8').trimEnd().split('\n');
    const header = (rows[0] as string).split(',');
    const target = header.indexOf('target');
    const shuffled = [
      rows[0],
      ...rows.slice(1).map((line, i) => {
        const cells = line.split(',');
        cells[target] = String((i * 7919) % 3 === 0 ? 1 : 0);
        return cells.join(',');
      }),
    ].join('\n');
    const noisyData = join(dir, 'relabelled.csv');
    writeFileSync(noisyData, `${shuffled}\n`);
    const noisy = await candidate('relabelled', join(EXAMPLE, 'model.onnx'), noisyData);
    const result = await cli([
      'select',
      noisy,
      model,
      '--metric',
      'roc_auc',
      '--config',
      config('e.yml', '{}\n'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const s: Selection = JSON.parse(result.stdout);
    expect(s.winner.evaluation).toBe(model);
    expect(s.lead?.method).toBe('independent-normal');
    expect(s.lead?.p_noise).toBeLessThan(0.001);
    expect(s.lead?.statement).toMatch(
      /^noise is unlikely to explain the lead of 0\.\d+ in roc_auc: its 95% interval \[0\.\d+, 0\.\d+\] excludes 0/,
    );
    expect(result.stderr).toMatch(/not paired: the two records were made on different data/);
    // Without the predictions at hand, the adjusted interval is the recorded one widened.
    expect(s.adjusted).toMatchObject({ candidates: 2, how: 'widened-interval' });
    expect(s.winner.adjusted_ci[0]).toBeLessThan(s.winner.ci[0]);
  });

  it('keeps only the candidates that pass the bounds of the gates, slice gates included', async () => {
    const values = [model, baseline].map((e) => JSON.parse(readFileSync(e, 'utf8')).metrics.log_loss.value);
    const worse = values[0] > values[1] ? model : baseline;
    const better = worse === model ? baseline : model;
    const worseAccuracy = JSON.parse(readFileSync(worse, 'utf8')).metrics.accuracy.value;
    const betterAccuracy = JSON.parse(readFileSync(better, 'utf8')).metrics.accuracy.value;
    // A log_loss bound only the worse one passes (it is the bigger one that fails a max).
    const bound = (Math.min(...values) + Math.max(...values)) / 2;
    const gates = config(
      'bounds.yml',
      `gates:\n  log_loss: { min: ${bound} }\n  accuracy: { min: 0.5, max_drop: 0.5 }\n`,
    );
    const result = await cli(['select', model, baseline, '--metric', 'log_loss', '--config', gates]);
    expect(result.code, result.stderr).toBe(0);
    const s: Selection = JSON.parse(result.stdout);
    expect(s.winner.evaluation).toBe(worse);
    expect(s.runner_up).toBeNull();
    expect(s.lead).toBeNull();
    const excluded = s.candidates.find((c) => c.evaluation === better);
    expect(excluded?.passed).toBe(false);
    expect(excluded?.reasons[0]).toMatch(/^log_loss: 0\.\d+ < min 0\.\d+$/);
    expect(Math.abs(worseAccuracy - betterAccuracy)).toBeLessThan(0.5);

    const sliceGates = config('slices.yml', 'slice_gates:\n  accuracy: { min: 0.9999 }\n');
    const none = await cli(['select', model, baseline, '--metric', 'accuracy', '--config', sliceGates]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/size=\w+: accuracy: 0\.\d+ < min 0\.9999/);
  });

  it('exits 1 when no candidate passes, with each one’s reasons, and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const gates = config(
      'strict.yml',
      'gates:\n  accuracy: { min: 0.999 }\n  latency_p95_ms: { max: 1000 }\n',
    );
    const result = await cli([
      'select',
      model,
      baseline,
      '--metric',
      'roc_auc',
      '--config',
      gates,
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^no candidate passed the bounds of the gates:$/m);
    expect(result.stderr).toMatch(
      new RegExp(`${model.replace(/[.]/g, '\\.')}: accuracy: 0\\.\\d+ < min 0\\.999`),
    );
    expect(result.stderr).toMatch(/lr-0\.01\/eval\.json: accuracy: 0\.\d+ < min 0\.999/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad input with exit 2: no metric, an unknown metric, a metric of another task, mixed tasks, not a record', async () => {
    const empty = config('empty.yml', '{}\n');
    const refused = async (args: string[], message: RegExp) => {
      const result = await cli(['select', ...args, '--config', empty]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(message);
    };
    await refused([model, baseline], /^modelgate: error: --metric is required/);
    await refused(
      [model, baseline, '--metric', 'roc_acu'],
      /^modelgate: error: --metric roc_acu is not a metric modelgate knows/,
    );
    await refused(
      [model, baseline, '--metric', 'rmse'],
      /^modelgate: error: --metric rmse: a binary evaluation has no rmse/,
    );
    await refused(['--metric', 'roc_auc'], /^modelgate: error: --evaluations is required/);
    const regression = join(dir, 'regression.json');
    const r = await cli([
      'evaluate',
      ...[
        '--model',
        join(FIXTURES, 'regression', 'model.onnx'),
        '--data',
        join(FIXTURES, 'regression', 'data.csv'),
      ],
      ...['--label', 'target', '--task', 'regression', '--slice-by', 'bmi_band,age_band'],
      ...['--bootstrap', '0', '--out', regression],
    ]);
    expect(r.code, r.stderr).toBe(0);
    await refused(
      [model, regression, '--metric', 'roc_auc'],
      /regression\.json is a regression evaluation and .* a binary one/,
    );
    await refused(
      [model, join(dir, 'bounds.yml'), '--metric', 'roc_auc'],
      /^modelgate: error: candidate evaluation .*bounds\.yml is not valid JSON/,
    );
  });

  it('the select action decides as the CLI does: the same winner and outputs, and the same refusal', async () => {
    const action = join(ROOT, 'actions', 'select');
    const gates = config('action.yml', 'gates:\n  accuracy: { min: 0.5 }\n');
    const run = (inputs: Record<string, string>) =>
      runBuiltAction(join(action, 'dist', 'index.js'), {
        cwd: dir,
        actionYml: join(action, 'action.yml'),
        inputs: { config: gates, ...inputs },
      });
    const picked = await run({
      evaluations: [model, baseline].join('\n'),
      metric: 'log_loss',
      out: join(dir, 'by-action.json'),
    });
    expect(picked.log).not.toMatch(/::error::/);
    expect(picked.code).toBe(0);
    const fromCli = await cli(['select', model, baseline, '--metric', 'log_loss', '--config', gates]);
    const s: Selection = JSON.parse(fromCli.stdout);
    expect(picked.outputs.evaluation).toBe(s.winner.evaluation);
    expect(picked.outputs.model).toBe(s.winner.model);
    expect(JSON.parse(picked.outputs.params ?? '')).toEqual(s.winner.params);
    expect(Number(picked.outputs.value)).toBe(s.winner.value);
    expect(picked.summary).toMatch(/^### modelgate select: best by `log_loss`/m);
    // The action re-scores the two models through its onnxruntime loader for the paired lead.
    const written: Selection = JSON.parse(readFileSync(join(dir, 'by-action.json'), 'utf8'));
    expect(written.lead?.method).toBe('paired-bootstrap');
    expect(written.lead?.value).toBe(s.lead?.value);

    const strict = config('action-strict.yml', 'gates:\n  accuracy: { min: 0.999 }\n');
    // A folder of records: every modelgate/evaluation@1 file under it is a candidate.
    const folder = join(dir, 'downloaded');
    for (const [i, record] of [model, baseline].entries()) {
      mkdirSync(join(folder, `candidate-${i}`), { recursive: true });
      copyFileSync(record, join(folder, `candidate-${i}`, 'evaluation.json'));
      writeFileSync(join(folder, `candidate-${i}`, 'other.json'), '{"schema": "modelgate/train@1"}');
    }
    const none = await run({
      evaluations: folder,
      metric: 'roc_auc',
      config: strict,
      out: join(dir, 'none.json'),
    });
    expect(none.code).toBe(1);
    expect(none.log).toMatch(
      /::error::no candidate passed the bounds of the gates \(.*accuracy: 0\.\d+ < min 0\.999/,
    );
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });
});
