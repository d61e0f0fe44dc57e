/**
 * A GitHub REST API emulator: a real HTTP server on 127.0.0.1 that Octokit (or a built action,
 * through GITHUB_API_URL) talks to. It keeps repositories, pull requests and comments in memory,
 * answers with GitHub's response shapes, status codes, headers and error bodies, records every
 * call, and can be told to fail (403, 404, 422, 5xx, rate limits) to test how clients cope.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badCredentials,
  faultBody,
  notAccessibleByIntegration,
  notFound,
  primaryRateLimit,
  problemsParsingJson,
  requiresAuthentication,
  secondaryRateLimit,
} from './errors.ts';
import {
  type Actor,
  ApiError,
  type CompiledRoute,
  compile,
  match,
  type Reply,
  type Route,
} from './router.ts';
import { routes as defaultRoutes } from './routes/index.ts';
import { type IssueComment, issueComment, type Urls } from './shapes.ts';
import { Store, type StoredIssue, type StoredPullRequest, splitFullName } from './store.ts';

/** One call the emulator answered. The token is never recorded, only what it was allowed. */
export interface RecordedCall {
  method: string;
  /** The path, with `/repositories/{id}` (as used in Link headers) resolved to `/repos/{owner}/{repo}`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, if any. */
  body: unknown;
  /** `none` without an Authorization header; `unknown` for a token the emulator did not issue. */
  auth: 'none' | 'write' | 'read-only' | 'unknown';
  status: number;
  /** True when an injected fault (fail, rateLimit) answered instead of the endpoint. */
  injected: boolean;
  /** The route that served it, e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}`. */
  route: string | undefined;
}

/** A fault to inject: the next `times` calls that match answer `status`. */
export interface Fault {
  /** Only this method (any when omitted). */
  method?: string;
  /** Tested against the resolved path, e.g. `/issues\/\d+\/comments$/`. */
  path: RegExp;
  status: 401 | 403 | 404 | 409 | 422 | 429 | 500 | 502 | 503 | 504;
  /** How many matching calls fail (default 1; Infinity for all). */
  times?: number;
  headers?: Record<string, string>;
  /** Defaults to GitHub's body for the status. */
  body?: Record<string, unknown>;
  /**
   * The call takes effect, and only its answer is the fault: a response lost after the write
   * landed, which is what makes retried writes ambiguous. Default false (the call does nothing).
   */
  lands?: boolean;
}

/** A rate-limit answer to inject, with the headers GitHub sends. */
export interface RateLimitFault {
  /** `primary`: the hourly quota is spent (x-ratelimit-remaining: 0). `secondary`: too many too fast. */
  kind: 'primary' | 'secondary';
  /** 403 (GitHub's usual) or 429. */
  status?: 403 | 429;
  method?: string;
  /** All paths when omitted. */
  path?: RegExp;
  times?: number;
  /** Primary: seconds from now to `x-ratelimit-reset` (default 1). */
  resetInSeconds?: number;
  /** Secondary: the `retry-after` header in seconds; omitted means none is sent. */
  retryAfterSeconds?: number;
}

interface ArmedFault {
  method: string | undefined;
  path: RegExp;
  remaining: number;
  lands: boolean;
  error: () => ApiError;
}

/** What a test seeds a pull request with; everything but the repository has a default. */
export interface PullRequestSeed {
  /** The base repository, `owner/repo`; created when missing. */
  repo: string;
  number?: number;
  title?: string;
  body?: string | null;
  /** The login that opened it. */
  author?: string;
  head?: {
    ref?: string;
    sha?: string;
    /** `owner/repo` of the head: another owner's makes a fork PR. Null: the fork was deleted. */
    repo?: string | null;
  };
  base?: { ref?: string; sha?: string };
  draft?: boolean;
}

