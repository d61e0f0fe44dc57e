import type { Logger } from '@modelgate/core';
import type { ActionsCacheApi } from '../train-cache.ts';
import { TOOL_NAME } from './tool-cache.ts';

/**
 * The Actions cache entry of one tool-cache entry. A hosted runner starts with an empty tool cache,
 * so it restores the laid-out folder from here instead of downloading 108 MB from the registry.
 */
export interface RuntimeCacheEntry {
  readonly key: string;
  /** The tool-cache folder and its `.complete` marker, so a restore is a complete entry to `find`. */
  readonly paths: string[];
}

/** The entry for a tool-cache folder: keyed by version and target, as setup-node keys Node. */
export function runtimeCacheEntry(folder: string, version: string, arch: string): RuntimeCacheEntry {
  return { key: `${TOOL_NAME}-${version}-${arch}`, paths: [folder, `${folder}.complete`] };
}

/** Whether the runner offers this action the cache service (node actions get its token and URL). */
export function cacheServiceOffered(env: NodeJS.ProcessEnv): boolean {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  return set('ACTIONS_RUNTIME_TOKEN') && (set('ACTIONS_RESULTS_URL') || set('ACTIONS_CACHE_URL'));
}

/**
 * Restores the entry into the tool cache; true on a hit. The cache only saves a download, so a
 * service that fails is a warning and the loader downloads instead.
 */
export async function restoreRuntime(
  api: ActionsCacheApi,
  entry: RuntimeCacheEntry,
  logger: Logger,
): Promise<boolean> {
  try {
    return (await api.restoreCache([...entry.paths], entry.key)) !== undefined;
  } catch (error) {
    logger.warning(`could not restore ${entry.key} from the Actions cache: ${messageOf(error)}`);
    return false;
  }
}

/**
 * Saves the entry for the next job. Entries cannot be overwritten, so a parallel job that saved it
 * first makes this fail: that, like any other failure, is only a warning.
 */
export async function saveRuntime(
  api: ActionsCacheApi,
  entry: RuntimeCacheEntry,
  logger: Logger,
): Promise<void> {
  try {
    const id = await api.saveCache([...entry.paths], entry.key);
    if (id !== -1) logger.info(`saved ${entry.key} to the Actions cache for the next job`);
  } catch (error) {
    logger.warning(`could not save ${entry.key} to the Actions cache: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
