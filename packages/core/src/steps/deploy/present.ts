import type { DeployOutcome } from '../../deploy/types.ts';
import { shortDigest } from '../../kernel/format.ts';
import { escapeText } from '../../kernel/markdown.ts';
import { err, out, type Presentation } from '../../kernel/step.ts';
import type { DeployStepOutcome } from './run.ts';

const ICON: Record<DeployOutcome['kind'], string> = {
  deployed: '✅',
  rendered: '📄',
  refused: '⛔',
  'rolled-back': '↩️',
};

/**
 * The deploy's outcome for every caller: the steps as they happened, then one headline
 * (`deployed …`, `rendered …`, `refused: …`, `rolled back: …`); the same in the job summary; the
 * action's outputs; exit 1 (and the headline as the failure) when refused or rolled back.
 */
export function presentDeploy(outcome: DeployStepOutcome): Presentation {
  const { headline, details } = describeDeploy(outcome);
  const failed = outcome.kind === 'refused' || outcome.kind === 'rolled-back';
  return {
    lines: [
      ...details.map((line) => out(`  ${line}`)),
      failed ? err(`modelgate: ${headline}`) : out(headline),
    ],
    summary: deploySummary(outcome),
    outputs: {
      deployed: String(outcome.kind === 'deployed'),
      version: outcome.version === undefined ? '' : String(outcome.version.version),
      'deployment-id': 'deploymentId' in outcome ? (outcome.deploymentId ?? '') : '',
      url: outcome.kind === 'deployed' ? (outcome.url ?? '') : '',
      manifest: outcome.kind === 'rendered' ? outcome.artifact : '',
    },
    exitCode: failed ? 1 : 0,
    ...(failed ? { failure: headline } : {}),
  };
}

/**
 * What a deploy's outcome says to a person: one headline and the details under it. The
 * terminal, the log and the job summary all say it this way.
 */
export function describeDeploy(outcome: DeployOutcome): { headline: string; details: string[] } {
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

/** The deploy's job summary: the outcome first, then each step, as the terminal shows them. */
export function deploySummary(outcome: DeployStepOutcome): string {
  const { headline, details } = describeDeploy(outcome);
  const lines = [
    `### ${ICON[outcome.kind]} modelgate deploy (${escapeText(outcome.environment)}): ${escapeText(headline)}`,
    '',
    ...details.map((detail) => `- ${escapeText(detail)}`),
  ];
  return `${lines.join('\n')}\n`;
}
