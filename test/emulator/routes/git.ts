/** Git references (branches and tags), as the Git database API serves them. */
import { notFound, unprocessable } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { gitRef } from '../shapes.ts';
import { repoOf } from './common.ts';

const DOCS = 'https://docs.github.com/rest/git/refs';

/** `heads/main` or `refs/heads/main` → `refs/heads/main`. */
function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

function stringField(context: RouteContext, field: string): string | undefined {
  const value = (context.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}

export const gitRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref}',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}#get-a-reference`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const ref = fullRef(context.params.ref ?? '');
      const sha = context.store.git(repo).refs.get(ref);
      if (sha === undefined) throw notFound(this.docs);
      return { status: 200, body: gitRef(repo, ref, sha, context.urls) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/refs',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}#create-a-reference`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const ref = stringField(context, 'ref');
      const sha = stringField(context, 'sha');
      // GitHub: "If it doesn't start with 'refs' and have at least two slashes, it will be rejected."
      if (ref === undefined || !/^refs\/[^/]+\/.+/.test(ref)) {
        throw unprocessable(this.docs, 'Reference name is invalid');
      }
      const git = context.store.git(repo);
      if (sha === undefined || !git.commits.has(sha)) throw unprocessable(this.docs, 'Object does not exist');
      if (git.refs.has(ref)) throw unprocessable(this.docs, 'Reference already exists');
      git.refs.set(ref, sha);
      const body = gitRef(repo, ref, sha, context.urls);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}#delete-a-reference`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const ref = fullRef(context.params.ref ?? '');
      if (!context.store.git(repo).refs.delete(ref))
        throw unprocessable(this.docs, 'Reference does not exist');
      return { status: 204 };
    },
  },
];
