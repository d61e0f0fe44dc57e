import { type ComparePorts, type CompareStepSettings, openRegistry } from '@modelgate/core';
import { actionLogger, optionalInput } from './action.ts';
import { type GitHubContext, readGitHubContext } from './context.ts';
import { githubRegistryOpener } from './registry/access.ts';
import { reportCommentPort } from './report-comment.ts';
import { actionRuntimeLoader } from './runtime/index.ts';

/**
 * The compare-to-baseline action's ports: the registry opened with the `github-token` input, the
 * sticky PR comment, onnxruntime-node from the runner (paired mode only: records mode scores
 * nothing), and the run's commit, ref, link and pull request for the report.
 */
export function compareActionPorts(settings: CompareStepSettings, env = process.env): ComparePorts {
  const context = readGitHubContext(env);
  const token = optionalInput('github-token');
  return {
    logger: actionLogger,
    openRegistry: (spec, what) => {
      warnOfEmptyRunner(spec, context);
      return openRegistry(spec, {
        cwd: process.cwd(),
        what,
        github: githubRegistryOpener({ token, apiUrl: context.apiUrl, logger: actionLogger }),
      });
    },
    comment: reportCommentPort({ context, token, logger: actionLogger }),
    runtime: actionRuntimeLoader(
      settings.mode.kind === 'paired' ? settings.mode.evaluate.provider : 'cpu',
      env,
    ),
    provenance: {
      commit: context.sha,
      ref: context.ref,
      runUrl: context.runUrl,
      pr: context.pullRequest?.number,
    },
    ...(context.runUrl === undefined ? {} : { summaryUrl: context.runUrl }),
  };
}

/** A folder registry on a GitHub-hosted runner holds only what this job registered. */
function warnOfEmptyRunner(spec: string, context: GitHubContext): void {
  if (!spec.startsWith('fs:') || context.runnerEnvironment !== 'github-hosted') return;
  actionLogger.warning(
    `the baseline comes from the registry ${spec}, a folder on this runner: a GitHub-hosted runner starts empty, so it only holds what this job registered; use 'registry: github:${context.owner}/${context.repo}' to compare with the versions registered by earlier runs`,
  );
}
