/** Issue comments (which are also a pull request's conversation comments). */
import { invalidRequest, notFound, validationFailed } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { issueComment } from '../shapes.ts';
import type { StoredRepo } from '../store.ts';
import { issueOf, paginated, repoOf } from './common.ts';

/** GitHub's limit on a comment body, in characters. */
const MAX_BODY_CHARS = 65_536;
const DOCS = 'https://docs.github.com/rest/issues/comments';

function commentOf(context: RouteContext, repo: StoredRepo, docs: string) {
  const comment = context.store.comment(repo, Number(context.params.comment_id));
  if (comment === undefined) throw notFound(docs);
  return comment;
}

/** The `body` of a create or update, checked as GitHub checks it. */
function bodyOf(context: RouteContext, docs: string): string {
  const body = (context.body as { body?: unknown } | undefined)?.body;
  if (body === undefined) throw invalidRequest(docs, '"body" wasn\'t supplied.');
  if (typeof body !== 'string')
    throw invalidRequest(docs, `For 'properties/body', ${JSON.stringify(body)} is not a string.`);
  if (body.length > MAX_BODY_CHARS) {
    throw validationFailed(docs, {
      resource: 'IssueComment',
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${MAX_BODY_CHARS} characters)`,
    });
  }
  return body;
}

export const issueCommentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    access: 'read',
    permission: 'issues=read; pull_requests=read',
    docs: `${DOCS}#list-issue-comments`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const issue = issueOf(context, repo, 'issue_number', this.docs);
      const since = context.query.get('since');
      const comments = context.store
        .commentsOf(issue)
        .filter((comment) => since === null || comment.updatedAt >= new Date(since));
      return paginated(
        context,
        repo,
        comments.map((comment) => issueComment(comment, context.urls)),
      );
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    access: 'write',
    permission: 'issues=write; pull_requests=write',
    docs: `${DOCS}#create-an-issue-comment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const issue = issueOf(context, repo, 'issue_number', this.docs);
      const body = bodyOf(context, this.docs);
      const author = context.store.user(context.actor?.login ?? 'ghost');
      const comment = issueComment(context.store.addComment(issue, author, body), context.urls);
      return { status: 201, body: comment, headers: { location: comment.url } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    access: 'read',
    permission: 'issues=read; pull_requests=read',
    docs: `${DOCS}#get-an-issue-comment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      return { status: 200, body: issueComment(commentOf(context, repo, this.docs), context.urls) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    access: 'write',
    permission: 'issues=write; pull_requests=write',
    docs: `${DOCS}#update-an-issue-comment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const comment = commentOf(context, repo, this.docs);
      comment.body = bodyOf(context, this.docs);
      comment.updatedAt = context.store.tick();
      return { status: 200, body: issueComment(comment, context.urls) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    access: 'write',
    permission: 'issues=write; pull_requests=write',
    docs: `${DOCS}#delete-an-issue-comment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const comment = commentOf(context, repo, this.docs);
      context.store.comments.splice(context.store.comments.indexOf(comment), 1);
      return { status: 204 };
    },
  },
];
