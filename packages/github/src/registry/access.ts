import {
  InputError,
  type Lineage,
  type Logger,
  openRegistry,
  type Registry,
  type RegistryChoice,
} from '@modelgate/core';
import { optionalInput } from '../action.ts';
import type { GitHubContext } from '../context.ts';
import { createGitHubClient } from '../octokit.ts';
import { createGitHubRegistry } from './github-registry.ts';

/** What a run tells about where a version came from (commit, ref, run, PR): the lineage port of the actions. */
export function lineageFromContext(context: GitHubContext): Partial<Lineage> {
  return {
    commit: context.sha === '' ? null : context.sha,
    ref: context.ref === '' ? null : context.ref,
    run_url: context.runUrl ?? null,
    pr: context.pullRequest?.number ?? null,
  };
}

/**
 * Opens `github:OWNER/REPO` registries for openRegistry, with the token of the caller: the
 * action's `github-token` input, or GITHUB_TOKEN / GH_TOKEN in the CLI.
 */
export function githubRegistryOpener(options: {
  token: string | undefined;
  apiUrl: string;
  logger: Logger;
}): (owner: string, repo: string) => Registry {
  return (owner, repo) => {
    if (options.token === undefined || options.token === '') {
      throw new InputError(`the registry github:${owner}/${repo} needs a GitHub token`, {
        hint: 'set GITHUB_TOKEN (or GH_TOKEN) to a token that can write contents and releases of that repository',
      });
    }
    const client = createGitHubClient({
      token: options.token,
      baseUrl: options.apiUrl,
      logger: options.logger,
    });
    return createGitHubRegistry({ owner, repo, client, logger: options.logger });
  };
}

/**
 * The registry an action's settings name, opened with the `github-token` input. A folder
 * registry on a GitHub-hosted runner is wiped with the runner, so the step says so.
 */
export function openActionRegistry(choice: RegistryChoice, context: GitHubContext, logger: Logger): Registry {
  const token = optionalInput('github-token');
  const registry = openRegistry(choice.spec, {
    cwd: process.cwd(),
    what: choice.what,
    github: githubRegistryOpener({ token, apiUrl: context.apiUrl, logger }),
  });
  if (choice.spec.startsWith('fs:') && context.runnerEnvironment === 'github-hosted') {
    logger.warning(
      `the registry ${choice.spec} is a folder on this runner, and a GitHub-hosted runner's disk is wiped when the job ends; use 'registry: github:${context.owner}/${context.repo}' to keep versions across runs`,
    );
  }
  return registry;
}
