/** The GitHub registry backend (`github:OWNER/REPO`). */

export { githubRegistryOpener, lineageFromContext, openActionRegistry } from './access.ts';
export type { Backoff } from './branch-files.ts';
export { createGitHubRegistry, type GitHubRegistryOptions } from './github-registry.ts';
export {
  assetName,
  DEFAULT_PAGE_SIZE,
  DEFAULT_REGISTRY_BRANCH,
  type RegistryIndex,
  type RegistryPage,
  releaseTag,
} from './layout.ts';
