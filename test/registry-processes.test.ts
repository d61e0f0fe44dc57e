import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsRegistry, readEvaluationRecord, readVerdictRecord } from '@modelgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ROOT, tempDir } from './helpers.ts';
import { MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * The filesystem registry with real processes: concurrent writers (self-hosted runners share
 * disks) each get their own version, and a writer killed at any point leaves the registry
 * readable and writable.
 */
const dir = tempDir('modelgate-registry-proc-');
let records: RegistryRecords;
let counter = 0;

beforeAll(async () => {
  records = await makeRecords(dir);
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script as its own process, asynchronously so that several run at once. */
function node(args: string[], cwd: string): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, MODELGATE_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The built CLI. */
const modelgate = (args: string[]) => node([CLI_BIN, ...args], dir);

/** The test writer (test/registry-writer.ts), registering model B once and killed at `step` through the fault port. */
const writerKilledAt = (root: string, step: string) =>
  node(
    [
      '--import',
      'tsx',
      join(ROOT, 'test', 'registry-writer.ts'),
      root,
      MODEL_B,
      records.evalB,
      records.passB,
      step,
    ],
    ROOT,
  );

function registerArgs(root: string, which: 'a' | 'b', ...extra: string[]): string[] {
  const [model, evaluation, verdict] =
    which === 'a' ? [MODEL_A, records.evalA, records.passA] : [MODEL_B, records.evalB, records.passB];
  return [
    'register',
    '--registry',
    `fs:${root}`,
    '--name',
    'cancer',
    '--model',
    model,
    '--evaluation',
    evaluation,
    '--verdict',
    verdict,
    ...extra,
  ];
}

/** Everything a reader does: list, resolve each alias and latest, and fetch every model (digest checked). */
async function readEverything(root: string) {
  const registry = createFsRegistry(root);
  const versions = await registry.list('cancer');
  for (const version of versions) {
    expect(await registry.resolve('cancer', String(version.version))).toEqual(version);
    expect((await registry.fetchModel(version)).length).toBe(version.bytes);
    for (const alias of version.aliases)
      expect((await registry.resolve('cancer', alias)).version).toBe(version.version);
  }
  return versions;
}

describe('concurrent writers', () => {
  it('8 processes registering at once get 8 distinct versions, and the registry reads whole', async () => {
    const root = join(dir, `registry-${++counter}`);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        modelgate(registerArgs(root, i % 2 === 0 ? 'a' : 'b', '--alias', 'production', '--json')),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const claimed = runs.map((run) => JSON.parse(run.stdout).version as number).sort((a, b) => a - b);
    expect(claimed).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const versions = await readEverything(root);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each record is the one its writer made: the model and its verdict agree.
    for (const version of versions) expect(version.verdict?.candidate.sha256).toBe(version.sha256);
    // Aliases only move forward: whichever write lands last, the alias ends on the highest.
    expect(versions.filter((v) => v.aliases.includes('production')).map((v) => v.version)).toEqual([8]);
    // The alias file, as a reader of the files sees it, agrees.
    const file = join(root, 'models', 'cancer', 'aliases', 'production.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ alias: 'production', version: 8 });
    // A register that found the alias already further says so, and still succeeds.
    for (const run of runs) {
      const { version } = JSON.parse(run.stdout);
      if (version === 8) expect(run.stderr).toBe('');
      else if (run.stderr !== '')
        expect(run.stderr).toMatch(
          /^warning: alias 'production' stays on v\d: a concurrent register moved it to a newer version first, and aliases only move forward \(--allow-downgrade moves it back\)\n$/,
        );
    }
  });
});

describe('a writer killed mid-register', () => {
  /** A register through the interface, in this process: only the writer under test is a child. */
  async function registerHere(root: string, which: 'a' | 'b') {
    const [modelPath, evaluation, verdict] =
      which === 'a' ? [MODEL_A, records.evalA, records.passA] : [MODEL_B, records.evalB, records.passB];
    return createFsRegistry(root).register({
      name: 'cancer',
      modelPath,
      evaluation: await readEvaluationRecord(evaluation, which),
      verdict: await readVerdictRecord(verdict),
      lineage: {},
      alias: 'production',
      requirePassed: true,
    });
  }

  for (const step of ['after-blob', 'after-claim', 'mid-record', 'after-record'] as const) {
    it(`leaves the registry readable and writable when killed ${step.replace('-', ' ')}`, async () => {
      const root = join(dir, `registry-${++counter}`);
      await registerHere(root, 'a');
      const killed = await writerKilledAt(root, step);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');

      const versions = await readEverything(root);
      // The record appears whole or not at all; the alias moves only after it.
      expect(versions.map((v) => v.version)).toEqual(step === 'after-record' ? [1, 2] : [1]);
      expect((await createFsRegistry(root).resolve('cancer', 'production')).version).toBe(1);

      // A claimed number whose writer died stays unused: numbers are never given twice.
      const next = await registerHere(root, 'b');
      expect(next).toMatchObject({ version: step === 'after-blob' ? 2 : 3, aliases: ['production'] });
      expect((await readEverything(root)).at(-1)?.version).toBe(next.version);
    });
  }

  it('stays readable when register loops in three processes are killed at random moments', async () => {
    const root = join(dir, `registry-${++counter}`);
    const writers = Array.from({ length: 3 }, async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'test', 'registry-writer.ts'),
          root,
          MODEL_A,
          records.evalA,
          records.passA,
        ],
        { cwd: ROOT },
      );
      let output = '';
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (output.includes('ready\n')) resolve();
        });
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await ready;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
      child.kill('SIGKILL');
      await closed;
      return (output.match(/^registered /gm) ?? []).length;
    });
    const registered = (await Promise.all(writers)).reduce((sum, n) => sum + n, 0);
    expect(registered).toBeGreaterThan(0);

    const versions = await readEverything(root);
    // Every register that reported success is there; each writer killed in flight adds at most one.
    expect(versions.length).toBeGreaterThanOrEqual(registered);
    expect(versions.length).toBeLessThanOrEqual(registered + 3);
    expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
  });
});
