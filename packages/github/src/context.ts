import { existsSync } from 'node:fs';
import { context as runnerContext } from '@actions/github';
import { InputError } from '@modelgate/core';

/** The pull request a run is about, as far as the event payload tells. */
export interface PullRequestContext {
  number: number;
  /** The PR head commit (GITHUB_SHA is the test merge commit on `pull_request` events). */
  headSha: string;
  /** `owner/repo` of the head branch; null when the fork it came from was deleted. */
  headRepoFullName: string | null;
  /**
   * The head lives in another repository than the base, so `pull_request` runs get a
   * read-only token and no secrets.
   */
  isFork: boolean;
  /** The branch the PR merges into. */
  baseRef: string;
}

/**
 * Where and why a workflow run happens: `@actions/github`'s {@link Context}, reduced to the fields
 * modelgate uses, plus what it derives from them (the run's link, the pull request, fork or not).
 */
export interface GitHubContext {
  eventName: string;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  /** The REST API root, `GITHUB_API_URL` (GHES: `https://HOST/api/v3`). */
  apiUrl: string;
  /** The web root, `GITHUB_SERVER_URL`. */
  serverUrl: string;
  /** The link to this run's page (with its attempt when re-run), when GITHUB_RUN_ID is set. */
  runUrl: string | undefined;
  runnerEnvironment: 'github-hosted' | 'self-hosted' | undefined;
  /** Set on `pull_request` and `pull_request_target` runs, and on `workflow_run` runs that name one PR. */
  pullRequest?: PullRequestContext;
}

/** `@actions/github`'s Context class: the package exports it only as the type of its `context`. */
type Context = typeof runnerContext;
const Context = runnerContext.constructor as new () => Context;

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const NOT_SET = (name: string) =>
  `${name} is not set; it is one of the variables the GitHub Actions runner sets`;
const RUN_IN_ACTIONS = 'run this inside a GitHub Actions job, or set it yourself when testing locally';
const EVENT_FILE_HINT =
  'the runner writes the event payload there; set it to a webhook payload JSON file when running outside GitHub Actions';

/**
 * Reads the run's context from the variables the Actions runner sets, through `@actions/github`'s
 * `Context`. Takes the environment as a value (not `process.env`) so the CLI and tests hand
 * in their own.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  // Context reads an unset or missing GITHUB_EVENT_PATH as an empty payload, which would make a
  // pull_request run look like a run without a PR: both are the runner's to set, so say so.
  const eventPath = required(env, 'GITHUB_EVENT_PATH');
  if (!existsSync(eventPath)) {
    throw new InputError(`GITHUB_EVENT_PATH names ${eventPath}, which cannot be read`, {
      hint: EVENT_FILE_HINT,
    });
  }
  const { context, owner, repo } = actionsContext(env, eventPath);
  const serverUrl = trimSlash(context.serverUrl);
  const runUrl = Number.isSafeInteger(context.runId)
    ? `${serverUrl}/${owner}/${repo}/actions/runs/${context.runId}${context.runAttempt > 1 ? `/attempts/${context.runAttempt}` : ''}`
    : undefined;
  const runner = env.RUNNER_ENVIRONMENT;
  const pullRequest = pullRequestOf(eventName, context.payload, `${owner}/${repo}`, eventPath);
  return {
    eventName,
    owner,
    repo,
    sha: context.sha ?? '',
    ref: context.ref ?? '',
    apiUrl: trimSlash(context.apiUrl),
    serverUrl,
    runUrl,
    runnerEnvironment: runner === 'github-hosted' || runner === 'self-hosted' ? runner : undefined,
    ...(pullRequest === undefined ? {} : { pullRequest }),
  };
}

/**
 * `new Context()` from this environment, with the repository it names. Context reads only
 * `process.env` (its `repo` getter too, each time), so `env` stands in for it while they are read:
 * synchronously, so no other code sees the swap.
 */