export interface EmulatorOptions {
  /** The web root used in `html_url`s (default https://github.com). */
  webUrl?: string;
  /** Extra routes, for endpoints a test family needs before they join `routes/`. */
  routes?: readonly Route[];
}

const API_VERSION = '2022-11-28';
// GitHub's primary limits per hour: 5,000 with a token (GITHUB_TOKEN's is lower), 60 without.
const AUTHENTICATED_LIMIT = 5000;
const ANONYMOUS_LIMIT = 60;

export class GitHubEmulator {
  /** The API root to hand Octokit as `baseUrl`, or a runner as `GITHUB_API_URL`. */
  readonly url: string;
  /** The web root in `html_url`s; hand it on as `GITHUB_SERVER_URL`. */
  readonly webUrl: string;
  /** The state, for assertions and seeding beyond the helpers below. */
  readonly store = new Store();
  /** Every call answered, oldest first. */
  readonly calls: RecordedCall[] = [];

  private readonly tokens = new Map<string, Actor>();
  private readonly faults: ArmedFault[] = [];
  private readonly used = new Map<string, number>();
  private readonly resetAt = Math.floor(Date.now() / 1000) + 3600;
  private readonly table: CompiledRoute[];

  constructor(
    private readonly server: Server,
    url: string,
    options: EmulatorOptions,
  ) {
    this.url = url;
    this.webUrl = (options.webUrl ?? 'https://github.com').replace(/\/+$/, '');
    this.table = compile([...defaultRoutes, ...(options.routes ?? [])]);
  }

  private get urls(): Urls {
    return { api: this.url, web: this.webUrl };
  }

  /**
   * A new token. `write` may comment; `read-only` is what a fork PR's workflow token can do, and
   * gets GitHub's 403 "Resource not accessible by integration" on every write. Comments made with
   * it are authored by `login` (default `github-actions[bot]`).
   */
  token(access: 'write' | 'read-only' = 'write', options: { login?: string } = {}): string {
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    this.tokens.set(token, { access, login: this.store.user(options.login ?? 'github-actions[bot]').login });
    return token;
  }

  addRepo(fullName: string, options: { private?: boolean; defaultBranch?: string } = {}) {
    return this.store.addRepo(fullName, options);
  }

  /** Seeds an issue (not a PR) with a number from the repository's one numbering. */
  addIssue(seed: { repo: string; number?: number; title?: string; author?: string }): StoredIssue {
    const repo = this.store.addRepo(seed.repo);
    return this.store.addIssue(repo, {
      title: seed.title ?? 'An issue',
      author: seed.author ?? 'octocat',
      ...(seed.number === undefined ? {} : { number: seed.number }),
    });
  }

  addPullRequest(seed: PullRequestSeed): StoredIssue {
    const base = this.store.addRepo(seed.repo);
    const headName = seed.head?.repo === undefined ? seed.repo : seed.head.repo;
    const headRepo =
      headName === null
        ? null
        : headName.toLowerCase() === seed.repo.toLowerCase()
          ? base
          : this.store.addRepo(headName, { forkOf: seed.repo });
    const pullRequest: StoredPullRequest = {
      head: { ref: seed.head?.ref ?? 'feature', sha: seed.head?.sha ?? fakeSha(), repo: headRepo },
      base: { ref: seed.base?.ref ?? base.defaultBranch, sha: seed.base?.sha ?? fakeSha() },
      draft: seed.draft ?? false,
      merged: false,
    };
    return this.store.addIssue(base, {
      title: seed.title ?? 'Update the model',
      body: seed.body ?? null,
      author: seed.author ?? headRepo?.owner.login ?? 'octocat',
      pullRequest,
      ...(seed.number === undefined ? {} : { number: seed.number }),
    });
  }

