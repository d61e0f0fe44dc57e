/** Repositories. */
import type { Route } from '../router.ts';
import { repository } from '../shapes.ts';
import { repoOf } from './common.ts';

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    access: 'read',
    permission: 'metadata=read',
    docs: 'https://docs.github.com/rest/repos/repos#get-a-repository',
    handle(context) {
      return { status: 200, body: repository(repoOf(context, this.docs), context.urls) };
    },
  },
];
