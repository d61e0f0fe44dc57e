import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bin, cli, ROOT, tempDir } from './helpers.ts';

const EXAMPLE = join(ROOT, 'examples', 'breast-cancer');

interface StoredVersion {
  version: number;
  sha256: string;
  verdict: { passed: boolean; rules: { metric: string; status: string }[] } | null;
  lineage: { params: Record<string, unknown> | null; parent_version: number | null };
}

/** The registry as the files on disk say it is, read without modelgate's code. */
function registryOnDisk(dir: string) {
  const model = join(dir, 'registry', 'models', 'breast-cancer');
  const versions = readdirSync(join(model, 'versions'))
    .map((file) => JSON.parse(readFileSync(join(model, 'versions', file), 'utf8')) as StoredVersion)
    .sort((a, b) => a.version - b.version);
  const production = JSON.parse(readFileSync(join(model, 'aliases', 'production.json'), 'utf8')) as {
    version: number;
  };
  return { versions, production: production.version };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const params = (file: string) => parse(readFileSync(join(EXAMPLE, 'params', file), 'utf8'));

/** Row 1 of the evaluation data, scored by onnxruntime on a model file: what the server must have answered. */
async function localAnswer(model: string): Promise<number[]> {
  const [header, first] = readFileSync(join(EXAMPLE, 'data', 'eval.csv'), 'utf8').split('\n');
  const names = (header ?? '').split(',');
  const cells = (first ?? '').split(',');
  const row = names.flatMap((name, i) => (name === 'target' || name === 'size' ? [] : [Number(cells[i])]));
  const session = await InferenceSession.create(model);
  const out = await session.run({ input: new Tensor('float32', Float32Array.from(row), [1, row.length]) });
  return Array.from(out.probabilities?.data as Float32Array);
}

describe('modelgate demo', () => {
  const dir = tempDir('modelgate-demo-');
  const runs: ReturnType<typeof bin>[] = [];
  const seconds: number[] = [];

  beforeAll(() => {
    // A fresh folder, the same folder again, then --clean: three real processes.
    for (const extra of [[], [], ['--clean']]) {
      if (extra.length > 0) writeFileSync(join(dir, 'left-over.txt'), 'from an earlier run');
      const started = performance.now();
      runs.push(bin(['demo', '--dir', dir, '--bootstrap', '500', ...extra], ROOT, { CI: 'true' }));
      seconds.push((performance.now() - started) / 1000);
    }
    console.log(`demo wall time: ${seconds.map((s) => `${s.toFixed(1)} s`).join(', ')}`);
  }, 120_000);

  it('tells the four stages in plain numbered lines when not on a terminal, and says where things are', () => {
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      for (const stage of ['Stage 1 ·', 'Stage 2 ·', 'Stage 3 ·', 'Stage 4 ·'])
        expect(run.stdout).toContain(stage);
      expect(run.stdout).toMatch(/^\[1\/15\] train the baseline$/m);
      expect(run.stdout).toMatch(/^\[15\/15\] ask the live server$/m);
      expect(run.stdout).not.toMatch(/\[16\/15\]/);
      // No bar and no escape codes in CI logs.
      expect(run.stdout).not.toContain('\x1b[');
      expect(run.stdout).not.toContain('ETA');
      expect(run.stdout).toContain('Where things are:');
      expect(run.stdout).toMatch(/model server +http:\/\/127\.0\.0\.1:\d+: stopped/);
    }
    const [first] = runs;
    // The paired comparison's table is printed, not only written to the report.
    expect(first?.stdout).toMatch(/metric +gate +baseline +candidate +Δ +95% CI of Δ +status/);
    expect(first?.stdout).toMatch(
      /40 live requests with the canary at 50%: v1 answered \d+, v2 answered \d+/,
    );
    expect(first?.stdout).toMatch(/✗ refused: the verdict of breast-cancer v3 .* did not pass/);
  });

  it('smoke-checks every deploy over gRPC with raw tensors, as deploy --wire grpc does', () => {
    const stdout = runs[0]?.stdout ?? '';
    const grpc = /listening on http:\/\/127\.0\.0\.1:\d+ and (grpc:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(grpc).toBeDefined();
    const smokes = [...stdout.matchAll(/smoke: (\d+) rows through (\S+) ModelInfer breast-cancer v(\d)/g)];
    // v1 replaced; v2 at 50% as the canary, then promoted.
    expect(smokes.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['200', grpc, '1'],
      ['200', grpc, '2'],
      ['200', grpc, '2'],
    ]);
    expect(stdout).not.toMatch(/smoke: .* through http/);
  });

  it('never shows the bad candidate’s accuracy drop as a bare pass: it is inconclusive, with its reason', () => {
    const stdout = runs[0]?.stdout ?? '';
    const stage3 = stdout.slice(stdout.indexOf('Stage 3 ·'), stdout.indexOf('Stage 4 ·'));
    // The row of the gate table, then the reason printed under it.
    expect(stage3).toMatch(/^ *accuracy +max_drop 0\.02 \(α=0\.05\) .*\? inconclusive → pass$/m);
    expect(stage3).not.toMatch(/^ *accuracy +max_drop 0\.02 .*✓ pass$/m);
    expect(stage3).toMatch(
      /^ *\? accuracy max_drop: dropped 0\.045 > 0\.02 allowed, but the data cannot tell: the one-sided 95% bounds of Δ, \[-0\.\d+, -0\.\d+\], straddle -0\.02; about [\d,]+ rows \(now 200\) would settle it; counted as a pass \(on_inconclusive: pass\)$/m,
    );
    expect(stage3).toMatch(/^ *✗ roc_auc max_drop: dropped 0\.03157 > 0\.009961 \(1% of 0\.9961\) allowed$/m);
  });

  it('leaves three versions in the registry: the baseline, the improved model in production, and the refused one', () => {
    const { versions, production } = registryOnDisk(dir);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    const [v1, v2, v3] = versions as [StoredVersion, StoredVersion, StoredVersion];

    expect(v1.verdict?.passed).toBe(true);
    expect(v1.lineage.params).toEqual(params('baseline.yml'));
    expect(v1.sha256).toBe(sha256(join(dir, '1-baseline', 'model.onnx')));

    expect(production).toBe(2);
    expect(v2.verdict?.passed).toBe(true);
    expect(v2.lineage.params).toEqual(params('improved.yml'));
    expect(v2.lineage.parent_version).toBe(1);
    expect(v2.sha256).toBe(sha256(join(dir, '2-improved', 'model.onnx')));

    // Refused: stored for the record with the verdict that failed, and never given an alias.
    expect(v3.verdict?.passed).toBe(false);
    expect(v3.verdict?.rules.filter((r) => r.status === 'fail').length).toBeGreaterThan(0);
    expect(v3.lineage.params).toEqual(params('label-bug.yml'));
    expect(v3.sha256).toBe(sha256(join(dir, '3-bad', 'model.onnx')));

    const state = JSON.parse(readFileSync(join(dir, 'demo-state.json'), 'utf8'));
    expect(state.production).toBe(2);
    expect(state.refused.register).toMatch(/refusing to register .*did not pass/);
    expect(state.refused.deploy.join(' ')).toMatch(/the verdict of breast-cancer v3 .* did not pass/);
    const canary = state.canary as { percent: number; answered: Record<string, number> };
    expect(canary.percent).toBe(50);
    // Both versions answered while the canary held half the traffic.
    expect(canary.answered['1']).toBeGreaterThan(0);
    expect(canary.answered['2']).toBeGreaterThan(0);
  });

  it('ends with the live server answering with the improved model, as onnxruntime scores it locally', async () => {
    const state = JSON.parse(readFileSync(join(dir, 'demo-state.json'), 'utf8'));
    expect(state.infer.version).toBe('2');
    expect(state.infer.output).toBe('probabilities');
    const improved = await localAnswer(join(dir, '2-improved', 'model.onnx'));
    const bad = await localAnswer(join(dir, '3-bad', 'model.onnx'));
    for (const [i, p] of improved.entries()) expect(state.infer.data[i]).toBeCloseTo(p, 5);
    // The check can tell the models apart: the bad one answers differently on this row.
    expect(Math.abs((bad[1] ?? 0) - (improved[1] ?? 0))).toBeGreaterThan(1e-3);
  });

  it('is repeatable: every run trains the same bytes and tells the story from an empty registry; --clean starts over', () => {
    const digests = runs.map((run) => [...run.stdout.matchAll(/sha256 ([0-9a-f]{12}),/g)].map((m) => m[1]));
    expect(digests[0]?.length).toBeGreaterThanOrEqual(3);
    expect(digests[1]).toEqual(digests[0]);
    expect(digests[2]).toEqual(digests[0]);
    expect(runs[2]?.stdout).toContain('starting over');
    expect(existsSync(join(dir, 'left-over.txt'))).toBe(false);
    expect(runs[1]?.stdout).not.toContain('starting over');
  });

  it('draws a progress bar with an ETA when asked to (as it does on a terminal), and clears it before the summary', () => {
    const run = bin([
      'demo',
      '--dir',
      tempDir('modelgate-demo-bar-'),
      '--bootstrap',
      '200',
      '--progress',
      'bar',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\r\x1b[2K[█');
    expect(run.stdout).toMatch(/\[[█░]{24}\] \d+\/15 · \d+\.\d s · ETA \d+ s · /);
    expect(run.stdout).toContain('\x1b[1m[15/15] ask the live server\x1b[0m');
    // The bar is gone before the summary, so the last lines read cleanly.
    expect(run.stdout.split('\nWhere things are:')[1]).not.toContain('ETA');
  });

  it('finishes in well under a minute', () => {
    for (const s of seconds) expect(s).toBeLessThan(60);
  });

  it('refuses a bad --progress or --bootstrap with exit code 2, naming the flag', async () => {
    const progress = await cli(['demo', '--progress', 'fancy', '--dir', dir]);
    expect(progress.code).toBe(2);
    expect(progress.stderr).toMatch(/--progress/);
    const bootstrap = await cli(['demo', '--bootstrap', 'many', '--dir', dir]);
    expect(bootstrap.code).toBe(2);
    expect(bootstrap.stderr).toMatch(/--bootstrap/);
  });
});
