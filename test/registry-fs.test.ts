import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createFsRegistry,
  type EvaluationRecord,
  InputError,
  MODEL_VERSION_SCHEMA,
  type RegisterRequest,
  type Registry,
  readEvaluationRecord,
  readVerdictRecord,
  type Verdict,
} from '@modelgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';
import { MODEL_A, MODEL_B, makeRecords, type RegistryRecords } from './registry-helpers.ts';

/**
 * The filesystem registry through its interface: versions, aliases and lineage; refusals that
 * leave no trace; a sha256 check on every read; damaged files named; and a registry of 10,000
 * versions that still registers and resolves in milliseconds.
 */
const dir = tempDir('modelgate-registry-fs-');
let records: RegistryRecords;
let evalA: EvaluationRecord;
let evalB: EvaluationRecord;
let passA: Verdict;
let failA: Verdict;
let passB: Verdict;
let counter = 0;

beforeAll(async () => {
  records = await makeRecords(dir);
  evalA = await readEvaluationRecord(records.evalA, 'a');
  evalB = await readEvaluationRecord(records.evalB, 'b');
  passA = await readVerdictRecord(records.passA);
  failA = await readVerdictRecord(records.failA);
  passB = await readVerdictRecord(records.passB);
});

function freshRegistry(): { registry: Registry; root: string } {
  const root = join(dir, `registry-${++counter}`);
  return { registry: createFsRegistry(root), root };
}

function requestA(extra: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    name: 'cancer',
    modelPath: MODEL_A,
    evaluation: evalA,
    verdict: passA,
    lineage: {},
    requirePassed: true,
    ...extra,
  };
}

function requestB(extra: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    name: 'cancer',
    modelPath: MODEL_B,
    evaluation: evalB,
    verdict: passB,
    lineage: {},
    requirePassed: true,
    ...extra,
  };
}

