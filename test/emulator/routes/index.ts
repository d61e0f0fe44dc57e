/** Every endpoint the emulator serves. A new family of endpoints is one more file and one more spread here. */
import type { Route } from '../router.ts';
import { issueCommentRoutes } from './issue-comments.ts';
import { pullRoutes } from './pulls.ts';

export const routes: readonly Route[] = [...issueCommentRoutes, ...pullRoutes];
