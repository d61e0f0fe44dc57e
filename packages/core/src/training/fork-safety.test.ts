import { describe, expect, it } from 'vitest';
import { forkDecision, type RunnerFacts } from './fork-safety.ts';

const fork = { number: 7, headRepoFullName: 'mallory/widgets', isFork: true };
const same = { number: 8, headRepoFullName: 'acme/widgets', isFork: false };

function facts(
  runnerEnvironment: RunnerFacts['runnerEnvironment'],
  pullRequest?: RunnerFacts['pullRequest'],
): RunnerFacts {
  return {
    runnerEnvironment,
    eventName: 'pull_request',
    repository: 'acme/widgets',
    ...(pullRequest === undefined ? {} : { pullRequest }),
  };
}

describe('forkDecision', () => {
  it('refuses a fork PR on a self-hosted runner, naming the PR, the fork and the risk', () => {
    const decision = forkDecision(facts('self-hosted', fork), false);
    expect(decision.kind).toBe('refuse');
    if (decision.kind !== 'refuse') return;
    expect(decision.message).toBe(
      'refusing to train: pull request #7 (pull_request) comes from mallory/widgets, not acme/widgets, and this job runs on a self-hosted runner; its code would run on your machine',
    );
    expect(decision.hint).toMatch(/allow-fork-prs: true/);
  });

  it('counts a runner that does not say what it is as self-hosted', () => {
    expect(forkDecision(facts(undefined, fork), false).kind).toBe('refuse');
  });

  it('refuses a PR whose fork was deleted (no head repository)', () => {
    const decision = forkDecision(
      facts('self-hosted', { number: 9, headRepoFullName: null, isFork: true }),
      false,
    );
    expect(decision).toMatchObject({
      kind: 'refuse',
      message: expect.stringContaining('comes from a deleted fork'),
    });
  });

  it('runs a fork PR when the workflow allows it, with a warning', () => {
    expect(forkDecision(facts('self-hosted', fork), true)).toEqual({
      kind: 'run',
      warning:
        'running the training command of pull request #7 from mallory/widgets on a self-hosted runner, because allow-fork-prs is true',
    });
  });

  it('runs fork PRs on GitHub-hosted runners, PRs from the repository itself, and other events', () => {
    expect(forkDecision(facts('github-hosted', fork), false)).toEqual({ kind: 'run' });
    expect(forkDecision(facts('self-hosted', same), false)).toEqual({ kind: 'run' });
    expect(forkDecision(facts('self-hosted'), false)).toEqual({ kind: 'run' });
    expect(forkDecision(undefined, false)).toEqual({ kind: 'run' });
  });
});
