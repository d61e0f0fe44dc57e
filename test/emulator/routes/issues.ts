/** Issues themselves (listing, opening, editing), and the workflow dispatches that a drift alarm sends. */
import { invalidRequest, notFound, unprocessable } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { issueShape } from '../shapes.ts';
import { issueOf, paginated, repoOf } from './common.ts';

const DOCS = 'https://docs.github.com/rest/issues/issues';
const DISPATCH_DOCS = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';
/** GitHub's limit on an issue body, in characters (the same as a comment's). */
const MAX_BODY_CHARS = 65_536;

function fields(
  context: RouteContext,
  docs: string,
): { title?: string; body?: string | null; state?: string } {
  const given = (context.body ?? {}) as Record<string, unknown>;
  for (const key of ['title', 'body', 'state'] as const) {
    const value = given[key];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw invalidRequest(docs, `For 'properties/${key}', ${JSON.stringify(value)} is not a string.`);
  }
  const body = given.body as string | null | undefined;
  if (typeof body === 'string' && body.length > MAX_BODY_CHARS)
    throw unprocessable(docs, `body is too long (maximum is ${MAX_BODY_CHARS} characters)`);
  const state = given.state as string | undefined;
  if (state !== undefined && state !== 'open' && state !== 'closed')
    throw unprocessable(docs, `state is not included in the list`);
  return {
    ...(given.title === undefined ? {} : { title: given.title as string }),
    ...(body === undefined ? {} : { body }),
    ...(state === undefined ? {} : { state }),
  };
}

const commentCount = (context: RouteContext, issue: Parameters<RouteContext['store']['commentsOf']>[0]) =>
  context.store.commentsOf(issue).length;

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues',
    access: 'read',
    permission: 'issues=read',
    docs: `${DOCS}#list-repository-issues`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const state = context.query.get('state') ?? 'open';
      const creator = context.query.get('creator');
      const issues = context.store
        .issuesOf(repo)
        .filter((issue) => state === 'all' || issue.state === state)
        .filter((issue) => creator === null || issue.user.login === creator)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.number - a.number);
      return paginated(
        context,
        repo,
        issues.map((issue) => issueShape(issue, commentCount(context, issue), context.urls)),
      );
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    access: 'write',
    permission: 'issues=write',
    docs: `${DOCS}#create-an-issue`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const given = fields(context, this.docs);
      if (given.title === undefined || given.title === '')
        throw invalidRequest(this.docs, '"title" wasn\'t supplied.');
      const issue = context.store.addIssue(repo, {
        title: given.title,
        body: given.body ?? null,
        author: context.actor?.login ?? 'ghost',
      });
      const shape = issueShape(issue, 0, context.urls);
      return { status: 201, body: shape, headers: { location: shape.url } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    access: 'read',
    permission: 'issues=read',
    docs: `${DOCS}#get-an-issue`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const issue = issueOf(context, repo, 'issue_number', this.docs);
      return { status: 200, body: issueShape(issue, commentCount(context, issue), context.urls) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    access: 'write',
    permission: 'issues=write',
    docs: `${DOCS}#update-an-issue`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const issue = issueOf(context, repo, 'issue_number', this.docs);
      const given = fields(context, this.docs);
      if (given.title !== undefined) issue.title = given.title;
      if (given.body !== undefined) issue.body = given.body;
      if (given.state !== undefined) issue.state = given.state as 'open' | 'closed';
      issue.updatedAt = context.store.tick();
      return { status: 200, body: issueShape(issue, commentCount(context, issue), context.urls) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    access: 'write',
    permission: 'actions=write',
    docs: DISPATCH_DOCS,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const workflow = context.params.workflow_id ?? '';
      if (!/^(\d+|[^/]+\.ya?ml)$/.test(workflow)) throw notFound(this.docs);
      const body = (context.body ?? {}) as { ref?: unknown; inputs?: unknown };
      if (typeof body.ref !== 'string')
        throw unprocessable(this.docs, 'Invalid request.\n\n"ref" wasn\'t supplied.');
      if (context.store.resolveCommit(repo, body.ref) === undefined)
        throw unprocessable(this.docs, `No ref found for: ${body.ref}`);
      const inputs = (body.inputs ?? {}) as Record<string, unknown>;
      if (typeof inputs !== 'object' || Array.isArray(inputs) || Object.keys(inputs).length > 25)
        throw unprocessable(this.docs, 'inputs must be an object of at most 25 properties');
      context.store.dispatches.push({
        repo,
        workflow,
        ref: body.ref,
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
        at: context.store.tick(),
      });
      return { status: 204 };
    },
  },
];
