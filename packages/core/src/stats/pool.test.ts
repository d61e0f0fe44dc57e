/**
 * Worker threads: they give the same table as one thread, they really take part, and they
 * work from an esbuild bundle (minified, with keep-names) as they do from the sources.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapIntervals } from './bootstrap.ts';
import { lastParallelRun, runRowJobParallel } from './pool.ts';
import { rowModel } from './resampler.ts';
import { binormalSample, Sampler } from './testing-utils.ts';

// Large enough to be worth sharing (rows × resamples above the pool's threshold).
const big = binormalSample({ prevalence: 0.3, separation: 1.2, threshold: 0.5 }, 40_000, new Sampler(8));

describe('runRowJobParallel', () => {
  it('gives the same table on three threads as on one, with the workers doing part of it', async () => {
    const job = { rows: 40_000, models: [rowModel(big)], via: [null] };
    const single = await runRowJobParallel(job, 5, 200, 1);
    expect(lastParallelRun()).toMatchObject({ threads: 1, workerChunks: 0 });
    await runRowJobParallel(job, 5, 200, 3); // starts the workers
    const parallel = await runRowJobParallel(job, 5, 200, 3);
    expect(parallel).toEqual(single);
    const run = lastParallelRun()!;
    expect(run.threads).toBe(3);
    expect(run.workerChunks).toBeGreaterThan(0);
    expect(run.workerChunks).toBeLessThanOrEqual(run.chunks);
  });

  it('runs small jobs on this thread alone', async () => {
    const small = binormalSample({ prevalence: 0.3, separation: 1, threshold: 0 }, 100, new Sampler(2));
    await runRowJobParallel({ rows: 100, models: [rowModel(small)], via: [null] }, 1, 100, 4);
    expect(lastParallelRun()?.threads).toBe(1);
  });
});

describe('an esbuild bundle of the stats module', () => {
  const directory = mkdtempSync(join(tmpdir(), 'modelgate-stats-bundle-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('runs its workers and gives the intervals the sources give', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const entry = join(directory, 'entry.ts');
    writeFileSync(
      entry,
      `export * from ${JSON.stringify(join(here, 'index.ts'))};\nexport * from ${JSON.stringify(join(here, 'testing-utils.ts'))};\n`,
    );
    // The actions' build settings, plus the two that most often break code run from its
    // source text: minified names and keep-names' helper calls.
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      keepNames: true,
      outfile: join(directory, 'stats.mjs'),
      logLevel: 'silent',
    });
    const script = join(directory, 'run.mjs');
    writeFileSync(
      script,
      `import * as s from './stats.mjs';
const p = s.binormalSample({ prevalence: 0.3, separation: 1.2, threshold: 0.5 }, 40000, new s.Sampler(8));
const o = { resamples: 200, confidence: 0.95, seed: 3, threads: 2 };
await s.bootstrapIntervals(p, ['roc_auc'], o); // starts the worker
const ci = await s.bootstrapIntervals(p, ['accuracy', 'roc_auc', 'average_precision', 'log_loss'], o);
console.log(JSON.stringify({ ci, run: s.lastParallelRun() }));
`,
    );
    const output = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as {
      ci: Record<string, [number, number]>;
      run: { threads: number; workerChunks: number };
    };
    const expected = await bootstrapIntervals(big, ['accuracy', 'roc_auc', 'average_precision', 'log_loss'], {
      resamples: 200,
      confidence: 0.95,
      seed: 3,
      threads: 1,
    });
    expect(output.ci).toEqual(expected);
    expect(output.run.threads).toBe(2);
    expect(output.run.workerChunks).toBeGreaterThan(0);
  });
});
