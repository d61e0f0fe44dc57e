import { shortDigest } from '../kernel/format.ts';
import type { DeployOutcome } from './types.ts';

/**
 * What a deploy's outcome says to a person: one headline (`deployed …`, `refused: …`,
 * `rolled back: …`) and the details under it. The CLI prints it, the action logs it and puts it
 * in the job summary, so both say the same thing.
 */
export function describeOutcome(outcome: DeployOutcome): { headline: string; details: string[] } {
  const version = outcome.version;
  const label = version === undefined ? 'the model' : `${version.name} v${version.version}`;
  switch (outcome.kind) {
    case 'deployed': {
      const was = outcome.previous === null ? '' : ` (was v${outcome.previous})`;
      return {
        headline: `deployed ${label} (sha256 ${shortDigest(outcome.version.sha256)})${outcome.url === undefined ? '' : ` at ${outcome.url}`}`,
        details: [
          ...outcome.steps.map((step) => `${step.action}: ${step.detail}`),
          `alias '${outcome.alias}' → v${outcome.version.version}${was}`,
        ],
      };
    }
    case 'rendered':
      return { headline: `rendered ${label}, not deployed: ${outcome.reason}`, details: [] };
    case 'refused':
      return { headline: `refused: ${outcome.reasons.join('; ')}`, details: ['nothing was changed'] };
    case 'rolled-back':
      return {
        headline: `rolled back: the deploy of ${label} failed: ${outcome.reason}`,
        details: [
          ...outcome.steps.map((step) => `${step.action}: ${step.detail}`),
          outcome.rollback.ok
            ? `now: ${outcome.rollback.serving}`
            : `THE ROLLBACK FAILED: ${outcome.rollback.error}; check the target by hand`,
        ],
      };
  }
}

/** Exit code of a deploy (CONTRACT.md): 0 deployed (or only rendered), 1 refused or rolled back. */
export function outcomeExitCode(outcome: DeployOutcome): 0 | 1 {
  return outcome.kind === 'deployed' || outcome.kind === 'rendered' ? 0 : 1;
}
