import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InputError,
  type Logger,
  type OnnxRuntime,
  type Provider,
  type RuntimeLoader,
} from '@modelgate/core';
import type { ActionsCacheApi } from '../train-cache.ts';
import { cacheServiceOffered, restoreRuntime, runtimeCacheEntry, saveRuntime } from './actions-cache.ts';
import { RegistryUnreachable, stageFromRegistry } from './from-registry.ts';
import { type GivenPath, packageInGivenPath } from './given-path.ts';
import { type NpmRegistry, npmRegistryFrom } from './npm-config.ts';
import {
  binaryFolder,
  hasCudaProvider,
  readManifest,
  requireOnnxRuntime,
  type Target,
  THIS_MACHINE,
  targetKey,
} from './package-folder.ts';
import { ONNXRUNTIME_PIN } from './pin.ts';
import { runtimeToolCache } from './tool-cache.ts';

/** What an action scoring a model needs to find onnxruntime-node. */
export interface RuntimeSearch {
  /** The execution provider the step asked for: `cuda` checks that the runtime found has it. */
  readonly provider: Provider;
  /** The `onnxruntime-path` input or `MODELGATE_ONNXRUNTIME_PATH`, when the user gave one. */
  readonly given?: GivenPath;
  /** RUNNER_TOOL_CACHE, RUNNER_TEMP, the npm configuration and the cache service's variables. */
  readonly env: NodeJS.ProcessEnv;
  /** What a relative given path is relative to: the workspace. */
  readonly cwd: string;
  readonly logger: Logger;
  /** @actions/cache, used where the runner offers the cache service; a port, so tests hand in a fake. */
  readonly actionsCache?: ActionsCacheApi;
}

/** Where onnxruntime-node was found. */
export type RuntimeSource = 'path' | 'tool-cache' | 'actions-cache' | 'registry';

/** The onnxruntime-node package folder the search settled on, and how it got there. */
export interface FoundRuntime {
  readonly packageDir: string;
  readonly source: RuntimeSource;
}

// The message every "no runtime" error ends with: what the user sets to give one.
const GIVE_ONE =
  "set input 'onnxruntime-path' (or MODELGATE_ONNXRUNTIME_PATH) to a folder with node_modules/onnxruntime-node in it";

/**
 * The one loader of onnxruntime-node for every action that scores a model, found as setup-node
 * finds Node (DESIGN.md): the path the user gave, else the runner's tool cache, else (where the
 * runner offers the cache service) the Actions cache, else one download of the pinned tarballs
 * from the runner's npm registry, verified against the lockfile's sha512 and kept in the tool
 * cache. No npm runs. The search starts on the first model the step scores, and runs once.
 */
export function onnxRuntimeLoader(search: RuntimeSearch): RuntimeLoader {
  let loaded: Promise<OnnxRuntime> | undefined;
  return () => {
    loaded ??= findOnnxRuntime(search).then((found) => {
      checkProvider(found, search);
      return requireOnnxRuntime(
        found.packageDir,
        found.source === 'path'
          ? `check the install that ${search.given?.what} names`
          : `delete ${found.packageDir} to have it downloaded again, or ${GIVE_ONE}`,
      );
    });
    return loaded;
  };
}

