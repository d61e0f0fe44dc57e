/** Pull requests. */
import { notFound } from '../errors.ts';
import type { Route } from '../router.ts';
import { pullRequest } from '../shapes.ts';
import { issueOf, repoOf } from './common.ts';

export const pullRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    access: 'read',
    permission: 'pull_requests=read',
    docs: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
    handle(context) {
      const repo = repoOf(context, this.docs);
      const issue = issueOf(context, repo, 'pull_number', this.docs);
      // An issue number is not a pull request number, even in the same numbering.
      if (issue.pullRequest === undefined) throw notFound(this.docs);
      const comments = context.store.commentsOf(issue).length;
      return { status: 200, body: pullRequest(issue, comments, context.urls) };
    },
  },
];
