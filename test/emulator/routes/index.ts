/** Every endpoint the emulator serves. A new family of endpoints is one more file and one more spread here. */
import type { Route } from '../router.ts';
import { contentRoutes } from './contents.ts';
import { deploymentRoutes } from './deployments.ts';
import { gitRoutes } from './git.ts';
import { issueCommentRoutes } from './issue-comments.ts';
import { issueRoutes } from './issues.ts';
import { pullRoutes } from './pulls.ts';
import { releaseRoutes } from './releases.ts';
import { repoRoutes } from './repos.ts';

export const routes: readonly Route[] = [
  ...issueCommentRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...repoRoutes,
  ...contentRoutes,
  ...gitRoutes,
  ...releaseRoutes,
  ...deploymentRoutes,
];
