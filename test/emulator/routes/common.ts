/** Lookups and pagination that every route family shares. */
import { notFound } from '../errors.ts';
import type { Reply, RouteContext } from '../router.ts';
import type { StoredIssue, StoredRepo } from '../store.ts';

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

/** The repository in the path, or GitHub's 404 (also for a private one the caller may not see). */
export function repoOf(context: RouteContext, docs: string): StoredRepo {
  const repo = context.store.repo(context.params.owner ?? '', context.params.repo ?? '');
  if (repo === undefined || (repo.private && context.actor === undefined)) throw notFound(docs);
  return repo;
}

export function issueOf(context: RouteContext, repo: StoredRepo, param: string, docs: string): StoredIssue {
  const issue = context.store.issue(repo, Number(context.params[param]));
  if (issue === undefined) throw notFound(docs);
  return issue;
}

/**
 * One page of `items` as GitHub serves it: `per_page` (default 30, at most 100) and `page`
 * (from 1), with a `Link` header of prev/next/last/first when there is more than one page.
 * Like GitHub, the links address the repository by id: `/repositories/{id}/…`.
 */
export function paginated<T>(context: RouteContext, repo: StoredRepo, items: T[]): Reply {
  const requested = Number.parseInt(context.query.get('per_page') ?? '', 10);
  const perPage =
    Number.isFinite(requested) && requested > 0 ? Math.min(requested, MAX_PER_PAGE) : DEFAULT_PER_PAGE;
  const page = Math.max(1, Number.parseInt(context.query.get('page') ?? '', 10) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage);
  if (last === 1) return { status: 200, body };

  const path = context.path.replace(/^\/repos\/[^/]+\/[^/]+/, `/repositories/${repo.id}`);
  const url = (n: number) => {
    const query = new URLSearchParams(context.query);
    query.delete('page');
    query.set('page', String(n));
    return `<${context.urls.api}${path}?${query.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) links.push(`${url(1)}; rel="first"`);
  return { status: 200, body, headers: { link: links.join(', ') } };
}
