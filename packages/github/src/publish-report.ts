import { type Logger, reportMarker } from '@modelgate/core';
import type { GitHubContext } from './context.ts';
import { writeJobSummary } from './job-summary.ts';
import { createGitHubClient, gitHubMessage, isHttpError } from './octokit.ts';
import { upsertStickyComment } from './sticky-comment.ts';

/** Where the report went: the job summary always; the PR comment when it could be posted. */
export type Publication =
  | { kind: 'commented'; url: string; created: boolean }
  | { kind: 'not-a-pull-request' }
  | { kind: 'comment-disabled' }
  | { kind: 'no-permission'; message: string }
  /** GitHub kept failing (5xx, a rate limit) after the client's retries: a warning, not the step's result. */
  | { kind: 'comment-failed'; status: number; message: string };

/**
 * Writes the report to the job summary, then posts or updates the one sticky comment for this
 * model on the pull request. A read-only token (a fork PR) does not fail the step: it warns and
 * says how to get comments with the workflow_run pattern. Nor does a comment that GitHub kept
 * refusing after the client's retries (a lasting 5xx, a rate limit): the decision is already
 * written, so that is a warning with the status code.
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
  let result: Awaited<ReturnType<typeof upsertStickyComment>>;
  try {
    result = await upsertStickyComment(client, {
      owner: context.owner,
      repo: context.repo,
      issueNumber: pr.number,
      marker: reportMarker(options.name),
      body: report,
    });
  } catch (error) {
    const answer = gitHubAnswerOf(error);
    if (answer === undefined) throw error;
    logger.warning(
      `could not post the report comment on pull request #${pr.number}: GitHub answered ${answer.status} (${answer.message}) after retries; the gate's result stands, and the report is in the job summary`,
    );
    return { kind: 'comment-failed', ...answer };
  }
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

/** The HTTP status and message of a GitHub answer behind an error (wrapped with `cause`), if there was one. */
function gitHubAnswerOf(error: unknown): { status: number; message: string } | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (isHttpError(cause)) return { status: cause.status, message: gitHubMessage(cause) };
  }
  return undefined;
}
