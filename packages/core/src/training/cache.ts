import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256 } from '../kernel/fs.ts';

/** A cached path: as the user wrote it (its identity in the cache) and where it is now. */
export interface CachePath {
  readonly path: string;
  readonly absolute: string;
}

export type CacheRestore = { kind: 'hit'; key: string } | { kind: 'miss' };
export type CacheSave = { kind: 'saved'; key: string } | { kind: 'skipped'; reason: string };

/**
 * Where datasets and checkpoints survive between runs: the GitHub Actions cache on a runner, a
 * local directory otherwise. `save` keeps the latest state under `key`, and `restore` brings back
 * the latest state saved under it, so a cancelled run's last checkpoint reaches the next run.
 */
export interface CacheStore {
  /** For the log: "the GitHub Actions cache", "the local cache .modelgate/cache". */
  readonly description: string;
  restore(key: string, paths: readonly CachePath[]): Promise<CacheRestore>;
  save(key: string, paths: readonly CachePath[]): Promise<CacheSave>;
}

/** Where `modelgate train` keeps its cache when no Actions cache service is at hand. */
export const DEFAULT_LOCAL_CACHE_DIR = '.modelgate/cache';

interface Manifest {
  key: string;
  saved_at: string;
  entries: Array<{ path: string; entry: string }>;
}

/**
 * A cache in a local directory: one folder per key, replaced whole on each save (written aside,
 * then renamed in), holding a copy of each path and a manifest. Paths are plain files or
 * folders; globs are for the Actions cache only.
 */
export function directoryCache(root: string): CacheStore {
  const folderOf = (key: string) =>
    join(
      root,
      `${key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${sha256(Buffer.from(key)).slice(0, 12)}`,
    );
  return {
    description: `the local cache ${root}`,
    async restore(key, paths) {
      const folder = folderOf(key);
      let manifest: Manifest;
      try {
        manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as Manifest;
      } catch {
        return { kind: 'miss' };
      }
      let restored = 0;
      for (const { path, absolute } of paths) {
        const entry = manifest.entries.find((e) => e.path === path);
        if (entry === undefined) continue;
        await cp(join(folder, entry.entry), absolute, {
          recursive: true,
          force: true,
          preserveTimestamps: true,
        });
        restored++;
      }
      return restored === 0 ? { kind: 'miss' } : { kind: 'hit', key };
    },
    async save(key, paths) {
      const present = paths.filter((p) => existsSync(p.absolute));
      if (present.length === 0) return { kind: 'skipped', reason: 'none of the cache paths exists' };
      await mkdir(root, { recursive: true });
      const folder = folderOf(key);
      const temporary = `${folder}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(temporary);
        const entries = present.map((p, i) => ({ path: p.path, entry: String(i) }));
        for (const [i, p] of present.entries()) {
          await cp(p.absolute, join(temporary, String(i)), { recursive: true, preserveTimestamps: true });
        }
        const manifest: Manifest = { key, saved_at: new Date().toISOString(), entries };
        await writeFile(join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
        await rm(folder, { recursive: true, force: true });
        await rename(temporary, folder);
      } finally {
        await rm(temporary, { recursive: true, force: true });
      }
      return { kind: 'saved', key };
    },
  };
}

/**
 * The cache where no Actions cache service is at hand (`modelgate train`, a self-hosted runner
 * without it): the directory `MODELGATE_CACHE_DIR`, or `.modelgate/cache`, from `cwd`. On a
 * self-hosted runner it survives between jobs on that machine.
 */
export function localCacheStore(env: NodeJS.ProcessEnv, cwd: string): CacheStore {
  const named = env.MODELGATE_CACHE_DIR?.trim();
  return directoryCache(resolve(cwd, named === undefined || named === '' ? DEFAULT_LOCAL_CACHE_DIR : named));
}
