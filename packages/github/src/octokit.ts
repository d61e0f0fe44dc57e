import { getOctokitOptions, defaults as runnerDefaults } from '@actions/github/lib/utils';
import { InputError, type Logger } from '@modelgate/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

/** `@octokit/rest` (the typed `rest.*` endpoint methods and `paginate`) with retries and throttling. */
export const ModelgateOctokit = Octokit.plugin(retry, throttling);

/** The Octokit every modelgate step talks to GitHub with. */
export type GitHubClient = InstanceType<typeof ModelgateOctokit>;

/** What {@link createGitHubClient} needs. The caller picks `baseUrl` (from `GITHUB_API_URL` in an action). */
export interface GitHubClientOptions {
  /** The token; it goes into the Authorization header and nowhere else (never into a log). */
  token: string;
  /** The REST API root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  baseUrl: string;
  /** Where retries and rate-limit waits are reported. */
  logger: Logger;
  /** Put in front of Octokit's own user agent, e.g. `modelgate-compare-to-baseline/0.1.0`. */
  userAgent?: string;
  /** How many times a 5xx or a network failure is retried, with a growing pause. Default 3. */
  retries?: number;
  /**
   * Milliseconds per second of every wait: retry backoff (1 s, 4 s, 9 s …) and rate-limit waits.
   * 1000 on GitHub; tests pass 1 so that "retry after 60 s" takes 60 ms.
   */
  msPerSecond?: number;
  /**
   * The longest rate-limit wait worth taking, in seconds (default 60). A step should not idle
   * for an hour until a primary limit resets: past this it fails with {@link GitHubRateLimitError}.
   */
  maxRateLimitWaitSeconds?: number;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS = 60;
// The retry plugin's own list, plus 429: a rate limit is the throttling plugin's to handle
// (it honours retry-after and the reset time), and retrying it blindly only burns the limit.
// Plus 503, which is retried by {@link honourRetryAfter} instead: the plugin backs off 1, 4, 9 s
// whatever the answer's Retry-After says.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451, 503];

// Each client gets its own throttling queues; with the plugin's shared default id, unrelated
// clients in one process (the CLI, tests) would wait on each other's writes.
let clientCount = 0;

/**
 * `@octokit/rest`'s Octokit with retries of transient failures (5xx, network) and GitHub's rate
 * limits handled: a rate limit (primary or secondary) is waited out once when the wait is short,
 * and otherwise ends the request with a {@link GitHubRateLimitError} that says when to retry.
 *
 * Requests go through the proxy the runner is configured with (`https_proxy`, `no_proxy`), as
 * `@actions/github` decides it for `GITHUB_API_URL` when it loads, which in an action is the
 * `baseUrl` given here.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const msPerSecond = options.msPerSecond ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS;
  const { logger } = options;

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const what = `${request.method} ${request.url}`;
      if (retryCount === 0 && retryAfter <= maxWait) {
        logger.warning(`GitHub's ${kind} stopped ${what}; retrying once in ${retryAfter} s`);
        return true;
      }
      return false;
    };

  // @actions/github's options: the token's Authorization header, the user agent with the run's
  // orchestration id, and the runner's proxy (https_proxy, no_proxy) for its fetch.
  const client = new ModelgateOctokit(
    getOctokitOptions(options.token, {
      request: runnerDefaults.request,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      // Octokit's debug output includes the request options, headers and token among them:
      // it goes nowhere. Failed requests are reported by the callers, with context.
      log: {
        debug: () => {},
        // @octokit/rest's request-log plugin reports every request at info ("GET /repos/… - 200
        // in 12ms") and every failed one at error, the registry's expected 404s among them: too
        // much for a step's log, and each caller reports the failures that matter, with context.
        info: () => {},
        warn: (message: string) => logger.warning(message),
        error: () => {},
      },
      retry: {
        retries: options.retries ?? DEFAULT_RETRIES,
        retryAfterBaseValue: msPerSecond,
        doNotRetry: DO_NOT_RETRY,
      },
      throttle: {
        id: `modelgate-${++clientCount}`,
        retryAfterBaseValue: msPerSecond,
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    }),
  );

  // Outside the plugins: it sees what they gave up on or left alone (see honourRetryAfter).
  client.hook.wrap('request', (request, requestOptions) =>
    honourRetryAfter(async () => request(requestOptions), {
      retries:
        (requestOptions.request as { retries?: number } | undefined)?.retries ??
        options.retries ??
        DEFAULT_RETRIES,
      msPerSecond,
      maxWait,
      logger,
    }),
  );
  // Registered after the plugins, so it sees the error they finally gave up on.
  client.hook.error('request', (error) => {
    throw rateLimitError(error, maxWait) ?? error;
  });
  return client;
}

/**
 * Retries a 503 or a 429 as long as its `Retry-After` says (seconds or an HTTP date), which the
 * plugins do not: the retry plugin backs off on its own schedule, and the throttling plugin acts
 * only on GitHub's own rate-limit signals (`x-ratelimit-remaining: 0`, a "secondary rate limit"
 * message), not on a proxy's or load balancer's bare 429. A 503 without the header backs off as
 * the retry plugin would (1, 4, 9 s); a 429 is retried once, like a rate limit.
 */
async function honourRetryAfter<T>(
  send: () => Promise<T>,
  policy: { retries: number; msPerSecond: number; maxWait: number; logger: Logger },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isHttpError(error) || (error.status !== 503 && error.status !== 429)) throw error;
      const headers = error.response?.headers ?? {};
      // GitHub's own rate limits: the throttling plugin has waited them out, or decided not to.
      if (
        error.status === 429 &&
        (String(headers['x-ratelimit-remaining']) === '0' || /secondary rate/i.test(error.message))
      )
        throw error;
      const advised = retryAfterSeconds(headers['retry-after']);
      if (error.status === 429 && (advised === undefined || attempt >= Math.min(1, policy.retries)))
        throw error;
      if (attempt >= policy.retries) throw error;
      const wait = advised ?? (attempt + 1) ** 2;
      if (wait > policy.maxWait) throw error;
      const what = `${error.request.method} ${pathOf(error.request.url)}`;
      policy.logger.warning(
        `GitHub answered ${error.status} to ${what}${advised === undefined ? '' : ` with Retry-After ${advised} s`}; retrying in ${wait} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait * policy.msPerSecond));
    }
  }
}

/** A Retry-After header in seconds: a number of seconds, or an HTTP date; undefined when absent or unreadable. */
function retryAfterSeconds(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds) : undefined;
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * GitHub refused a request for a rate limit that modelgate would not wait out. The user can act on
 * it (re-run later, or spread the workflows' API calls), so it is an {@link InputError}, not a bug.
 */
export class GitHubRateLimitError extends InputError {
  /** The HTTP status: 403 or 429. */
  readonly status: number;
  /** When GitHub said the request may be made again, if it said. */
  readonly retryAt: Date | undefined;

  constructor(message: string, options: { status: number; retryAt: Date | undefined; cause: unknown }) {
    super(message, {
      cause: options.cause,
      hint: 're-run the job after that time, or make fewer GitHub API calls per hour (e.g. fewer parallel jobs)',
    });
    this.status = options.status;
    this.retryAt = options.retryAt;
  }
}

/** The fields of Octokit's RequestError that matter here, checked by shape (several copies may be installed). */
export interface HttpErrorLike {
  status: number;
  message: string;
  request: { method: string; url: string };
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
}

/** True for an error Octokit raised for an HTTP answer (as opposed to a bug or a network failure). */
export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    error instanceof Error &&
    error.name === 'HttpError' &&
    typeof (error as Partial<HttpErrorLike>).status === 'number' &&
    typeof (error as Partial<HttpErrorLike>).request === 'object'
  );
}

/** The error message GitHub sent (its JSON `message`), without Octokit's " - https://docs…" suffix. */
export function gitHubMessage(error: HttpErrorLike): string {
  const data = error.response?.data;
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { message?: unknown }).message === 'string'
  ) {
    return (data as { message: string }).message;
  }
  return error.message;
}

function rateLimitError(error: unknown, maxWait: number): GitHubRateLimitError | undefined {
  if (!isHttpError(error) || (error.status !== 403 && error.status !== 429)) return undefined;
  const headers = error.response?.headers ?? {};
  const secondary = /secondary rate limit/i.test(error.message);
  const primary = String(headers['x-ratelimit-remaining']) === '0';
  if (!secondary && !primary && error.status !== 429) return undefined;

  const what = `${error.request.method} ${pathOf(error.request.url)}`;
  const retryAfter = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  let retryAt: Date | undefined;
  if (Number.isFinite(retryAfter) && retryAfter > 0) retryAt = new Date(Date.now() + retryAfter * 1000);
  else if (primary && Number.isFinite(reset) && reset > 0) retryAt = new Date(reset * 1000);

  const kind = secondary ? 'secondary rate limit' : 'API rate limit';
  const when =
    retryAt === undefined
      ? 'it did not say when to retry'
      : `it may be retried at ${retryAt.toISOString()} (in ${Math.max(0, Math.ceil((retryAt.getTime() - Date.now()) / 1000))} s)`;
  return new GitHubRateLimitError(
    `GitHub's ${kind} refused ${what} (${error.status}): ${when}; modelgate waits out at most ${maxWait} s, once`,
    { status: error.status, retryAt, cause: error },
  );
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}