/** Every file under root with a digest of its bytes: equal snapshots mean nothing changed. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(root)) return files;
  const walk = (path: string, rel: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      const relative = rel === '' ? entry : `${rel}/${entry}`;
      if (statSync(full).isDirectory()) {
        files[`${relative}/`] = 'dir';
        walk(full, relative);
      } else {
        files[relative] = createHash('sha256').update(readFileSync(full)).digest('hex');
      }
    }
  };
  walk(root, '');
  return files;
}

async function errorOf(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the filesystem registry', () => {
  it('registers versions with their evaluation, verdict and lineage, and reads them by number, alias and latest', async () => {
    const { registry } = freshRegistry();
    const lineage = {
      commit: 'a'.repeat(40),
      ref: 'refs/heads/main',
      run_url: 'https://github.com/acme/models/actions/runs/42',
      pr: 7,
      params: { lr: 0.01 },
      training: { duration_seconds: 12.5, gpus: 1 },
    };
    const v1 = await registry.register(requestA({ lineage, alias: 'production' }));
    expect(v1).toMatchObject({
      schema: MODEL_VERSION_SCHEMA,
      name: 'cancer',
      version: 1,
      sha256: sha(MODEL_A),
      bytes: readFileSync(MODEL_A).length,
      aliases: ['production'],
      lineage: { ...lineage, parent_version: null, data_sha256: evalA.data.sha256 },
    });
    expect(v1.evaluation).toEqual(evalA);
    expect(v1.verdict).toEqual(passA);
    expect(Date.parse(v1.created_at)).not.toBeNaN();
    expect(existsSync(v1.url)).toBe(true);

    const v2 = await registry.register(requestB({ alias: 'staging' }));
    expect(v2.version).toBe(2);
    expect(await registry.resolve('cancer', 'production')).toEqual(v1);
    expect((await registry.resolve('cancer', 'latest')).version).toBe(2);
    expect((await registry.resolve('cancer', '1')).sha256).toBe(sha(MODEL_A));
    expect((await registry.resolve('cancer', 'v2')).aliases).toEqual(['staging']);
    const listed = await registry.list('cancer');
    expect(listed.map((v) => [v.version, v.aliases])).toEqual([
      [1, ['production']],
      [2, ['staging']],
    ]);
    expect(listed[0]).toEqual(v1);
  });

  it('moves and removes aliases, and every read shows where they point now', async () => {
    const { registry } = freshRegistry();
    await registry.register(requestA({ alias: 'production' }));
    await registry.register(requestB());
    const moved = await registry.setAlias('cancer', 'production', 2);
    expect(moved).toMatchObject({ version: 2, aliases: ['production'] });
    await registry.setAlias('cancer', 'champion', 2);
    expect((await registry.resolve('cancer', '1')).aliases).toEqual([]);
    expect((await registry.resolve('cancer', 'champion')).aliases).toEqual(['champion', 'production']);
    await registry.removeAlias('cancer', 'champion');
    expect((await registry.resolve('cancer', '2')).aliases).toEqual(['production']);
    const gone = await errorOf(registry.resolve('cancer', 'champion'));
    expect(gone.message).toBe("model 'cancer' has no alias 'champion' (aliases: production → v2)");
  });

  it('moves an alias only forward, unless allowDowngrade; a removed alias may be set anywhere again', async () => {
    const { registry, root } = freshRegistry();
    await registry.register(requestA({ alias: 'production' }));
    await registry.register(requestB({ alias: 'production' }));
    const back = await errorOf(registry.setAlias('cancer', 'production', 1));
    expect(back.message).toBe(
      "alias 'production' of model 'cancer' names v2; moving it to v1 would move it back",
    );
    expect(back.hint).toBe('aliases only move forward: give --allow-downgrade to move it back on purpose');
    expect((await registry.resolve('cancer', 'production')).version).toBe(2);
    // Staying put is not a move back.
    expect((await registry.setAlias('cancer', 'production', 2)).aliases).toEqual(['production']);
    const moved = await registry.setAlias('cancer', 'production', 1, { allowDowngrade: true });
    expect(moved).toMatchObject({ version: 1, aliases: ['production'] });
    await registry.removeAlias('cancer', 'production');
    expect((await registry.setAlias('cancer', 'production', 1)).aliases).toEqual(['production']);
    // The alias file mirrors the last move, for readers of the files.
    const file = JSON.parse(
      readFileSync(join(root, 'models', 'cancer', 'aliases', 'production.json'), 'utf8'),
    );
    expect(file).toMatchObject({ name: 'cancer', alias: 'production', version: 1 });
  });

  it('reads and moves an alias of a registry written before alias moves existed', async () => {
    const { registry, root } = freshRegistry();
    await registry.register(requestA());
    await registry.register(requestB());
    const aliases = join(root, 'models', 'cancer', 'aliases');
    writeFileSync(
      join(aliases, 'production.json'),
      JSON.stringify({ name: 'cancer', alias: 'production', version: 2, updated_at: '2026-01-01T00:00:00Z' }),
    );
    expect((await registry.resolve('cancer', 'production')).version).toBe(2);
    expect((await errorOf(registry.setAlias('cancer', 'production', 1))).message).toMatch(
      /names v2; moving it to v1/,
    );
    await registry.register(requestA({ alias: 'production' }));
    expect((await registry.resolve('cancer', 'production')).version).toBe(3);
  });

  it('leaves the alias on the highest version when 8 registers race to move it', async () => {
    const { registry } = freshRegistry();
    const registered = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? requestA : requestB)({ alias: 'champion' })).map(
        (request) => registry.register(request),
      ),
    );
    expect(registered.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await registry.resolve('cancer', 'champion')).version).toBe(8);
    // A register that lost the race does not claim the alias in what it returns.
    expect(registered.find((v) => v.version === 8)?.aliases).toEqual(['champion']);
  });

  it('stores the same model file once (content-addressed) however often it is registered', async () => {
    const { registry, root } = freshRegistry();
    await registry.register(requestA());
    await registry.register(requestA());
    expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([sha(MODEL_A)]);
    expect((await registry.list('cancer')).map((v) => v.version)).toEqual([1, 2]);
  });

  it("records the baseline version the verdict was gated against as the lineage's parent", async () => {
    const { registry } = freshRegistry();
    await registry.register(requestA({ alias: 'production' }));
    // passB was made against MODEL_A given as a file: the parent is found by its digest.
    const v2 = await registry.register(requestB());
    expect(v2.lineage.parent_version).toBe(1);
    // A verdict whose baseline names the alias, with the alias's digest.
    const viaAlias = { ...passB, baseline: { sha256: sha(MODEL_A), ref: 'production' } };
    expect((await registry.register(requestB({ verdict: viaAlias }))).lineage.parent_version).toBe(1);
    // The first model has no parent.
    expect((await registry.resolve('cancer', '1')).lineage.parent_version).toBeNull();
  });

  it('refuses a failed verdict and leaves nothing behind, not even the registry folder', async () => {
    const { registry, root } = freshRegistry();
    const error = await errorOf(registry.register(requestA({ verdict: failA, alias: 'production' })));
    expect(error.message).toMatch(
      /^refusing to register .*model\.onnx: the verdict did not pass: accuracy min fail$/,
    );
    expect(error.hint).toMatch(/--require-passed false/);
    expect(existsSync(root)).toBe(false);
  });

  it('leaves an existing registry byte for byte as it was after every kind of refusal', async () => {
    const { registry, root } = freshRegistry();
    await registry.register(requestA({ alias: 'production' }));
    const before = snapshot(root);
    const refusals: Array<[RegisterRequest, RegExp]> = [
      [requestA({ verdict: failA }), /the verdict did not pass/],
      [requestA({ verdict: null }), /without a verdict: a passing verdict is required/],
      [
        requestA({ verdict: passB }),
        /the verdict is about the model with sha256 [0-9a-f]{64}, but .*model\.onnx \(sha256 [0-9a-f]{64}\) is another file/,
      ],
      [
        requestA({ evaluation: evalB }),
        /the evaluation is of the model with sha256 [0-9a-f]{64}, but .* is another file/,
      ],
      [requestA({ modelPath: join(dir, 'missing.onnx') }), /model file not found: .*missing\.onnx/],
      [requestA({ alias: 'Production' }), /alias 'Production' is not valid/],
      [requestA({ alias: 'latest' }), /'latest' cannot be an alias/],
      [requestA({ name: '../escape' }), /model name '\.\.\/escape' is not valid/],
    ];
    for (const [request, message] of refusals) {
      expect((await errorOf(registry.register(request))).message).toMatch(message);
      expect(snapshot(root)).toEqual(before);
    }
  });

  it('stores a failed verdict only when asked to (require-passed false), and says so in the record', async () => {
    const { registry } = freshRegistry();
    const stored = await registry.register(requestA({ verdict: failA, requirePassed: false }));
    expect(stored.verdict?.passed).toBe(false);
    // Even then, a verdict about another file is never stored with this one.
    const other = await errorOf(registry.register(requestA({ verdict: passB, requirePassed: false })));
    expect(other.message).toMatch(/is another file/);
  });

  it('checks the sha256 on every fetch: a model file changed after registering is refused, naming both digests', async () => {
    const { registry, root } = freshRegistry();
    const version = await registry.register(requestA());
    expect(sha256Of(await registry.fetchModel(version))).toBe(version.sha256);

    const blob = join(root, 'blobs', 'sha256', version.sha256);
    expect(statSync(blob).mode & 0o222).toBe(0); // stored read-only
    chmodSync(blob, 0o644);
    const bytes = readFileSync(blob);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(blob, bytes);
    const tampered = sha256Of(bytes);
    const error = await errorOf(registry.fetchModel(await registry.resolve('cancer', '1')));
    expect(error.message).toBe(
      `the model file of cancer v1 (${blob}) has sha256 ${tampered}, but the registry recorded ${version.sha256}: it was changed after it was registered`,
    );
  });

  it('names the file when a version record or an alias file is damaged', async () => {
    const { registry, root } = freshRegistry();
    await registry.register(requestA({ alias: 'production' }));
    await registry.register(requestB());
    const record = join(root, 'models', 'cancer', 'versions', '2.json');
    writeFileSync(record, '{"schema": "modelgate/model-version@1", "name": "cancer", "vers');
    expect((await errorOf(registry.resolve('cancer', '2'))).message).toMatch(
      new RegExp(`^registry file ${escapeRegExp(record)} is damaged: it is not valid JSON`),
    );
    expect((await errorOf(registry.list('cancer'))).message).toMatch(/versions\/2\.json is damaged/);
    const alias = join(root, 'models', 'cancer', 'aliases', 'production.moves', '1.json');
    writeFileSync(
      alias,
      JSON.stringify({ name: 'cancer', alias: 'production', version: 'one', seq: 1, updated_at: '' }),
    );
    expect((await errorOf(registry.resolve('cancer', '1'))).message).toBe(
      `registry file ${alias} is damaged: 'version' Invalid input: expected number, received string`,
    );
  });

  it('says what exists when a model, version or alias does not', async () => {
    const { registry } = freshRegistry();
    expect((await errorOf(registry.resolve('cancer', 'latest'))).message).toBe(
      `no model named 'cancer' in the registry fs:${join(dir, `registry-${counter}`)} (it holds no models yet)`,
    );
    await registry.register(requestA({ alias: 'production' }));
    const typo = await errorOf(registry.list('cancr'));
    expect(typo.message).toMatch(/^no model named 'cancr' in the registry .* \(models: cancer\)$/);
    expect(typo.hint).toBe("did you mean 'cancer'?");
    expect((await errorOf(registry.resolve('cancer', '9'))).message).toBe(
      "model 'cancer' has no version 9: it has version 1",
    );
    const alias = await errorOf(registry.resolve('cancer', 'prodution'));
    expect(alias.message).toBe("model 'cancer' has no alias 'prodution' (aliases: production → v1)");
    expect(alias.hint).toBe("did you mean 'production'?");
    expect((await errorOf(registry.setAlias('cancer', 'champion', 4))).message).toBe(
      "model 'cancer' has no version 4: it has version 1",
    );
    expect((await errorOf(registry.removeAlias('cancer', 'champion'))).message).toMatch(
      /has no alias 'champion'/,
    );
    expect((await errorOf(registry.resolve('cancer', 'Prod!'))).message).toMatch(
      /'Prod!' is not a version ref/,
    );
  });
});

describe('a registry of 10,000 versions', () => {
  it('still registers, resolves aliases and latest, and moves an alias in milliseconds', async () => {
    const { registry, root } = freshRegistry();
    const digest = sha(MODEL_A);
    const versions = join(root, 'models', 'cancer', 'versions');
    mkdirSync(versions, { recursive: true });
    mkdirSync(join(root, 'models', 'cancer', 'aliases'), { recursive: true });
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(root, 'blobs', 'sha256', digest), readFileSync(MODEL_A));
    const lineage = {
      commit: null,
      ref: null,
      run_url: null,
      pr: null,
      parent_version: null,
      data_sha256: null,
      params: null,
      training: null,
    };
    const generate = performance.now();
    const recordOf = (version: number) => ({
      schema: MODEL_VERSION_SCHEMA,
      name: 'cancer',
      version,
      sha256: digest,
      bytes: 895,
      created_at: new Date(version * 1000).toISOString(),
      lineage,
      evaluation: null,
      verdict: null,
    });
    // Written in parallel batches: one synchronous write after another takes seconds on a busy disk.
    for (let start = 1; start <= 10_000; start += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          writeFile(join(versions, `${start + i}.json`), JSON.stringify(recordOf(start + i))),
        ),
      );
    }
    writeFileSync(
      join(root, 'models', 'cancer', 'aliases', 'production.json'),
      JSON.stringify({
        name: 'cancer',
        alias: 'production',
        version: 5000,
        updated_at: new Date().toISOString(),
      }),
    );
    const generated = performance.now() - generate;

    const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const value = await fn();
      return [value, performance.now() - start];
    };
    const [added, registerMs] = await time(() => registry.register(requestA({ alias: 'staging' })));
    const [production, aliasMs] = await time(() => registry.resolve('cancer', 'production'));
    const [latest, latestMs] = await time(() => registry.resolve('cancer', 'latest'));
    const [, moveMs] = await time(() => registry.setAlias('cancer', 'production', 10_001));

    expect(added.version).toBe(10_001);
    expect(production.version).toBe(5000);
    expect(latest.version).toBe(10_001);
    expect((await registry.resolve('cancer', 'production')).version).toBe(10_001);
    console.log(
      `10,000 versions (generated in ${generated.toFixed(0)} ms): register ${registerMs.toFixed(1)} ms, resolve alias ${aliasMs.toFixed(1)} ms, resolve latest ${latestMs.toFixed(1)} ms, move alias ${moveMs.toFixed(1)} ms`,
    );
    // Generous bounds for a loaded 2-core CI machine; the measured times are a few milliseconds.
    expect(registerMs).toBeLessThan(500);
    expect(aliasMs).toBeLessThan(100);
    expect(latestMs).toBeLessThan(200);
    expect(moveMs).toBeLessThan(100);
  });
});

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
