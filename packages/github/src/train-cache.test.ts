import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ActionsCacheApi, actionsCacheStore, cacheStoreFor } from './train-cache.ts';

/** Keeps entries as the cache service does: immutable keys, prefix lookup returning the newest. */
function fakeService() {
  const entries: Array<{ key: string; paths: string[] }> = [];
  const calls: string[] = [];
  const api: ActionsCacheApi = {
    async restoreCache(paths, primaryKey, restoreKeys = []) {
      calls.push(`restore ${paths.join(',')} ${primaryKey} [${restoreKeys.join(',')}]`);
      for (const key of [primaryKey, ...restoreKeys]) {
        const hit = entries.filter((e) => e.key.startsWith(key) && e.paths.join() === paths.join()).at(-1);
        if (hit !== undefined) return hit.key;
      }
      return undefined;
    },
    async saveCache(paths, key) {
      calls.push(`save ${paths.join(',')} ${key}`);
      if (entries.some((e) => e.key === key)) return -1;
      entries.push({ key, paths });
      return entries.length;
    },
  };
  return { api, calls };
}

const WORKSPACE = '/home/runner/work/widgets/widgets';
const PATHS = [
  { path: 'data', absolute: join(WORKSPACE, 'project', 'data') },
  { path: 'checkpoints', absolute: join(WORKSPACE, 'project', 'checkpoints') },
];

describe('actionsCacheStore', () => {
  it('saves each run under its own key and restores the newest, so the last checkpoint carries over', async () => {
    const { api, calls } = fakeService();
    const run1 = actionsCacheStore({ GITHUB_RUN_ID: '100', GITHUB_RUN_ATTEMPT: '1' }, api, WORKSPACE);
    expect(await run1.restore('resnet', PATHS)).toEqual({ kind: 'miss' });
    expect(await run1.save('resnet', PATHS)).toEqual({ kind: 'saved', key: 'resnet-run-100-1' });
    const run2 = actionsCacheStore({ GITHUB_RUN_ID: '101', GITHUB_RUN_ATTEMPT: '1' }, api, WORKSPACE);
    expect(await run2.restore('resnet', PATHS)).toEqual({ kind: 'hit', key: 'resnet-run-100-1' });
    await run2.save('resnet', PATHS);
    expect(await run2.restore('resnet', PATHS)).toEqual({ kind: 'hit', key: 'resnet-run-101-1' });
    // Paths relative to the workspace: the entry's version hashes them, and runners' workspaces differ.
    expect(calls[0]).toBe('restore project/data,project/checkpoints resnet [resnet-run-]');
  });

  it('says the service did not take a save rather than failing', async () => {
    const { api } = fakeService();
    const store = actionsCacheStore({ GITHUB_RUN_ID: '7' }, api, WORKSPACE);
    await store.save('k', PATHS);
    expect(await store.save('k', PATHS)).toMatchObject({ kind: 'skipped' });
  });
});

describe('cacheStoreFor', () => {
  it('uses the Actions cache where the runner offers it to the action, a local directory otherwise', () => {
    expect(
      cacheStoreFor({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results' }).description,
    ).toBe('the GitHub Actions cache');
    expect(cacheStoreFor({}, '/work').description).toBe('the local cache /work/.modelgate/cache');
    expect(cacheStoreFor({ ACTIONS_RUNTIME_TOKEN: 't' }, '/work').description).toBe(
      'the local cache /work/.modelgate/cache',
    );
    expect(cacheStoreFor({ MODELGATE_CACHE_DIR: '/srv/cache' }, '/work').description).toBe(
      'the local cache /srv/cache',
    );
  });
});
