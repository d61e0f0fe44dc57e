import { type DriftAlertPort, InputError } from '@modelgate/core';
import { type GitHubClient, gitHubMessage, isHttpError } from './octokit.ts';
import { GITHUB_ACTIONS_BOT, MAX_COMMENT_BODY_CHARS } from './sticky-comment.ts';

/** The input of the retrain workflow that receives the drift record's id. */
export const DRIFT_ID_INPUT = 'drift-id';

export interface DriftIssueOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  /** The branch or tag the retrain workflow is dispatched on (the run's own ref). */
  readonly ref: string;
  /** Only issues opened by this login are ours: a person quoting the marker is never overwritten. */
  readonly author?: string;
  /** Where the whole report is, for the note when the body is cut to GitHub's limit. */
  readonly reportUrl?: string;
}

interface Issue {
  number: number;
  body?: string | null;
  html_url: string;
  user: { login: string } | null;
  pull_request?: unknown;
}

/**
 * The monitor's GitHub side: one open issue per model, found by its hidden marker (as the sticky
 * PR comment is) across every page of open issues, opened on the first drift and edited on the
 * next; and the retrain workflow dispatched with the drift record's id. A closed issue is left
 * closed: the next drift opens a new one.
 */
export function gitHubDriftAlerts(options: DriftIssueOptions): DriftAlertPort {
  const { client, owner, repo, author = GITHUB_ACTIONS_BOT } = options;
  const where = `${owner}/${repo}`;
  return {
    async raise({ marker, title, body }) {
      const text = fit(body.includes(marker) ? body : `${body}\n\n${marker}\n`, marker, options.reportUrl);
      let open: Issue[];
      try {
        open = await client.paginate(client.rest.issues.listForRepo, {
          owner,
          repo,
          state: 'open',
          per_page: 100,
        });
      } catch (error) {
        throw failure(error, `could not list the issues of ${where}`, 'issues: read');
      }
      const ours = open
        .filter(
          (i) =>
            i.pull_request === undefined && i.user?.login === author && i.body?.includes(marker) === true,
        )
        .sort((a, b) => b.number - a.number)[0];
      try {
        if (ours !== undefined) {
          const { data } = await client.rest.issues.update({
            owner,
            repo,
            issue_number: ours.number,
            title,
            body: text,
          });
          return { url: data.html_url, action: 'updated' };
        }
        const { data } = await client.rest.issues.create({ owner, repo, title, body: text });
        return { url: data.html_url, action: 'opened' };
      } catch (error) {
        throw failure(
          error,
          `could not ${ours === undefined ? 'open' : 'edit'} the drift issue in ${where}`,
          'issues: write',
        );
      }
    },
    async dispatch(workflow, driftId) {
      try {
        await client.rest.actions.createWorkflowDispatch({
          owner,
          repo,
          workflow_id: workflow,
          ref: options.ref,
          inputs: { [DRIFT_ID_INPUT]: driftId },
        });
      } catch (error) {
        throw failure(
          error,
          `could not dispatch ${workflow} on ${options.ref} in ${where} (it needs a workflow_dispatch trigger with a '${DRIFT_ID_INPUT}' input)`,
          'actions: write',
        );
      }
    },
  };
}

/** The body cut to GitHub's limit, keeping the marker, with a link to the whole report. */
function fit(body: string, marker: string, reportUrl: string | undefined): string {
  if (body.length <= MAX_COMMENT_BODY_CHARS) return body;
  const note = `\n\n…cut to GitHub's limit${reportUrl === undefined ? '' : `; the whole report: ${reportUrl}`}\n\n${marker}\n`;
  return body.slice(0, MAX_COMMENT_BODY_CHARS - note.length) + note;
}

function failure(error: unknown, what: string, permission: string): Error {
  if (isHttpError(error) && (error.status === 403 || error.status === 404)) {
    return new InputError(`${what}: GitHub answered ${error.status}: ${gitHubMessage(error)}`, {
      hint: `give the job 'permissions: ${permission}'`,
      cause: error,
    });
  }
  if (isHttpError(error))
    return new Error(`${what}: GitHub answered ${error.status}: ${gitHubMessage(error)}`, { cause: error });
  return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
