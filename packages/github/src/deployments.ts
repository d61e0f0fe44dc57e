import * as core from '@actions/core';
import {
  type DeploymentRecorder,
  type DeploymentState,
  InputError,
  type Logger,
  openRegistry,
  type RecordedDeployment,
  type Registry,
} from '@modelgate/core';
import { actionLogger } from './action.ts';
import { readGitHubContext } from './context.ts';
import { createGitHubClient, type GitHubClient, gitHubMessage, isHttpError } from './octokit.ts';
import { githubRegistryOpener } from './registry/access.ts';

/** GitHub rejects a deployment or status description over 140 characters. */
const MAX_DESCRIPTION_CHARS = 140;

export interface DeploymentRecorderOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  /** The commit being deployed (GITHUB_SHA). */
  readonly ref: string;
  /** The run's page: each status links to it as its log. */
  readonly logUrl: string | undefined;
  readonly logger: Logger;
}

/**
 * Records a deploy with GitHub's Deployments API, so it shows in the repository's Environments
 * page: a Deployment for the environment, an `in_progress` status when the target is about to
 * change, then `success` (with the live URL) or `failure` / `error` (with why). The deployment
 * skips GitHub's commit-status check (`required_contexts: []`): the job deploying it is itself
 * one of the pending checks, and the gate that matters is the registered verdict.
 */
export function githubDeploymentRecorder(options: DeploymentRecorderOptions): DeploymentRecorder {
  const { client, owner, repo } = options;
  const where = `${owner}/${repo}`;

  const status = async (
    id: number,
    state: DeploymentState | 'in_progress',
    details: { description: string; environmentUrl?: string },
  ) => {
    await client.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state,
      description: clip(details.description),
      ...(options.logUrl === undefined ? {} : { log_url: options.logUrl }),
      ...(details.environmentUrl === undefined ? {} : { environment_url: details.environmentUrl }),
      auto_inactive: true,
    });
  };

  return {
    async start(details): Promise<RecordedDeployment> {
      let id: number;
      try {
        const response = await client.rest.repos.createDeployment({
          owner,
          repo,
          ref: options.ref,
          task: 'deploy',
          environment: details.environment,
          description: clip(`modelgate: ${details.description}`),
          auto_merge: false,
          required_contexts: [],
          production_environment: details.environment === 'production',
          transient_environment: false,
          payload: { modelgate: { name: details.name, version: details.version, sha256: details.sha256 } },
        });
        if (response.status !== 201 || !('id' in response.data)) {
          throw new InputError(`GitHub did not create a deployment in ${where} (status ${response.status})`);
        }
        id = Number(response.data.id);
        await status(id, 'in_progress', details);
      } catch (error) {
        throw deploymentError(error, where);
      }
      return {
        id: String(id),
        async finish(state, finishDetails) {
          try {
            await status(id, state, finishDetails);
          } catch (error) {
            throw deploymentError(error, where);
          }
        },
      };
    },
  };
}

/** A failed Deployments call, worded so the user can fix it (the permission, usually). */
function deploymentError(error: unknown, where: string): unknown {
  if (!isHttpError(error)) return error;
  const message = gitHubMessage(error);
  if (error.status === 403 || error.status === 404 || error.status === 401) {
    return new InputError(`GitHub refused to record a deployment in ${where} (${error.status}: ${message})`, {
      hint: "the workflow token needs 'permissions: deployments: write' in the deploying job",
      cause: error,
    });
  }
  return new InputError(`GitHub refused to record a deployment in ${where} (${error.status}: ${message})`, {
    cause: error,
  });
}

function clip(text: string): string {
  return text.length <= MAX_DESCRIPTION_CHARS ? text : `${text.slice(0, MAX_DESCRIPTION_CHARS - 1)}…`;
}

/**
 * The deploy step's GitHub ports in an action: the registry opener (a `github:` registry reads
 * with the token) and, with a token, the Deployments API as the deploy's recorder.
 */
export function actionDeployPorts(
  token: string | undefined,
  env: NodeJS.ProcessEnv,
): { openRegistry: (spec: string) => Registry; recorder?: DeploymentRecorder } {
  const context = readGitHubContext(env);
  const github = githubRegistryOpener({ token, apiUrl: context.apiUrl, logger: actionLogger });
  const open = (spec: string) => openRegistry(spec, { cwd: process.cwd(), what: "input 'registry'", github });
  if (token === undefined) {
    core.warning('no github-token: the deploy is not recorded as a GitHub Deployment');
    return { openRegistry: open };
  }
  const recorder = githubDeploymentRecorder({
    client: createGitHubClient({ token, baseUrl: context.apiUrl, logger: actionLogger }),
    owner: context.owner,
    repo: context.repo,
    ref: context.sha,
    logUrl: context.runUrl,
    logger: actionLogger,
  });
  return { openRegistry: open, recorder };
}
