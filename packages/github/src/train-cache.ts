import { relative } from 'node:path';
import * as actionsCache from '@actions/cache';
import { type CachePath, type CacheStore, localCacheStore } from '@modelgate/core';

/** The part of @actions/cache this store uses; tests hand in a fake with the same contract. */
export interface ActionsCacheApi {
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/**
 * The GitHub Actions cache. Its entries cannot be overwritten, so each run saves under
 * `KEY-run-RUNID-ATTEMPT` and a restore takes the newest entry whose key starts with `KEY-run-`:
 * the last checkpoint of the last run, cancelled runs included, reaches the next one. Paths go
 * to the service relative to the workspace, because the cache's version is a hash of the path
 * strings and absolute paths differ between runners.
 */
export function actionsCacheStore(
  env: NodeJS.ProcessEnv,
  api: ActionsCacheApi = actionsCache,
  workspace = process.cwd(),
): CacheStore {
  const asGiven = (paths: readonly CachePath[]) => paths.map((p) => relative(workspace, p.absolute) || '.');
  const runKey = (key: string) => `${key}-run-${env.GITHUB_RUN_ID ?? '0'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  return {
    description: 'the GitHub Actions cache',
    async restore(key, paths) {
      const hit = await api.restoreCache(asGiven(paths), key, [`${key}-run-`]);
      return hit === undefined ? { kind: 'miss' } : { kind: 'hit', key: hit };
    },
    async save(key, paths) {
      const saved = runKey(key);
      // The same path list as the restore: the entry's version depends on it.
      const id = await api.saveCache(asGiven(paths), saved);
      return id === -1
        ? { kind: 'skipped', reason: 'the cache service did not take it (its warning above says why)' }
        : { kind: 'saved', key: saved };
    },
  };
}

/**
 * The Actions cache where the runner offers one to this action (node actions get
 * ACTIONS_RUNTIME_TOKEN and the service URL), else the local directory cache `modelgate train`
 * uses.
 */
export function cacheStoreFor(env: NodeJS.ProcessEnv, cwd = process.cwd()): CacheStore {
  const service = nonEmpty(env.ACTIONS_RESULTS_URL) ?? nonEmpty(env.ACTIONS_CACHE_URL);
  if (nonEmpty(env.ACTIONS_RUNTIME_TOKEN) !== undefined && service !== undefined)
    return actionsCacheStore(env);
  return localCacheStore(env, cwd);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