/** Finds (and on a miss downloads and caches) the pinned onnxruntime-node; see {@link onnxRuntimeLoader}. */
export async function findOnnxRuntime(
  search: RuntimeSearch,
  target: Target = THIS_MACHINE,
): Promise<FoundRuntime> {
  const { env, logger } = search;
  const { version } = ONNXRUNTIME_PIN;
  if (search.given !== undefined) {
    const packageDir = packageInGivenPath(search.given, target, search.cwd);
    const found = readManifest(packageDir)?.version;
    logger.info(`onnxruntime-node ${found}: ${packageDir} (${search.given.what})`);
    if (found !== version) {
      logger.warning(
        `${search.given.what} holds onnxruntime-node ${found}, but modelgate is tested with ${version}`,
      );
    }
    return { packageDir, source: 'path' };
  }

  const arch = targetKey(target);
  const toolCache = runtimeToolCache(env, target.platform);
  const inToolCache = (source: RuntimeSource): FoundRuntime | undefined => {
    const folder = toolCache.find(version, arch);
    if (folder === undefined) return undefined;
    logger.info(`onnxruntime-node ${version}: ${folder} (the tool cache)`);
    return { packageDir: join(folder, 'node_modules', 'onnxruntime-node'), source };
  };
  const cached = inToolCache('tool-cache');
  if (cached !== undefined) return cached;

  // Imported here: @actions/cache brings the Azure storage SDK, whose start-up (about 15 ms) every
  // step would pay otherwise, on runners that have no cache service too.
  const service = cacheServiceOffered(env)
    ? (search.actionsCache ?? (await import('@actions/cache')))
    : undefined;
  const entry = runtimeCacheEntry(toolCache.folder(version, arch), version, arch);
  if (service !== undefined && (await restoreRuntime(service, entry, logger))) {
    const restored = inToolCache('actions-cache');
    if (restored !== undefined) return restored;
  }

  const registry = npmRegistryFrom(env);
  logger.info(
    `onnxruntime-node ${version} is not in the tool cache (${toolCache.root}, ${toolCache.source}): downloading it from ${registry.url} (${registry.source})`,
  );
  const staged = await stage(search, target, registry);
  try {
    const folder = await toolCache.add(staged.folder, version, arch).catch((error: unknown) => {
      throw new InputError(
        `could not keep onnxruntime-node ${version} in the tool cache ${toolCache.root}: ${(error as Error)?.message ?? error}`,
        { cause: error, hint: `make it writable (RUNNER_TOOL_CACHE names it on a runner), or ${GIVE_ONE}` },
      );
    });
    logger.info(`onnxruntime-node ${version}: ${folder} (${mb(staged.bytes)} downloaded, verified, cached)`);
    if (service !== undefined) await saveRuntime(service, entry, logger);
    return { packageDir: join(folder, 'node_modules', 'onnxruntime-node'), source: 'registry' };
  } finally {
    await staged.cleanup();
  }
}

async function stage(search: RuntimeSearch, target: Target, registry: NpmRegistry) {
  try {
    return await stageFromRegistry({
      pin: ONNXRUNTIME_PIN,
      registry,
      target,
      tempRoot: search.env.RUNNER_TEMP?.trim() || tmpdir(),
      logger: search.logger,
    });
  } catch (error) {
    if (!(error instanceof RegistryUnreachable)) throw error;
    throw new InputError(
      `onnxruntime-node ${ONNXRUNTIME_PIN.version} is not on this runner and its download failed (${error.message}): ${GIVE_ONE}, or let the runner reach an npm registry`,
      {
        cause: error,
        hint: `the registry comes from npm_config_registry, else the registry= line of NPM_CONFIG_USERCONFIG or ~/.npmrc; here it is ${registry.url} (${registry.source})`,
      },
    );
  }
}

/**
 * `provider: cuda` needs the CUDA provider library beside the binding, which no download here can
 * bring (DESIGN.md). Say how to provide it; creating the session then fails and model loading
 * falls back to CPU, noting it in the record, as it always has.
 */
function checkProvider(found: FoundRuntime, search: RuntimeSearch): void {
  const cuda = hasCudaProvider(found.packageDir, THIS_MACHINE);
  if (search.provider === 'cuda' && !cuda) {
    search.logger.warning(
      `provider 'cuda': the onnxruntime-node in ${found.packageDir} has no CUDA provider (${binaryFolder(found.packageDir, THIS_MACHINE)} holds CPU binaries only; the registry tarball never has it). Install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 in the runner's image and give that folder as input 'onnxruntime-path' (or MODELGATE_ONNXRUNTIME_PATH); until then scoring falls back to CPU`,
    );
  } else if (search.provider === 'auto' && cuda) {
    search.logger.info(
      `the onnxruntime-node in ${found.packageDir} has the CUDA provider: 'provider: cuda' uses it`,
    );
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
