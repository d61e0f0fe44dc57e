import { type DeployOutcome, describeOutcome } from '@modelgate/core';

const ICON: Record<DeployOutcome['kind'], string> = {
  deployed: '✅',
  rendered: '📄',
  refused: '⛔',
  'rolled-back': '↩️',
};

/** The deploy's job summary: the outcome first, then each step, as the CLI prints them. */
export function deploySummary(outcome: DeployOutcome, environment: string): string {
  const { headline, details } = describeOutcome(outcome);
  const lines = [
    `### ${ICON[outcome.kind]} modelgate deploy (${escapeMarkdown(environment)}): ${escapeMarkdown(headline)}`,
    '',
  ];
  for (const detail of details) lines.push(`- ${escapeMarkdown(detail)}`);
  return `${lines.join('\n')}\n`;
}

/** Markdown that would otherwise turn into HTML or a table. */
function escapeMarkdown(text: string): string {
  return text.replace(/[<>|]/g, (c) => `\\${c}`);
}
