import {
  cliOption,
  gitLineage,
  type LineageSource,
  type Logger,
  type ModelgateConfig,
  openRegistry,
  parseRegistrySpec,
  type Registry,
  type RegistryChoice,
  readConfigFile,
  registryChoice,
} from '@modelgate/core';
import type { Io } from './io.ts';

/** The registry a command uses: --registry, else the config's `registry:`, else the default. */
export async function cliRegistry(
  io: Io,
  flags: { registry?: string | undefined; config?: string | undefined },
): Promise<{ registry: Registry; config: ModelgateConfig; configPath: string }> {
  const file = await readConfigFile(flags.config, io.cwd, cliOption);
  const registry = await openCliRegistry(registryChoice(flags.registry, file, cliOption), io);
  return { registry, config: file.config, configPath: file.path };
}

/**
 * Opens a registry with the CLI's GitHub access (GITHUB_TOKEN / GH_TOKEN, GITHUB_API_URL). The
 * GitHub code (Octokit and the actions toolkit) loads only for a `github:` registry, so the
 * other commands start without it.
 */
export async function openCliRegistry(choice: RegistryChoice, io: Io): Promise<Registry> {
  const { spec, what } = choice;
  const github =
    parseRegistrySpec(spec, what).backend === 'github'
      ? (await import('@modelgate/github')).githubRegistryOpener({
          token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN || undefined,
          apiUrl: io.env.GITHUB_API_URL || 'https://api.github.com',
          logger: cliLogger(io),
        })
      : undefined;
  return openRegistry(spec, { cwd: io.cwd, what, ...(github === undefined ? {} : { github }) });
}

/** Progress stays quiet (stdout may be JSON); warnings go to stderr. */
export function cliLogger(io: Io): Logger {
  return { info: () => {}, warning: (message) => io.stderr(`warning: ${message}\n`) };
}

/**
 * Where a version registered from the command line comes from: the GitHub Actions run when the
 * CLI runs in one, else the commit and ref git reports for the working directory.
 */
export function environmentLineage(io: Io): LineageSource {
  const { env } = io;
  if (
    env.GITHUB_ACTIONS === 'true' &&
    env.GITHUB_EVENT_NAME &&
    env.GITHUB_REPOSITORY &&
    env.GITHUB_EVENT_PATH
  ) {
    return async () => {
      // Loaded only here: registering outside GitHub Actions needs none of the GitHub code.
      const { lineageFromContext, readGitHubContext } = await import('@modelgate/github');
      return lineageFromContext(readGitHubContext(env));
    };
  }
  return gitLineage(io.cwd);
}