function actionsContext(
  env: NodeJS.ProcessEnv,
  eventPath: string,
): { context: Context; owner: string; repo: string } {
  const saved = process.env;
  process.env = env;
  try {
    let context: Context;
    try {
      context = new Context();
    } catch (error) {
      const which = error instanceof SyntaxError ? `is not JSON: ${error.message}` : 'cannot be read';
      throw new InputError(`GITHUB_EVENT_PATH names ${eventPath}, which ${which}`, {
        cause: error,
        hint: EVENT_FILE_HINT,
      });
    }
    if (typeof context.payload !== 'object' || context.payload === null || Array.isArray(context.payload)) {
      throw new InputError(
        `GITHUB_EVENT_PATH names ${eventPath}, which holds no JSON object (a webhook payload)`,
      );
    }
    let named: { owner: string; repo: string };
    try {
      named = context.repo;
    } catch (error) {
      throw new InputError(`${NOT_SET('GITHUB_REPOSITORY')}, and the payload names no repository`, {
        cause: error,
        hint: RUN_IN_ACTIONS,
      });
    }
    const { owner, repo } = named;
    // Context splits `a/b/c` into `a` and `b` and `name` into `name` and undefined; neither is a repository.
    const repository = env.GITHUB_REPOSITORY;
    if (!owner || !repo || (repository !== undefined && repository !== `${owner}/${repo}`)) {
      throw new InputError(`GITHUB_REPOSITORY is "${repository}"; expected the format {owner}/{repo}`);
    }
    return { context, owner, repo };
  } finally {
    process.env = saved;
  }
}

function pullRequestOf(
  eventName: string,
  payload: Context['payload'],
  baseFullName: string,
  path: string,
): PullRequestContext | undefined {
  if (PULL_REQUEST_EVENTS.has(eventName)) {
    const pr = payload.pull_request;
    const where = `the ${eventName} payload in GITHUB_EVENT_PATH (${path})`;
    if (!isObject(pr)) throw new InputError(`${where} has no pull_request object`);
    const headSha = pr.head?.sha;
    const baseRef = pr.base?.ref;
    if (typeof pr.number !== 'number' || typeof headSha !== 'string' || typeof baseRef !== 'string') {
      throw new InputError(`${where} lacks pull_request.number, .head.sha or .base.ref`);
    }
    const headRepo = fullName(pr.head.repo);
    const baseRepo = fullName(pr.base.repo) ?? baseFullName;
    return {
      number: pr.number,
      headSha,
      headRepoFullName: headRepo,
      isFork: !sameRepo(headRepo, baseRepo),
      baseRef,
    };
  }
  // The `workflow_run` pattern: a privileged workflow reports on a PR's run. GitHub lists the
  // PR only when its head is in this repository, so fork PRs need their number passed another way.
  const run = payload.workflow_run;
  if (eventName === 'workflow_run' && isObject(run)) {
    const pr = Array.isArray(run.pull_requests) ? run.pull_requests[0] : undefined;
    if (!isObject(pr) || typeof pr.number !== 'number') return undefined;
    const headRepo = fullName(run.head_repository);
    return {
      number: pr.number,
      headSha: typeof run.head_sha === 'string' ? run.head_sha : '',
      headRepoFullName: headRepo,
      isFork: !sameRepo(headRepo, baseFullName),
      baseRef: typeof pr.base?.ref === 'string' ? pr.base.ref : '',
    };
  }
  return undefined;
}

/** A payload repository's `owner/name`; null for a missing one (a deleted fork). */
function fullName(repository: unknown): string | null {
  return isObject(repository) && typeof repository.full_name === 'string' ? repository.full_name : null;
}

// GitHub compares owner and repository names without regard to case.
function sameRepo(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new InputError(NOT_SET(name), { hint: RUN_IN_ACTIONS });
  }
  return value;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are typed `any` by @actions/github
function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
