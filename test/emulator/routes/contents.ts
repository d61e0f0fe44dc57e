/**
 * Repository contents: read a file or a directory at a ref, and create or update a file on a
 * branch with the blob `sha` as compare-and-swap, answering as GitHub does (measured against
 * github.com): no `sha` for an existing file is 422 `"sha" wasn't supplied.`, a stale one is 409
 * `PATH does not match SHA`, and a `sha` for a file that does not exist yet is ignored.
 */
import { createHash } from 'node:crypto';
import { conflict, invalidRequest, notFound, notFoundBecause } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { contentEntry, contentFile, fileCommit } from '../shapes.ts';
import type { StoredCommit } from '../store.ts';
import { repoOf } from './common.ts';

const DOCS = 'https://docs.github.com/rest/repos/contents';
// `application/vnd.github.raw+json` (and the older `application/vnd.github.v3.raw`) asks for the bytes.
const RAW_MEDIA_TYPE = /application\/vnd\.github(?:\.v3)?\.raw/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

function cleanPath(path: string | undefined): string {
  return (path ?? '').replace(/^\/+|\/+$/g, '');
}

/** The immediate children of a directory: files, and folders named by their first segment. */
function listDirectory(commit: StoredCommit, blobs: ReadonlyMap<string, Buffer>, directory: string) {
  const prefix = directory === '' ? '' : `${directory}/`;
  const entries = new Map<string, { path: string; type: 'file' | 'dir'; sha: string; size: number }>();
  for (const [path, sha] of commit.files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    if (!entries.has(name)) {
      entries.set(name, {
        path: `${prefix}${name}`,
        type: slash === -1 ? 'file' : 'dir',
        // A folder's sha stands for its tree; any stable 40-hex id serves the listing.
        sha:
          slash === -1 ? sha : createHash('sha1').update(`tree ${commit.sha} ${prefix}${name}`).digest('hex'),
        size: slash === -1 ? (blobs.get(sha)?.length ?? 0) : 0,
      });
    }
  }
  return [...entries.values()].sort((a, b) => a.path.localeCompare(b.path));
}

function getContents(context: RouteContext, docs: string) {
  const repo = repoOf(context, docs);
  const ref = context.query.get('ref') ?? repo.defaultBranch;
  const commit = context.store.resolveCommit(repo, ref);
  if (commit === undefined) throw notFoundBecause(docs, `No commit found for the ref ${ref}`);
  const path = cleanPath(context.params.path);
  const blob = commit.files.get(path);
  if (blob !== undefined) {
    const bytes = context.store.git(repo).blobs.get(blob) ?? Buffer.alloc(0);
    if (RAW_MEDIA_TYPE.test(String(context.headers.accept ?? ''))) {
      return { status: 200, body: bytes, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    return { status: 200, body: contentFile(repo, path, blob, bytes, ref, context.urls) };
  }
  const entries = listDirectory(commit, context.store.git(repo).blobs, path);
  if (entries.length === 0) throw notFound(docs);
  return { status: 200, body: entries.map((entry) => contentEntry(repo, entry, ref, context.urls)) };
}

export const contentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/contents',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}#get-repository-content`,
    handle(context) {
      return getContents(context, this.docs);
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/contents/{path}',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}#get-repository-content`,
    handle(context) {
      return getContents(context, this.docs);
    },
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/contents/{path}',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}#create-or-update-file-contents`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const body = (context.body ?? {}) as Record<string, unknown>;
      for (const field of ['message', 'content']) {
        if (body[field] === undefined) throw invalidRequest(this.docs, `"${field}" wasn't supplied.`);
        if (typeof body[field] !== 'string') {
          throw invalidRequest(
            this.docs,
            `For 'properties/${field}', ${JSON.stringify(body[field])} is not a string.`,
          );
        }
      }
      const content = body.content as string;
      if (!BASE64.test(content)) throw invalidRequest(this.docs, 'content is not valid Base64');
      const branch = typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
      const path = cleanPath(context.params.path);
      const git = context.store.git(repo);
      const head = git.refs.get(`refs/heads/${branch}`);
      if (head === undefined) throw notFoundBecause(this.docs, `Branch ${branch} not found`);
      const existing = git.commits.get(head)?.files.get(path);
      if (existing !== undefined) {
        if (body.sha === undefined) throw invalidRequest(this.docs, '"sha" wasn\'t supplied.');
        if (body.sha !== existing) throw conflict(this.docs, `${path} does not match ${String(body.sha)}`);
      }
      const bytes = Buffer.from(content, 'base64');
      const author = context.store.user(context.actor?.login ?? 'ghost');
      const commit = context.store.commitFiles(
        repo,
        branch,
        { [path]: bytes },
        body.message as string,
        author,
      );
      if (commit === undefined) throw notFoundBecause(this.docs, `Branch ${branch} not found`);
      const blob = commit.files.get(path) ?? '';
      return {
        status: existing === undefined ? 201 : 200,
        body: fileCommit(repo, path, blob, bytes.length, branch, commit, context.urls),
      };
    },
  },
];