  /**
   * Seeds the repository and pull request a `pull_request` webhook payload describes (e.g. one
   * from @octokit/webhooks-examples), so the emulator and GITHUB_EVENT_PATH agree.
   */
  addPullRequestFromPayload(payload: {
    repository: { full_name: string };
    pull_request: {
      number: number;
      title: string;
      body: string | null;
      user: { login: string } | null;
      draft?: boolean;
      head: { ref: string; sha: string; repo: { full_name: string } | null };
      base: { ref: string; sha: string };
    };
  }): StoredIssue {
    const pr = payload.pull_request;
    return this.addPullRequest({
      repo: payload.repository.full_name,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      author: pr.user?.login ?? 'ghost',
      head: { ref: pr.head.ref, sha: pr.head.sha, repo: pr.head.repo?.full_name ?? null },
      base: { ref: pr.base.ref, sha: pr.base.sha },
      draft: pr.draft ?? false,
    });
  }

  /** Seeds a comment as if `author` had written it (at `createdAt`, default the emulator's clock). */
  addComment(seed: {
    repo: string;
    issueNumber: number;
    author: string;
    body: string;
    createdAt?: Date;
  }): IssueComment {
    const [owner, name] = splitFullName(seed.repo);
    const repo = this.store.repo(owner, name);
    const issue = repo === undefined ? undefined : this.store.issue(repo, seed.issueNumber);
    if (issue === undefined) throw new Error(`emulator: no issue or PR #${seed.issueNumber} in ${seed.repo}`);
    return issueComment(
      this.store.addComment(issue, this.store.user(seed.author), seed.body, seed.createdAt),
      this.urls,
    );
  }

  /** An issue's comments as the API would list them, oldest first, all pages together. */
  comments(repoName: string, issueNumber: number): IssueComment[] {
    const [owner, name] = splitFullName(repoName);
    const repo = this.store.repo(owner, name);
    const issue = repo === undefined ? undefined : this.store.issue(repo, issueNumber);
    if (issue === undefined) return [];
    return this.store.commentsOf(issue).map((comment) => issueComment(comment, this.urls));
  }

  /** Makes the next `times` matching calls answer `status` instead of reaching the endpoint. */
  fail(fault: Fault): void {
    const headers = fault.headers ?? {};
    this.faults.push({
      method: fault.method?.toUpperCase(),
      path: fault.path,
      remaining: fault.times ?? 1,
      lands: fault.lands ?? false,
      error: () => new ApiError(fault.status, fault.body ?? faultBody(fault.status), headers),
    });
  }

