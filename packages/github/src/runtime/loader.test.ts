import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionsCacheApi } from '../train-cache.ts';
import { type FoundRuntime, findOnnxRuntime, onnxRuntimeLoader, type RuntimeSearch } from './loader.ts';
import { ONNXRUNTIME_PIN } from './pin.ts';
import {
  closedRegistryUrl,
  inputErrorOf,
  packPinnedTarballs,
  startTestRegistry,
  type TestRegistry,
} from './testing.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'binary-sigmoid', 'model.onnx');
const ARCH = `${process.platform}-${process.arch}`;
const { version } = ONNXRUNTIME_PIN;
const CACHE_SERVICE = { ACTIONS_RUNTIME_TOKEN: 'runtime-token', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' };

const work = mkdtempSync(join(tmpdir(), 'modelgate-runtime-'));
let tarballs: Map<string, string>;

// The real registry tarballs, once for the file: npm packs them from its cache, with no network.
beforeAll(() => {
  tarballs = packPinnedTarballs(folder('packed'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string): string {
  return mkdtempSync(join(work, `${name}-`));
}

/** A runner of its own: an empty tool cache, temp folder and home (so no real ~/.npmrc leaks in). */
function runner(
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv & { RUNNER_TOOL_CACHE: string; RUNNER_TEMP: string } {
  return {
    RUNNER_TOOL_CACHE: folder('tool-cache'),
    RUNNER_TEMP: folder('temp'),
    HOME: folder('home'),
    ...env,
  };
}

/** A search on `env` for the CPU, recording what it logs. */
function search(
  env: NodeJS.ProcessEnv,
  extra: Partial<RuntimeSearch> = {},
): RuntimeSearch & { lines: string[] } {
  const lines: string[] = [];
  return {
    provider: 'cpu',
    env,
    cwd: work,
    logger: { info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) },
    lines,
    ...extra,
  };
}

/** The cache service as the loader sees it: an entry per key and exact path list, copied out and back. */
function fakeActionsCache() {
  const store = folder('actions-cache');
  const saved: Array<{ key: string; paths: string[] }> = [];
  const api: ActionsCacheApi = {
    async restoreCache(paths, key) {
      const hit = saved.find((entry) => entry.key === key && entry.paths.join('\n') === paths.join('\n'));
      if (hit === undefined) return undefined;
      paths.forEach((path, i) => {
        cpSync(join(store, key, String(i)), path, { recursive: true });
      });
      return key;
    },
    async saveCache(paths, key) {
      if (saved.some((entry) => entry.key === key))
        throw new Error(`Unable to reserve cache with key ${key}`);
      paths.forEach((path, i) => {
        cpSync(path, join(store, key, String(i)), { recursive: true });
      });
      saved.push({ key, paths: [...paths] });
      return saved.length;
    },
  };
  return { api, saved };
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

describe('a runner without onnxruntime-node: the first job downloads it, later jobs find it', () => {
  let registry: TestRegistry;
  let env: ReturnType<typeof runner>;
  let cache: ReturnType<typeof fakeActionsCache>;
  let first: FoundRuntime;
  let entry: string;

  beforeAll(async () => {
    registry = await startTestRegistry(tarballs, { prefix: '/npm/' });
    // What actions/setup-node writes with `registry-url`, and names in NPM_CONFIG_USERCONFIG.
    const npmrc = join(folder('setup-node'), '.npmrc');
    const scope = registry.url.replace(/^http:/, '');
    writeFileSync(npmrc, `${scope}:_authToken=\${NODE_AUTH_TOKEN}\nregistry=${registry.url}\n`);
    env = runner({ NPM_CONFIG_USERCONFIG: npmrc, NODE_AUTH_TOKEN: 'npm-token', ...CACHE_SERVICE });
    cache = fakeActionsCache();
    first = await findOnnxRuntime(search(env, { actionsCache: cache.api }));
    entry = join(env.RUNNER_TOOL_CACHE, 'modelgate-onnxruntime', version, ARCH);
  });
  afterAll(() => registry.close());

  it('downloads each pinned tarball once, from the registry in the file NPM_CONFIG_USERCONFIG names, with its token', () => {
    expect(first.source).toBe('registry');
    expect(registry.requests).toEqual([
      { path: `/npm/onnxruntime-node/-/onnxruntime-node-${version}.tgz`, authorization: 'Bearer npm-token' },
      {
        path: `/npm/onnxruntime-common/-/onnxruntime-common-${version}.tgz`,
        authorization: 'Bearer npm-token',
      },
    ]);
  });

  it(`lays out node_modules in RUNNER_TOOL_CACHE/modelgate-onnxruntime/${version}/${ARCH} with only this machine's binaries`, () => {
    expect(first.packageDir).toBe(join(entry, 'node_modules', 'onnxruntime-node'));
    expect(existsSync(`${entry}.complete`)).toBe(true);
    expect(readdirSync(join(entry, 'node_modules')).sort()).toEqual([
      'onnxruntime-common',
      'onnxruntime-node',
    ]);
    const binaries = join(first.packageDir, 'bin', 'napi-v6');
    expect(readdirSync(binaries)).toEqual([process.platform]);
    expect(readdirSync(join(binaries, process.platform))).toEqual([process.arch]);
    // Every platform's binaries unpack to 288 MB; linux-x64's share is 45 MB.
    expect(sizeOf(entry)).toBeLessThan(100e6);
    // The download and the unpacked tarballs were temporary.
    expect(readdirSync(env.RUNNER_TEMP)).toEqual([]);
  });

  it('saves the entry and its completion marker to the Actions cache, keyed by version and platform', () => {
    expect(cache.saved).toEqual([
      { key: `modelgate-onnxruntime-${version}-${ARCH}`, paths: [entry, `${entry}.complete`] },
    ]);
  });

  it('loads it from the tool cache in the next job without asking the registry, and scores a model with it', async () => {
    const next = search({ ...env, npm_config_registry: await closedRegistryUrl() });
    const runtime = await onnxRuntimeLoader(next)();
    const session = await runtime.InferenceSession.create(readFileSync(MODEL));
    const rows = new runtime.Tensor('float32', new Float32Array(2 * 30), [2, 30]);
    const { probabilities } = await session.run({ input: rows });
    // The fixture's one output: the positive class's probability per row.
    expect(probabilities?.dims).toEqual([2, 1]);
    expect(next.lines).toContain(`onnxruntime-node ${version}: ${entry} (the tool cache)`);
    expect(registry.requests).toHaveLength(2);
  });

  it('restores it from the Actions cache on a hosted runner, whose tool cache starts empty', async () => {
    rmSync(env.RUNNER_TOOL_CACHE, { recursive: true, force: true });
    mkdirSync(env.RUNNER_TOOL_CACHE);
    const fresh = search(
      { ...env, npm_config_registry: await closedRegistryUrl() },
      { actionsCache: cache.api },
    );
    expect(await findOnnxRuntime(fresh)).toEqual({ packageDir: first.packageDir, source: 'actions-cache' });
    expect(registry.requests).toHaveLength(2);
    expect(cache.saved).toHaveLength(1);
  });
});

describe('when there is no runtime to be had', () => {
  it('refuses a tarball whose sha512 is not the lockfile’s, naming its URL and both digests, and caches nothing', async () => {
    const tampered = Buffer.from(readFileSync(tarballs.get('onnxruntime-common') as string));
    tampered[tampered.length - 100] = (tampered[tampered.length - 100] as number) ^ 0xff;
    const registry = await startTestRegistry(tarballs, {
      replace: new Map([['onnxruntime-common', tampered]]),
    });
    try {
      const env = runner({ npm_config_registry: registry.url });
      const error = await inputErrorOf(findOnnxRuntime(search(env)));
      const actual = `sha512-${createHash('sha512').update(tampered).digest('base64')}`;
      const pinned = ONNXRUNTIME_PIN.packages.find((p) => p.name === 'onnxruntime-common')?.integrity;
      expect(error.message).toBe(
        `refused ${registry.url}onnxruntime-common/-/onnxruntime-common-${version}.tgz: its sha512 is ${actual}, but package-lock.json pins onnxruntime-common@${version} to ${pinned}; nothing was cached`,
      );
      expect(readdirSync(env.RUNNER_TOOL_CACHE)).toEqual([]);
      expect(readdirSync(env.RUNNER_TEMP)).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it("fails as bad input naming 'onnxruntime-path' when nothing is cached and the registry refuses connections", async () => {
    const closed = await closedRegistryUrl();
    const env = runner({ npm_config_registry: closed });
    const error = await inputErrorOf(findOnnxRuntime(search(env)));
    expect(error.message).toMatch(
      new RegExp(
        `^onnxruntime-node ${version} is not on this runner and its download failed \\(${closed}onnxruntime-node/-/onnxruntime-node-${version}\\.tgz: .*ECONNREFUSED.*\\): set input 'onnxruntime-path' \\(or MODELGATE_ONNXRUNTIME_PATH\\) to a folder with node_modules/onnxruntime-node in it, or let the runner reach an npm registry$`,
      ),
    );
    expect(error.hint).toBe(
      `the registry comes from npm_config_registry, else the registry= line of NPM_CONFIG_USERCONFIG or ~/.npmrc; here it is ${closed} (npm_config_registry)`,
    );
    expect(readdirSync(env.RUNNER_TOOL_CACHE)).toEqual([]);
  });

  it('says what the registry answered when it does not have the tarball', async () => {
    const registry = await startTestRegistry(new Map());
    try {
      const error = await inputErrorOf(
        findOnnxRuntime(search(runner({ npm_config_registry: registry.url }))),
      );
      expect(error.message).toContain(
        `(${registry.url}onnxruntime-node/-/onnxruntime-node-${version}.tgz: HTTP 404 Not Found)`,
      );
      expect(error.message).toContain("set input 'onnxruntime-path'");
    } finally {
      await registry.close();
    }
  });
});
