import { readFileSync } from 'node:fs';
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

/** Where and why a workflow run happens, read from the runner's environment. */
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

const DEFAULT_API_URL = 'https://api.github.com';
const DEFAULT_SERVER_URL = 'https://github.com';
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/**
 * Reads the run's context from the variables the Actions runner sets. Takes the environment as a
 * value (not `process.env`) so the CLI and tests hand in their own.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  const repository = required(env, 'GITHUB_REPOSITORY');
  const [owner, repo, ...rest] = repository.split('/');
  if (owner === undefined || repo === undefined || owner === '' || repo === '' || rest.length > 0) {
    throw new InputError(`GITHUB_REPOSITORY is "${repository}"; expected the format {owner}/{repo}`);
  }
  const eventPath = required(env, 'GITHUB_EVENT_PATH');
  const payload = readPayload(eventPath);
  const apiUrl = trimSlash(nonEmpty(env.GITHUB_API_URL) ?? DEFAULT_API_URL);
  const serverUrl = trimSlash(nonEmpty(env.GITHUB_SERVER_URL) ?? DEFAULT_SERVER_URL);
  const runId = nonEmpty(env.GITHUB_RUN_ID);
  const attempt = Number(nonEmpty(env.GITHUB_RUN_ATTEMPT) ?? '1');
  const runUrl =
    runId === undefined
      ? undefined
      : `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${attempt > 1 ? `/attempts/${attempt}` : ''}`;
  const runner = env.RUNNER_ENVIRONMENT;
  const pullRequest = pullRequestOf(eventName, payload, `${owner}/${repo}`, eventPath);
  return {
    eventName,
    owner,
    repo,
    sha: nonEmpty(env.GITHUB_SHA) ?? '',
    ref: nonEmpty(env.GITHUB_REF) ?? '',
    apiUrl,
    serverUrl,
    runUrl,
    runnerEnvironment: runner === 'github-hosted' || runner === 'self-hosted' ? runner : undefined,
    ...(pullRequest === undefined ? {} : { pullRequest }),
  };
}

function readPayload(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`GITHUB_EVENT_PATH names ${path}, which cannot be read`, {
      cause: error,
      hint: 'the runner writes the event payload there; set it to a webhook payload JSON file when running outside GitHub Actions',
    });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new InputError(`GITHUB_EVENT_PATH names ${path}, which is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isObject(payload)) {
    throw new InputError(`GITHUB_EVENT_PATH names ${path}, which holds no JSON object (a webhook payload)`);
  }
  return payload;
}

function pullRequestOf(
  eventName: string,
  payload: Record<string, unknown>,
  baseFullName: string,
  path: string,
): PullRequestContext | undefined {
  if (PULL_REQUEST_EVENTS.has(eventName)) {
    const pr = payload.pull_request;
    const where = `the ${eventName} payload in GITHUB_EVENT_PATH (${path})`;
    if (!isObject(pr)) throw new InputError(`${where} has no pull_request object`);
    const head = isObject(pr.head) ? pr.head : {};
    const base = isObject(pr.base) ? pr.base : {};
    const number = pr.number;
    const headSha = head.sha;
    const baseRef = base.ref;
    if (typeof number !== 'number' || typeof headSha !== 'string' || typeof baseRef !== 'string') {
      throw new InputError(`${where} lacks pull_request.number, .head.sha or .base.ref`);
    }
    const headRepo =
      isObject(head.repo) && typeof head.repo.full_name === 'string' ? head.repo.full_name : null;
    const baseRepo =
      isObject(base.repo) && typeof base.repo.full_name === 'string' ? base.repo.full_name : baseFullName;
    return { number, headSha, headRepoFullName: headRepo, isFork: !sameRepo(headRepo, baseRepo), baseRef };
  }
  // The `workflow_run` pattern: a privileged workflow reports on a PR's run. GitHub lists the
  // PR only when its head is in this repository, so fork PRs need their number passed another way.
  if (eventName === 'workflow_run' && isObject(payload.workflow_run)) {
    const run = payload.workflow_run;
    const pr = Array.isArray(run.pull_requests) ? run.pull_requests[0] : undefined;
    if (!isObject(pr) || typeof pr.number !== 'number') return undefined;
    const baseRef = isObject(pr.base) && typeof pr.base.ref === 'string' ? pr.base.ref : '';
    const headSha = typeof run.head_sha === 'string' ? run.head_sha : '';
    const headRepo =
      isObject(run.head_repository) && typeof run.head_repository.full_name === 'string'
        ? run.head_repository.full_name
        : null;
    return {
      number: pr.number,
      headSha,
      headRepoFullName: headRepo,
      isFork: !sameRepo(headRepo, baseFullName),
      baseRef,
    };
  }
  return undefined;
}

// GitHub compares owner and repository names without regard to case.
function sameRepo(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = nonEmpty(env[name]);
  if (value === undefined) {
    throw new InputError(`${name} is not set; it is one of the variables the GitHub Actions runner sets`, {
      hint: 'run this inside a GitHub Actions job, or set it yourself when testing locally',
    });
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
