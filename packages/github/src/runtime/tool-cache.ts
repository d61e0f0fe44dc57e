import { homedir } from 'node:os';
import { join } from 'node:path';
import * as toolCache from '@actions/tool-cache';

/** The tool's folder name in the runner's tool cache, beside `node`, `Python`, `go`. */
export const TOOL_NAME = 'modelgate-onnxruntime';

/** The runner's tool cache, as @actions/tool-cache lays it out: `<root>/<tool>/<version>/<arch>`. */
export interface RuntimeToolCache {
  readonly root: string;
  /** Why this root: `RUNNER_TOOL_CACHE`, or the local default when no runner set it. */
  readonly source: string;
  /** The folder an entry lives in, whether or not it is there yet. */
  folder(version: string, arch: string): string;
  /** The entry's folder when it is complete (tool-cache writes `<arch>.complete` last), else undefined. */
  find(version: string, arch: string): string | undefined;
  /** Copies a laid-out folder in as the entry, marks it complete, and returns where it went. */
  add(folder: string, version: string, arch: string): Promise<string>;
}

/**
 * The tool cache of this runner: `RUNNER_TOOL_CACHE` on a runner (where setup-node keeps Node), or,
 * on a machine that is not a runner, a folder under the user's cache directory, so a local run
 * downloads once too.
 */
export function runtimeToolCache(
  env: NodeJS.ProcessEnv,
  platform: string = process.platform,
): RuntimeToolCache {
  const given = env.RUNNER_TOOL_CACHE?.trim();
  const root = given ? given : defaultToolCacheRoot(env, platform);
  const source = given ? 'RUNNER_TOOL_CACHE' : 'RUNNER_TOOL_CACHE is not set, so the local default';
  return {
    root,
    source,
    folder: (version, arch) => join(root, TOOL_NAME, version, arch),
    find: (version, arch) => atRoot(root, () => toolCache.find(TOOL_NAME, version, arch)) || undefined,
    add: (folder, version, arch) => atRoot(root, () => toolCache.cacheDir(folder, TOOL_NAME, version, arch)),
  };
}

/**
 * Where a machine that is not a runner keeps the tool cache: the platform's per-user cache folder
 * (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
 * Windows), then `modelgate/tool-cache`.
 */
export function defaultToolCacheRoot(env: NodeJS.ProcessEnv, platform: string = process.platform): string {
  const home = env.HOME || env.USERPROFILE || homedir();
  const base =
    platform === 'win32'
      ? env.LOCALAPPDATA || join(home, 'AppData', 'Local')
      : platform === 'darwin'
        ? join(home, 'Library', 'Caches')
        : env.XDG_CACHE_HOME || join(home, '.cache');
  return join(base, 'modelgate', 'tool-cache');
}

/**
 * Runs a tool-cache call against `root`. @actions/tool-cache reads its root from
 * process.env.RUNNER_TOOL_CACHE on every call and offers no parameter for it; on a runner this sets
 * the value it already has, and off a runner it lends the local default for the one call.
 */
function atRoot<T>(root: string, call: () => T): T {
  const before = process.env.RUNNER_TOOL_CACHE;
  const restore = () => {
    if (before === undefined) delete process.env.RUNNER_TOOL_CACHE;
    else process.env.RUNNER_TOOL_CACHE = before;
  };
  process.env.RUNNER_TOOL_CACHE = root;
  let result: T;
  try {
    result = call();
  } catch (error) {
    restore();
    throw error;
  }
  // cacheDir reads the root again after its first await: keep it lent until the promise settles.
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
