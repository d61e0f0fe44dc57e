import { InputError } from '@modelgate/core';
import { gitHubMessage, isHttpError } from '../octokit.ts';

/**
 * A failed GitHub call as an error the user can act on: what modelgate was doing, where, GitHub's
 * own message, and the likely fix. Anything that is not an HTTP answer (a bug) passes through.
 */
export function gitHubFailure(error: unknown, doing: string, location: string): unknown {
  if (error instanceof InputError || !isHttpError(error)) return error;
  const message = gitHubMessage(error);
  const what = `GitHub answered ${error.status} (${message}) while ${doing} in ${location}`;
  return new InputError(what, { cause: error, hint: hintFor(error.status, message) });
}

function hintFor(status: number, message: string): string | undefined {
  if (RULE_VIOLATION.test(message)) {
    return 'a ruleset or branch protection covers the registry branch: exempt it, or let the token bypass the rule';
  }
  if (status === 401)
    return 'the token is missing, expired or wrong: check the github-token input or GITHUB_TOKEN';
  if (status === 403) {
    return "the token may not write here: give the job 'permissions: contents: write' (a fork PR's token is read-only)";
  }
  if (status === 404)
    return 'check OWNER/REPO in the registry spec, and that the token can see that repository';
  if (status >= 500) return 'GitHub failed after modelgate retried; re-run the job later';
  return undefined;
}

// GitHub refuses a write that breaks a ruleset with 409 too; that is no race, and retrying cannot help.
const RULE_VIOLATION = /rule violation/i;

/** True for GitHub's answer to a write that lost a race: a stale blob sha, or a file created meanwhile. */
export function isWriteConflict(error: unknown): boolean {
  if (!isHttpError(error)) return false;
  const message = gitHubMessage(error);
  if (error.status === 409) return !RULE_VIOLATION.test(message);
  return error.status === 422 && /"sha" wasn't supplied/.test(message);
}

/** True when a write may or may not have landed (a 5xx, or the connection failed). */
export function isAmbiguous(error: unknown): boolean {
  return isHttpError(error) && error.status >= 500;
}

export function hasStatus(error: unknown, status: number, message?: RegExp): boolean {
  return (
    isHttpError(error) &&
    error.status === status &&
    (message === undefined || message.test(gitHubMessage(error)))
  );
}
