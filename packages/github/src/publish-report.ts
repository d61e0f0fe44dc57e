import { type Logger, reportMarker } from '@modelgate/core';
import type { GitHubContext } from './context.ts';
import { writeJobSummary } from './job-summary.ts';
import { createGitHubClient } from './octokit.ts';
import { upsertStickyComment } from './sticky-comment.ts';

/** Where the report went: the job summary always; the PR comment when it could be posted. */
export type Publication =
  | { kind: 'commented'; url: string; created: boolean }
  | { kind: 'not-a-pull-request' }
  | { kind: 'comment-disabled' }
  | { kind: 'no-permission'; message: string };

/**
 * Writes the report to the job summary, then posts or updates the one sticky comment for this
 * model on the pull request. A read-only token (a fork PR) does not fail the step: it warns and
 * says how to get comments with the workflow_run pattern.
 */
export async function publishReport(
  report: string,
  options: {
    name: string;
    context: GitHubContext;
    token: string | undefined;
    comment: boolean | undefined;
    logger: Logger;
  },
): Promise<Publication> {
  const { context, logger } = options;
  await writeJobSummary(report);
  const pr = context.pullRequest;
  if (pr === undefined) return { kind: 'not-a-pull-request' };
  if (options.comment === false) return { kind: 'comment-disabled' };
  if (options.token === undefined) {
    logger.warning('no github-token: the report is in the job summary, not on the pull request');
    return { kind: 'no-permission', message: 'no token' };
  }
  const client = createGitHubClient({ token: options.token, baseUrl: context.apiUrl, logger });
  const result = await upsertStickyComment(client, {
    owner: context.owner,
    repo: context.repo,
    issueNumber: pr.number,
    marker: reportMarker(options.name),
    body: report,
  });
  if (result.kind === 'forbidden') {
    logger.warning(
      `could not comment on pull request #${pr.number} (${result.status}: ${result.message}); the report is in the job summary. ` +
        'A fork PR gets a read-only token: to comment, run compare in a workflow_run workflow of the base repository ' +
        '(see docs/fork-pull-requests.md).',
    );
    return { kind: 'no-permission', message: result.message };
  }
  logger.info(`${result.kind === 'created' ? 'posted' : 'updated'} the report comment: ${result.url}`);
  return { kind: 'commented', url: result.url, created: result.kind === 'created' };
}
