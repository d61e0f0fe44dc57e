import { InputError } from '../kernel/errors.ts';

/** What the training step knows about the run that asked for it (from the runner's context). */
export interface RunnerFacts {
  /** `RUNNER_ENVIRONMENT`; undefined on runners too old to set it, which are self-hosted. */
  readonly runnerEnvironment: 'github-hosted' | 'self-hosted' | undefined;
  readonly eventName: string;
  /** `owner/repo` of the workflow's repository. */
  readonly repository: string;
  readonly pullRequest?: {
    readonly number: number;
    /** null when the fork was deleted. */
    readonly headRepoFullName: string | null;
    readonly isFork: boolean;
  };
}

export type ForkDecision =
  | { kind: 'run'; warning?: string }
  | { kind: 'refuse'; message: string; hint: string };

/**
 * Whether this run may execute its training command. A pull request from a fork carries code
 * that nobody with write access has approved; on a self-hosted runner that code would run on the
 * user's own machine, next to its GPUs, credentials and other jobs. So it is refused unless the
 * workflow says `allow-fork-prs: true`. GitHub-hosted runners are fresh VMs, thrown away after
 * the job, and run it. A runner that does not say what it is counts as self-hosted.
 */
export function forkDecision(facts: RunnerFacts | undefined, allowForkPrs: boolean): ForkDecision {
  const pr = facts?.pullRequest;
  if (facts === undefined || pr === undefined || !pr.isFork) return { kind: 'run' };
  if (facts.runnerEnvironment === 'github-hosted') return { kind: 'run' };
  const head = pr.headRepoFullName ?? 'a deleted fork';
  const runner =
    facts.runnerEnvironment === 'self-hosted'
      ? 'a self-hosted runner'
      : 'a runner that does not say it is GitHub-hosted (RUNNER_ENVIRONMENT is unset)';
  if (allowForkPrs) {
    return {
      kind: 'run',
      warning: `running the training command of pull request #${pr.number} from ${head} on ${runner}, because allow-fork-prs is true`,
    };
  }
  return {
    kind: 'refuse',
    message:
      `refusing to train: pull request #${pr.number} (${facts.eventName}) comes from ${head}, not ${facts.repository}, ` +
      `and this job runs on ${runner}; its code would run on your machine`,
    hint:
      'run fork pull requests on GitHub-hosted runners, or set allow-fork-prs: true only if every fork PR is reviewed ' +
      'before its workflow runs (docs/train.md explains the risk)',
  };
}

/** Throws the refusal as a usage error; returns the warning to log when a fork is let through. */
export function assertForkAllowed(facts: RunnerFacts | undefined, allowForkPrs: boolean): string | undefined {
  const decision = forkDecision(facts, allowForkPrs);
  if (decision.kind === 'refuse') throw new InputError(decision.message, { hint: decision.hint });
  return decision.warning;
}
