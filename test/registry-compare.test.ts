import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.ts';
import { EVALUATE_FLAGS, MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * `modelgate compare --baseline registry:ALIAS`: the aliased version's model is fetched (digest
 * checked) and scored paired on the candidate's rows, exactly as if it had been given with
 * --baseline-model; with --candidate its stored evaluation is the baseline. An empty registry,
 * or a model never given an alias, is the first model (the report says why); a name or alias
 * that does not exist while others do is exit 2, naming them.
 */
const dir = tempDir('modelgate-registry-compare-');
let records: RegistryRecords;
let cwd: string;

beforeAll(async () => {
  records = await makeRecords(dir);
  cwd = join(dir, 'project');
  mkdirSync(cwd);
  const registered = await cli(
    [
      'register',
      '--name',
      'cancer',
      '--model',
      MODEL_A,
      '--evaluation',
      records.evalA,
      '--verdict',
      records.passA,
      '--alias',
      'production',
    ],
    cwd,
  );
  expect(registered.code, registered.stderr).toBe(0);
});

async function compare(args: string[], where = cwd) {
  const out = join(dir, `${Math.random().toString(16).slice(2)}.json`);
  const report = `${out}.md`;
  const result = await cli(
    ['compare', '--gates', records.gates, '--out', out, '--report', report, ...args],
    where,
  );
  return {
    ...result,
    verdict: existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined,
    report: existsSync(report) ? readFileSync(report, 'utf8') : '',
  };
}

