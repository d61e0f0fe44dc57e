import { type CommentOutcome, type Logger, type ReportCommentPort, reportMarker } from '@modelgate/core';
import type { GitHubContext } from './context.ts';
import { createGitHubClient, gitHubMessage, isHttpError } from './octokit.ts';
import { upsertStickyComment } from './sticky-comment.ts';

/**
 * compare's {@link ReportCommentPort} on GitHub: posts or updates the one sticky comment for the
 * model on the pull request (`comment` undefined: on pull requests; false: never). A read-only
 * token (a fork PR) does not fail the step: it warns and says how to get comments with the
 * workflow_run pattern. Nor does a comment that GitHub kept refusing after the client's retries
 * (a lasting 5xx, a rate limit): the decision is already written, so that is a warning with the
 * status code.
 */
export function reportCommentPort(options: {
  context: GitHubContext;
  token: string | undefined;
  logger: Logger;
}): ReportCommentPort {
  const { context, token, logger } = options;
  return {
    async post(report, { name, comment }): Promise<CommentOutcome> {
      const pr = context.pullRequest;
      if (pr === undefined) return { kind: 'not-a-pull-request' };
      if (comment === false) return { kind: 'comment-disabled' };
      if (token === undefined) {
        logger.warning('no github-token: the report is in the job summary, not on the pull request');
        return { kind: 'no-permission', message: 'no token' };
      }
      const client = createGitHubClient({ token, baseUrl: context.apiUrl, logger });
      let result: Awaited<ReturnType<typeof upsertStickyComment>>;
      try {
        result = await upsertStickyComment(client, {
          owner: context.owner,
          repo: context.repo,
          issueNumber: pr.number,
          marker: reportMarker(name),
          body: report,
        });
      } catch (error) {
        const answer = gitHubAnswerOf(error);
        if (answer === undefined) throw error;
        logger.warning(
          `could not post the report comment on pull request #${pr.number}: GitHub answered ${answer.status} (${answer.message}) after retries; the gate's result stands, and the report is in the job summary`,
        );
        return { kind: 'comment-failed', message: `${answer.status}: ${answer.message}` };
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
    },
  };
}

/** The HTTP status and message of a GitHub answer behind an error (wrapped with `cause`), if there was one. */
function gitHubAnswerOf(error: unknown): { status: number; message: string } | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (isHttpError(cause)) return { status: cause.status, message: gitHubMessage(cause) };
  }
  return undefined;
}
