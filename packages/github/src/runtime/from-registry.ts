import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { extractTar } from '@actions/tool-cache';
import { InputError, type Logger } from '@modelgate/core';
import { downloadVerified } from './download.ts';
import { type NpmRegistry, tarballUrl } from './npm-config.ts';
import { hasBinding, type Target, targetKey } from './package-folder.ts';
import type { OnnxRuntimePin, PinnedPackage } from './pin.ts';

/** A laid-out `node_modules` in a temporary folder, ready for the tool cache. */
export interface StagedRuntime {
  /** The folder that holds `node_modules/onnxruntime-node` and `node_modules/onnxruntime-common`. */
  readonly folder: string;
  /** Bytes downloaded, over every tarball. */
  readonly bytes: number;
  /** Deletes the temporary folder. */
  cleanup(): Promise<void>;
}

/**
 * Why nothing could be downloaded: the loader turns this into the error that tells the user how to
 * give a runtime instead. A tarball with the wrong digest is not this: it is refused outright.
 */
export class RegistryUnreachable extends Error {
  override readonly name = 'RegistryUnreachable';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
  }
}

/**
 * Downloads the pinned tarballs from the registry, checks each against the lockfile's sha512,
 * extracts them, and lays out `node_modules/<name>` for each with only this machine's binaries
 * (onnxruntime-node ships every platform's: 288 MB unpacked, 45 MB of it for linux-x64). On any
 * failure the temporary folder is gone, so nothing unverified can reach the tool cache.
 */
export async function stageFromRegistry(options: {
  readonly pin: OnnxRuntimePin;
  readonly registry: NpmRegistry;
  readonly target: Target;
  readonly tempRoot: string;
  readonly logger: Logger;
}): Promise<StagedRuntime> {
  const { pin, registry, target, logger } = options;
  await mkdir(options.tempRoot, { recursive: true });
  const staging = await mkdtemp(join(options.tempRoot, 'modelgate-onnxruntime-'));
  const cleanup = () => rm(staging, { recursive: true, force: true });
  try {
    // Every tarball is verified before any is unpacked: tar never reads a byte the lockfile did not pin.
    let bytes = 0;
    const tarballs: Array<{ name: string; file: string }> = [];
    for (const pkg of pin.packages) {
      const url = tarballUrl(registry, pkg.name, pkg.version);
      logger.info(`downloading ${url}`);
      const file = join(staging, `${pkg.name}-${pkg.version}.tgz`);
      bytes += await download(url, file, pkg, registry);
      tarballs.push({ name: pkg.name, file });
    }
    for (const { name, file } of tarballs) {
      await unpack(file, join(staging, 'unpacked', name), join(staging, 'layout', 'node_modules', name));
    }
    const packageDir = join(staging, 'layout', 'node_modules', 'onnxruntime-node');
    await keepOnlyTarget(packageDir, target);
    if (!hasBinding(packageDir, target)) {
      throw new InputError(`onnxruntime-node ${pin.version} has no binaries for ${targetKey(target)}`, {
        hint: "install a build for this machine yourself and give its folder as input 'onnxruntime-path' (or MODELGATE_ONNXRUNTIME_PATH)",
      });
    }
    await rm(join(staging, 'unpacked'), { recursive: true, force: true });
    return { folder: join(staging, 'layout'), bytes, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function download(
  url: string,
  file: string,
  pkg: PinnedPackage,
  registry: NpmRegistry,
): Promise<number> {
  const outcome = await downloadVerified(url, file, pkg.integrity, registry.authTokenFor(url));
  switch (outcome.kind) {
    case 'verified':
      return outcome.bytes;
    case 'unreachable':
      throw new RegistryUnreachable(url, outcome.reason);
    case 'mismatch':
      // One line: the URL and both digests are all a user needs to see whom to ask.
      throw new InputError(
        `refused ${url}: its sha512 is ${outcome.actual}, but package-lock.json pins ${pkg.name}@${pkg.version} to ${pkg.integrity}; nothing was cached`,
      );
  }
}

/** Extracts an npm tarball and moves its one top folder (`package/`) to where the layout wants it. */
async function unpack(tarball: string, into: string, to: string): Promise<void> {
  await extractTar(tarball, into);
  await rm(tarball);
  const top = await readdir(into);
  if (top.length !== 1)
    throw new Error(`${tarball} has ${top.length} top-level entries; an npm tarball has one`);
  await mkdir(join(to, '..'), { recursive: true });
  await rename(join(into, top[0] as string), to);
}

/** Deletes every other platform's and architecture's binaries. */
async function keepOnlyTarget(packageDir: string, target: Target): Promise<void> {
  const platforms = join(packageDir, 'bin', 'napi-v6');
  const present = await readdir(platforms).catch(() => [] as string[]);
  for (const platform of present) {
    if (platform !== target.platform) {
      await rm(join(platforms, platform), { recursive: true, force: true });
      continue;
    }
    for (const arch of await readdir(join(platforms, platform))) {
      if (arch !== target.arch) await rm(join(platforms, platform, arch), { recursive: true, force: true });
    }
  }
}
