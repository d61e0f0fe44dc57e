/**
 * The route table. A route is a method, a path template in GitHub's own notation (the one
 * Octokit's `request('GET /repos/{owner}/{repo}/…')` uses), the access it needs, and a handler.
 * Adding an endpoint is adding one entry to a `routes/*.ts` list.
 */
import type { Urls } from './shapes.ts';
import type { Store } from './store.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Who is calling: what the token may do (the token itself is never kept here). */
export interface Actor {
  access: 'write' | 'read-only';
  login: string;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there is none. */
  body: unknown;
  /** The raw body, for endpoints that take bytes (release assets). */
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Undefined for an unauthenticated call. */
  actor: Actor | undefined;
  store: Store;
  urls: Urls;
  /** The path as requested (after /repositories/{id} is resolved to /repos/{owner}/{repo}). */
  path: string;
}

export interface Reply {
  status: number;
  /** JSON, or a Buffer sent as it is (downloads, raw contents) with the `content-type` in headers. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments` */
  path: string;
  /**
   * `write` routes answer a read-only token with GitHub's 403 and an unauthenticated call with
   * 401. `read` routes serve anyone a public repository.
   */
  access: 'read' | 'write';
  /** The fine-grained permission GitHub names in `x-accepted-github-permissions`. */
  permission: string;
  /** The REST docs page, quoted in error bodies as GitHub does. */
  docs: string;
  handle(context: RouteContext): Reply;
}

/** An HTTP error a handler throws; the server turns it into GitHub's JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? status));
  }
}

export interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

const SLASHED_PARAMS = new Set(['path', 'ref']);

export function compile(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const name = /^\{(\w+)\}$/.exec(segment)?.[1];
        if (name === undefined) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(name);
        // A file path (contents) or a ref (`heads/main`) may hold slashes, written plain or as %2F.
        return SLASHED_PARAMS.has(name) ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { route, pattern: new RegExp(`^${source}/?$`), names };
  });
}

/** The route for a method and path, with its parameters; `methodNotAllowed` when only the method is wrong. */
export function match(
  table: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'methodNotAllowed' | undefined {
  let pathMatched = false;
  for (const { route, pattern, names } of table) {
    const found = pattern.exec(path);
    if (found === null) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1] ?? '');
    });
    return { route, params };
  }
  return pathMatched ? 'methodNotAllowed' : undefined;
}