  /** Makes the next `times` matching calls hit a rate limit, with GitHub's headers and message. */
  rateLimit(fault: RateLimitFault): void {
    const status = fault.status ?? 403;
    this.faults.push({
      method: fault.method?.toUpperCase(),
      path: fault.path ?? /.*/,
      remaining: fault.times ?? 1,
      lands: false,
      error: () =>
        fault.kind === 'primary'
          ? primaryRateLimit(status, Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 1))
          : secondaryRateLimit(status, fault.retryAfterSeconds),
    });
  }

  /** The recorded calls with this method whose path matches. */
  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((call) => call.method === method.toUpperCase() && path.test(call.path));
  }

  async close(): Promise<void> {
    // Octokit's fetch keeps connections alive; without this, close() waits for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** @internal The server's request handler. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const requestUrl = new URL(request.url ?? '/', this.url);
    const rawBody = await readBody(request);
    const call: RecordedCall = {
      method,
      path: requestUrl.pathname,
      query: Object.fromEntries(requestUrl.searchParams),
      body: undefined,
      auth: 'none',
      status: 0,
      injected: false,
      route: undefined,
    };
    this.calls.push(call);

    const token = tokenOf(request.headers.authorization);
    const actor = token === undefined ? undefined : this.tokens.get(token);
    call.auth = token === undefined ? 'none' : (actor?.access ?? 'unknown');
    const quota =
      token === undefined ? `anonymous ${request.socket.remoteAddress}` : (actor?.login ?? 'unknown');
    const limit = token === undefined ? ANONYMOUS_LIMIT : AUTHENTICATED_LIMIT;

    let reply: Reply;
    try {
      call.path = this.resolveRepositoryId(requestUrl.pathname);
      const fault = this.takeFault(method, call.path);
      if (fault !== undefined && !fault.lands) {
        call.injected = true;
        throw fault.error();
      }
      if (token !== undefined && actor === undefined) throw badCredentials();
      const found = match(this.table, method, call.path);
      // GitHub answers a path it does not serve, or a method a path does not take, with 404.
      if (found === undefined || found === 'methodNotAllowed') throw notFound();
      const { route, params } = found;
      call.route = `${route.method} ${route.path}`;
      if (route.access === 'write') {
        if (actor === undefined) throw requiresAuthentication(route.docs);
        if (actor.access !== 'write') throw notAccessibleByIntegration(route.docs, route.permission);
      }
      let body: unknown;
      if (rawBody.length > 0 && !/octet-stream/.test(String(request.headers['content-type']))) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          throw problemsParsingJson(route.docs);
        }
      }
      call.body = body;
      reply = route.handle({
        params,
        query: requestUrl.searchParams,
        body,
        rawBody,
        headers: request.headers,
        actor,
        store: this.store,
        urls: this.urls,
        path: call.path,
      });
      if (fault?.lands) {
        call.injected = true;
        throw fault.error();
      }
    } catch (error) {
      if (!(error instanceof ApiError)) {
        // A bug in the emulator: answer as GitHub would, and keep the reason for the test's eyes.
        reply = { status: 500, body: { message: `emulator bug: ${(error as Error).message}` } };
      } else {
        reply = { status: error.status, body: error.body, headers: error.headers };
      }
      if (call.body === undefined && rawBody.length > 0) call.body = safeJson(rawBody);
    }
    call.status = reply.status;
    this.send(response, reply, quota, limit);
  }

  private takeFault(method: string, path: string): ArmedFault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.method === undefined || f.method === method) && f.path.test(path),
    );
    if (fault === undefined) return undefined;
    fault.remaining--;
    return fault;
  }

  /** GitHub's Link headers address a repository as /repositories/{id}; serve those as /repos/{owner}/{repo}. */
  private resolveRepositoryId(path: string): string {
    const found = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (found === null) return path;
    const repo = this.store.repoById(Number(found[1]));
    if (repo === undefined) throw notFound();
    return `/repos/${repo.owner.login}/${repo.name}${found[2] ?? ''}`;
  }

  private send(response: ServerResponse, reply: Reply, quota: string, limit: number): void {
    const used = (this.used.get(quota) ?? 0) + 1;
    this.used.set(quota, used);
    const headers: Record<string, string> = {
      'x-github-api-version-selected': API_VERSION,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomBytes(8)
        .toString('hex')
        .toUpperCase()
        .replace(/(.{4})/g, '$1:')
        .slice(0, -1),
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - used)),
      'x-ratelimit-reset': String(this.resetAt),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    if (reply.status === 204 || reply.body === undefined) {
      response.writeHead(reply.status, headers).end();
      return;
    }
    if (Buffer.isBuffer(reply.body)) {
      response
        .writeHead(reply.status, {
          'content-type': 'application/octet-stream',
          ...headers,
          'content-length': String(reply.body.length),
        })
        .end(reply.body);
      return;
    }
    const text = JSON.stringify(reply.body);
    response
      .writeHead(reply.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  }
}

/** Starts an emulator on a free port of 127.0.0.1. Close it with `await gh.close()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  let emulator: GitHubEmulator | undefined;
  const server = createServer((request, response) => {
    emulator?.handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  emulator = new GitHubEmulator(server, `http://127.0.0.1:${port}`, options);
  return emulator;
}

function tokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const found = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  return found?.[1] ?? header.trim();
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

function fakeSha(): string {
  return randomBytes(20).toString('hex');
}