describe('compare with a registry baseline', () => {
  it('fetches the aliased model and scores it paired on the same rows, as --baseline-model would', async () => {
    const viaRegistry = await compare([
      '--model',
      MODEL_B,
      '--baseline',
      'registry:production',
      ...EVALUATE_FLAGS,
    ]);
    expect(viaRegistry.code, viaRegistry.stderr).toBe(0);
    const direct = await compare(['--model', MODEL_B, '--baseline-model', MODEL_A, ...EVALUATE_FLAGS]);
    expect(direct.code, direct.stderr).toBe(0);

    const { verdict } = viaRegistry;
    expect(verdict.paired).toBe(true);
    expect(verdict.baseline).toEqual({
      sha256: JSON.parse(readFileSync(records.evalA, 'utf8')).model.sha256,
      ref: 'production',
    });
    expect(verdict.mcnemar).toEqual(direct.verdict.mcnemar);
    const strip = (rules: Array<Record<string, unknown>>) =>
      rules.map(({ reason: _reason, ...rule }) => rule);
    expect(strip(verdict.rules)).toEqual(strip(direct.verdict.rules));
    expect(verdict.notes[0]).toMatch(
      /^baseline: cancer v1 \(production\), sha256 [0-9a-f]{12}, registered .* from fs:\.modelgate\/registry, scored on the candidate's rows$/,
    );
    // The report names the alias and the version, not a temporary file.
    expect(viaRegistry.report).toMatch(
      /\*\*Baseline:\*\* `production`, `fs:\.modelgate\/registry\/cancer@1`, sha256/,
    );
    expect(viaRegistry.report).not.toMatch(/modelgate-baseline-/);
    expect(viaRegistry.stdout).toMatch(/fetching the baseline cancer v1 \(production\)/);
  });

  it('uses the stored evaluation of the version with --candidate (unpaired)', async () => {
    const result = await compare(['--candidate', records.evalB, '--baseline', 'registry:production']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.verdict.paired).toBe(false);
    expect(result.verdict.baseline.ref).toBe('production');
    expect(result.verdict.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^baseline: the stored evaluation of cancer v1 \(production\)/),
      ]),
    );
    const unpaired = result.verdict.rules.find((r: { rule: string }) => r.rule === 'max_drop');
    expect(unpaired.baseline).toBeCloseTo(
      JSON.parse(readFileSync(records.evalA, 'utf8')).metrics.accuracy.value,
      12,
    );
  });

  it('is the first model only where nothing could have been meant: an empty registry, or a model never given an alias', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const fresh = await compare(
      ['--candidate', records.evalB, '--baseline', 'registry:production', '--name', 'cancer'],
      empty,
    );
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.verdict.baseline).toBeNull();
    expect(fresh.verdict.rules.map((r: { rule: string; status: string }) => [r.rule, r.status])).toEqual([
      ['min', 'pass'],
      ['max_drop', 'skip'],
    ]);
    expect(fresh.verdict.notes[0]).toBe(
      "no baseline: the registry fs:.modelgate/registry holds no model 'cancer' yet, so this is treated as the first model",
    );

    // Registered but never promoted: the reusable workflow registers before its deploy moves
    // the alias, and a first deploy that was rolled back leaves exactly this.
    const unpromoted = join(dir, 'unpromoted');
    mkdirSync(unpromoted);
    const registered = await cli(
      [
        'register',
        '--name',
        'cancer',
        '--model',
        MODEL_A,
        '--evaluation',
        records.evalA,
        '--verdict',
        records.passA,
      ],
      unpromoted,
    );
    expect(registered.code, registered.stderr).toBe(0);
    const result = await compare(
      ['--model', MODEL_B, '--baseline', 'registry:production', ...EVALUATE_FLAGS],
      unpromoted,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.verdict.baseline).toBeNull();
    expect(result.verdict.notes[0]).toBe(
      "no baseline: model 'cancer' has no alias 'production' yet in fs:.modelgate/registry (no version has been given an alias; the latest is v1), so this is treated as the first model",
    );
    expect(result.report).toContain("has no alias 'production' yet");
  });

  it('stops with exit 2 on an alias the model lacks while it has others, naming them', async () => {
    const prefix = await compare(['--model', MODEL_B, '--baseline', 'registry:prod', ...EVALUATE_FLAGS]);
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toBe(
      "modelgate: error: model 'cancer' has no alias 'prod' (aliases: production → v1)\nhint: did you mean 'production'?\n",
    );
    expect(prefix.verdict).toBeUndefined();
    const other = await compare(['--candidate', records.evalB, '--baseline', 'registry:champion']);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      "modelgate: error: model 'cancer' has no alias 'champion' (aliases: production → v1)\nhint: set one with 'modelgate registry alias cancer champion VERSION'\n",
    );
  });

  it('stops with exit 2 on a model name the registry lacks while it holds others, naming them', async () => {
    const typo = await compare([
      '--candidate',
      records.evalB,
      '--baseline',
      'registry:production',
      '--name',
      'cancr',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "modelgate: error: no model named 'cancr' in the registry fs:.modelgate/registry (models: cancer)\nhint: did you mean 'cancer'?\n",
    );
    expect(typo.verdict).toBeUndefined();
    const fresh = await compare([
      '--candidate',
      records.evalB,
      '--baseline',
      'registry:production',
      '--name',
      'fraud',
    ]);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toBe(
      "modelgate: error: no model named 'fraud' in the registry fs:.modelgate/registry (models: cancer)\nhint: if 'fraud' is a new model, gate its first version with the baseline 'none'\n",
    );
  });

  it('fails the gate on a missing baseline when the spec sets require_baseline', async () => {
    const strict = join(dir, 'require.yml');
    writeFileSync(
      strict,
      'model: cancer\nrequire_baseline: true\ngates:\n  accuracy: { min: 0.9, max_drop: 0.05 }\n',
    );
    const empty = join(dir, 'empty-strict');
    mkdirSync(empty);
    const result = await cli(
      ['compare', '--gates', strict, '--candidate', records.evalB, '--baseline', 'registry:production'],
      empty,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/fail +accuracy max_drop: no baseline, and require_baseline is set/);
  });

  it('stops with exit 2 on a likely typo of an alias, an unknown version number, or a bad registry', async () => {
    const typo = await compare(['--candidate', records.evalB, '--baseline', 'registry:prodution']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "modelgate: error: model 'cancer' has no alias 'prodution' (aliases: production → v1)\nhint: did you mean 'production'?\n",
    );
    const version = await compare(['--candidate', records.evalB, '--baseline', 'registry:9']);
    expect(version.stderr).toBe("modelgate: error: model 'cancer' has no version 9: it has version 1\n");
    const spec = await compare([
      '--candidate',
      records.evalB,
      '--baseline',
      'registry:production',
      '--registry',
      'ftp:x',
    ]);
    expect(spec.stderr).toMatch(/^modelgate: error: --registry 'ftp:x' is not a registry/);
    const empty = await compare(['--candidate', records.evalB, '--baseline', 'registry:']);
    expect(empty.stderr).toMatch(/^modelgate: error: --baseline 'registry:' names no alias/);
    for (const result of [version, spec, empty]) expect(result.code).toBe(2);
  });

  it('refuses a baseline model whose file was changed in the registry since it was registered', async () => {
    const project = join(dir, 'tampered');
    mkdirSync(project);
    const registered = await cli(
      [
        'register',
        '--name',
        'cancer',
        '--model',
        MODEL_A,
        '--evaluation',
        records.evalA,
        '--verdict',
        records.passA,
        '--alias',
        'production',
        '--json',
      ],
      project,
    );
    const { sha256 } = JSON.parse(registered.stdout);
    const blob = join(project, '.modelgate', 'registry', 'blobs', 'sha256', sha256);
    chmodSync(blob, 0o644);
    writeFileSync(blob, Buffer.concat([readFileSync(blob), Buffer.from([0])]));
    const result = await compare(
      ['--model', MODEL_B, '--baseline', 'registry:production', ...EVALUATE_FLAGS],
      project,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^modelgate: error: the model file of cancer v1 \\(.*${sha256}\\) has sha256 [0-9a-f]{64}, but the registry recorded ${sha256}: it was changed after it was registered$`,
      ),
    );
    expect(result.verdict).toBeUndefined();
  });
});
