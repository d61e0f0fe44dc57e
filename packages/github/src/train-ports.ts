import * as core from '@actions/core';
import { abortOnSignals, type RunnerFacts, type TrainStepPorts } from '@modelgate/core';
import { actionLogger } from './action.ts';
import { type GitHubContext, readGitHubContext } from './context.ts';
import { artifactStoreFor } from './train-artifact.ts';
import { cacheStoreFor } from './train-cache.ts';

export * from './train-artifact.ts';
export * from './train-cache.ts';

/** What the fork check needs from the run's context. */
export function runnerFacts(context: GitHubContext): RunnerFacts {
  const pr = context.pullRequest;
  return {
    runnerEnvironment: context.runnerEnvironment,
    eventName: context.eventName,
    repository: `${context.owner}/${context.repo}`,
    ...(pr === undefined
      ? {}
      : { pullRequest: { number: pr.number, headRepoFullName: pr.headRepoFullName, isFork: pr.isFork } }),
  };
}

/**
 * The train step's ports on a runner: the run's context for the fork check, SIGINT/SIGTERM (how
 * the runner cancels) as cancellation, the command's output live inside a log group, and the
 * Actions cache and artifacts where the runner offers them.
 */
export function runnerTrainPorts(env: NodeJS.ProcessEnv = process.env): TrainStepPorts {
  return {
    logger: actionLogger,
    env,
    output: (chunk, stream) => (stream === 'stderr' ? process.stderr : process.stdout).write(chunk),
    group: (title, body) => core.group(title, body),
    cache: cacheStoreFor(env),
    artifacts: artifactStoreFor(env),
    ...(env.RUNNER_TEMP ? { tempDir: env.RUNNER_TEMP } : {}),
    cancellation: abortOnSignals,
    runner: runnerFacts(readGitHubContext(env)),
  };
}
