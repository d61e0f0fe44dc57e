import * as core from '@actions/core';
import {
  abortOnSignals,
  type Logger,
  type RunnerFacts,
  type TrainOutcome,
  type TrainSettings,
  train,
} from '@modelgate/core';
import { actionLogger } from './action.ts';
import { type GitHubContext, readGitHubContext } from './context.ts';
import {
  type ArtifactStore,
  type ArtifactUpload,
  artifactStoreFor,
  uploadTrainingArtifact,
} from './train-artifact.ts';
import { cacheStoreFor } from './train-cache.ts';

export * from './train-artifact.ts';
export * from './train-cache.ts';
export * from './train-inputs.ts';
export * from './train-summary.ts';

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

export interface TrainOnRunnerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  readonly artifacts?: ArtifactStore;
}

/**
 * The train action's work: the run's context for the fork check, SIGINT/SIGTERM (how the runner
 * cancels) as cancellation, the command's output live inside a log group, the Actions cache and
 * artifacts where the runner offers them. Returns the outcome and what became of the artifact.
 */
export async function trainOnRunner(
  settings: TrainSettings,
  options: TrainOnRunnerOptions = {},
): Promise<{ outcome: TrainOutcome; artifact?: ArtifactUpload }> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? actionLogger;
  const runner = runnerFacts(readGitHubContext(env));
  const cancellation = abortOnSignals(logger);
  try {
    const outcome = await train(settings, {
      logger,
      env,
      output: (chunk, stream) => (stream === 'stderr' ? process.stderr : process.stdout).write(chunk),
      group: (title, body) => core.group(title, body),
      cache: cacheStoreFor(env),
      signal: cancellation.signal,
      runner,
    });
    if (outcome.kind === 'failed') return { outcome };
    const artifact = await uploadTrainingArtifact(
      outcome,
      options.artifacts ?? artifactStoreFor(env),
      logger,
      env.RUNNER_TEMP || undefined,
    );
    return { outcome, artifact };
  } finally {
    cancellation.dispose();
  }
}
