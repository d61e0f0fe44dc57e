/**
 * The GitHub REST API emulator for tests. Start one per test file (or per test):
 *
 *   const gh = await startEmulator();
 *   const token = gh.token('write');          // or 'read-only', as a fork PR's token
 *   gh.addPullRequest({ repo: 'octo/models', number: 7 });
 *   // … point Octokit (baseUrl) or a built action (GITHUB_API_URL) at gh.url …
 *   expect(gh.callsTo('POST', /\/comments$/)).toHaveLength(1);
 *   await gh.close();
 */
export {
  type EmulatorOptions,
  type Fault,
  GitHubEmulator,
  type PullRequestSeed,
  type RateLimitFault,
  type RecordedCall,
  startEmulator,
} from './emulator.ts';
export { ApiError, type Reply, type Route, type RouteContext } from './router.ts';
export type {
  ContentFile,
  FileCommit,
  GitRef,
  IssueComment,
  PullRequest,
  Release,
  ReleaseAsset,
  Repository,
  SimpleUser,
} from './shapes.ts';
export { webhookExample } from './webhooks.ts';
