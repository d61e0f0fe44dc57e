import { type GitHubClient, gitHubMessage, isHttpError } from './octokit.ts';

/** GitHub rejects issue comment bodies longer than this (422 "body is too long"). */
export const MAX_COMMENT_BODY_CHARS = 65_536;

/** The login of the bot behind the workflow's GITHUB_TOKEN. */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

/** Which comment to keep up to date, and with what. */
export interface StickyCommentOptions {
  owner: string;
  repo: string;
  /** The PR (or issue) number. */
  issueNumber: number;
  /**
   * The hidden HTML comment that names this sticky comment, e.g.
   * `<!-- modelgate:report model=churn -->`. Appended to the body when the body lacks it.
   */
  marker: string;
  /** The full markdown of the comment. */
  body: string;
  /**
   * Only comments by this login are ours: a human quoting the marker is never overwritten.
   * `github-actions[bot]` for the workflow token; `NAME[bot]` for a GitHub App's token.
   */
  author?: string;
}

/** What became of the comment. A token that may not comment is an outcome, not an exception. */
export type StickyCommentResult =
  | { kind: 'created'; url: string; id: number }
  | { kind: 'updated'; url: string; id: number }
  | {
      kind: 'forbidden';
      /** 403, or 404 (GitHub hides what a token may not see). */
      status: number;
      /** GitHub's message, e.g. "Resource not accessible by integration". */
      message: string;
    };

interface Comment {
  id: number | bigint;
  body?: string;
  created_at: string;
  user: { login: string } | null;
}

/**
 * Keeps exactly one comment per marker on a PR: edits ours when it exists, else creates it.
 *
 * Ours is a comment whose body holds the marker and whose author is `author`, searched across
 * every page of comments (a busy PR has more than 100). If several match, which only a past race
 * of two runs leaves behind, the newest is edited and the others are left alone.
 *
 * A 403 (or 404) on the write means the token may not comment, as on a fork PR's read-only token:
 * that returns `forbidden` rather than throwing, so the caller can warn and carry on.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  options: StickyCommentOptions,
): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber, marker, author = GITHUB_ACTIONS_BOT } = options;
  checkMarker(marker);
  const body = options.body.includes(marker) ? options.body : `${options.body}\n\n${marker}\n`;
  if (body.length > MAX_COMMENT_BODY_CHARS) {
    throw new Error(
      `the comment body for PR #${issueNumber} is ${body.length.toLocaleString('en-US')} characters; GitHub rejects more than ${MAX_COMMENT_BODY_CHARS.toLocaleString('en-US')} (the report should have been trimmed before this)`,
    );
  }
  const pr = `PR #${issueNumber} of ${owner}/${repo}`;
  const ours = newest(await listComments(client, owner, repo, issueNumber, pr), marker, author);

  if (ours !== undefined) {
    try {
      const { data } = await client.rest.issues.updateComment({
        owner,
        repo,
        comment_id: Number(ours.id),
        body,
      });
      return { kind: 'updated', url: data.html_url, id: Number(data.id) };
    } catch (error) {
      const forbidden = forbiddenOf(error);
      // A 404 may also mean someone deleted the comment since we listed it: then create a new one.
      if (forbidden !== undefined && forbidden.status === 403) return forbidden;
      if (forbidden === undefined) throw failure(error, `could not update comment ${ours.id} on ${pr}`);
    }
  }

  try {
    const { data } = await client.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body,
    });
    return { kind: 'created', url: data.html_url, id: Number(data.id) };
  } catch (error) {
    const forbidden = forbiddenOf(error);
    if (forbidden !== undefined) return forbidden;
    throw failure(error, `could not comment on ${pr}`);
  }
}

async function listComments(
  client: GitHubClient,
  owner: string,
  repo: string,
  issueNumber: number,
  pr: string,
): Promise<Comment[]> {
  try {
    return await client.paginate(client.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
    });
  } catch (error) {
    throw failure(error, `could not list the comments of ${pr}`);
  }
}

function newest(comments: Comment[], marker: string, author: string): Comment | undefined {
  let best: Comment | undefined;
  for (const comment of comments) {
    if (comment.user?.login !== author || comment.body?.includes(marker) !== true) continue;
    // Ids grow with time, so they break ties between comments made in the same second.
    if (
      best === undefined ||
      comment.created_at > best.created_at ||
      (comment.created_at === best.created_at && comment.id > best.id)
    ) {
      best = comment;
    }
  }
  return best;
}

// A marker that is not a whole HTML comment would show in the rendered comment, and one marker
// that is a prefix of another (`model=a` of `model=ab`) would match the other's comment.
function checkMarker(marker: string): void {
  if (!/^<!--\s*\S[\s\S]*-->$/.test(marker) || marker.slice(4, -3).includes('--')) {
    throw new Error(`the sticky comment marker ${JSON.stringify(marker)} is not one HTML comment <!-- … -->`);
  }
}

function forbiddenOf(error: unknown): Extract<StickyCommentResult, { kind: 'forbidden' }> | undefined {
  if (!isHttpError(error) || (error.status !== 403 && error.status !== 404)) return undefined;
  return { kind: 'forbidden', status: error.status, message: gitHubMessage(error) };
}

function failure(error: unknown, what: string): Error {
  if (isHttpError(error)) {
    return new Error(`${what}: GitHub answered ${error.status}: ${gitHubMessage(error)}`, { cause: error });
  }
  // A rate limit we would not wait out: keep its class and hint (the user can act on it).
  if (error instanceof Error && error.name === 'InputError') {
    error.message = `${what}: ${error.message}`;
    return error;
  }
  return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
