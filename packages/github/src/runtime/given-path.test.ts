import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { actionRuntimeLoader } from './action-loader.ts';
import { findOnnxRuntime, onnxRuntimeLoader, type RuntimeSearch } from './loader.ts';
import { closedRegistryUrl, inputErrorOf } from './testing.ts';

// The repository's own install: its node_modules holds onnxruntime-node, as a runner image's would.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGE = join(ROOT, 'node_modules', 'onnxruntime-node');
const INPUT = "input 'onnxruntime-path'";

const work = mkdtempSync(join(tmpdir(), 'modelgate-runtime-path-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** A runner whose tool cache is empty and whose registry refuses connections: only the path can answer. */
async function offlineRunner(): Promise<NodeJS.ProcessEnv & { RUNNER_TOOL_CACHE: string }> {
  return {
    RUNNER_TOOL_CACHE: mkdtempSync(join(work, 'tool-cache-')),
    RUNNER_TEMP: mkdtempSync(join(work, 'temp-')),
    HOME: mkdtempSync(join(work, 'home-')),
    npm_config_registry: await closedRegistryUrl(),
  };
}

function search(env: NodeJS.ProcessEnv, extra: Partial<RuntimeSearch>): RuntimeSearch & { lines: string[] } {
  const lines: string[] = [];
  return {
    provider: 'cpu',
    env,
    cwd: ROOT,
    logger: { info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) },
    lines,
    ...extra,
  };
}

describe('a path the user gives for onnxruntime-node', () => {
  it('is used first when it is a folder with node_modules/onnxruntime-node in it: no cache, no registry', async () => {
    const env = await offlineRunner();
    const found = await findOnnxRuntime(search(env, { given: { path: ROOT, what: INPUT } }));
    expect(found).toEqual({ packageDir: PACKAGE, source: 'path' });
    expect(readdirSync(env.RUNNER_TOOL_CACHE)).toEqual([]);
  });

  it('may be the onnxruntime-node package folder itself, relative to the workspace', async () => {
    const given = { path: 'node_modules/onnxruntime-node', what: INPUT };
    const found = await findOnnxRuntime(search(await offlineRunner(), { given }));
    expect(found).toEqual({ packageDir: PACKAGE, source: 'path' });
  });

  it('fails as bad input naming the input when it holds no onnxruntime-node, instead of downloading one', async () => {
    const given = { path: work, what: INPUT };
    const error = await inputErrorOf(findOnnxRuntime(search(await offlineRunner(), { given })));
    expect(error.message).toBe(
      `input 'onnxruntime-path' is '${work}', which holds no onnxruntime-node: expected a folder with node_modules/onnxruntime-node in it, or the onnxruntime-node package folder itself`,
    );
  });

  it('fails as bad input when its onnxruntime-node has no binaries for this machine', async () => {
    const given = { path: ROOT, what: INPUT };
    const error = await inputErrorOf(
      findOnnxRuntime(search(await offlineRunner(), { given }), { platform: 'aix', arch: 'ppc64' }),
    );
    expect(error.message).toBe(
      `input 'onnxruntime-path' is '${ROOT}', whose onnxruntime-node has no binaries for aix-ppc64 (${join(PACKAGE, 'bin', 'napi-v6', 'aix', 'ppc64')} is missing)`,
    );
  });

  it('comes from MODELGATE_ONNXRUNTIME_PATH in an action, and the onnxruntime-path input wins over it', async () => {
    const env = { ...(await offlineRunner()), MODELGATE_ONNXRUNTIME_PATH: join(work, 'image-install') };
    const fromVariable = await inputErrorOf(actionRuntimeLoader('cpu', env)());
    expect(fromVariable.message).toMatch(
      /^MODELGATE_ONNXRUNTIME_PATH is '.*image-install', which holds no onnxruntime-node: /,
    );
    // How the runner hands the action its `onnxruntime-path` input.
    vi.stubEnv('INPUT_ONNXRUNTIME-PATH', join(work, 'from-input'));
    const fromInput = await inputErrorOf(actionRuntimeLoader('cpu', env)());
    expect(fromInput.message).toMatch(
      /^input 'onnxruntime-path' is '.*from-input', which holds no onnxruntime-node: /,
    );
  });

  it("warns with provider 'cuda' when the install has no CUDA provider, says how to give one, and still loads for the CPU fallback", async () => {
    const cuda = search(await offlineRunner(), { given: { path: ROOT, what: INPUT }, provider: 'cuda' });
    const runtime = await onnxRuntimeLoader(cuda)();
    expect(typeof runtime.InferenceSession.create).toBe('function');
    const warnings = cuda.lines.filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: provider 'cuda': the onnxruntime-node in .* has no CUDA provider .* ONNXRUNTIME_NODE_INSTALL=cuda12 .* input 'onnxruntime-path' \(or MODELGATE_ONNXRUNTIME_PATH\); until then scoring falls back to CPU$/,
      ),
    ]);
  });
});
