import { formatCount } from '../../kernel/format.ts';
import { code } from '../../kernel/markdown.ts';
import { out, type Presentation } from '../../kernel/step.ts';
import { lineageWords } from '../../registry/lineage.ts';
import type { RegisterOutcome } from './run.ts';

/**
 * The new version for every caller: on the terminal its lines (or, with `json`, its
 * modelgate/model-version@1 record), in the job its summary and the outputs `version`, `sha256`
 * and `url`.
 */
export function presentRegister(outcome: RegisterOutcome): Presentation {
  const { version } = outcome;
  const lines = [
    `registered ${version.name} v${version.version} in ${outcome.location}`,
    `  sha256   ${version.sha256} (${formatCount(version.bytes)} bytes)`,
  ];
  if (version.aliases.length > 0) lines.push(`  aliases  ${version.aliases.join(', ')}`);
  const from = lineageWords(version.lineage);
  if (from.length > 0) lines.push(`  lineage  ${from.join(', ')}`);
  lines.push(`  record   ${version.url}`);
  const aliases = version.aliases.length === 0 ? 'none' : version.aliases.map(code).join(', ');
  const stays =
    outcome.alias?.moved === false
      ? `- alias ${code(outcome.alias.name)} stays ${outcome.alias.stays === undefined ? 'where it was' : `on v${outcome.alias.stays}`}: a concurrent register moved it further first\n`
      : '';
  return {
    lines: outcome.json ? [out(JSON.stringify(version, null, 2))] : lines.map(out),
    summary:
      `### modelgate: registered ${version.name} v${version.version}\n\n` +
      `- sha256 \`${version.sha256}\`, ${formatCount(version.bytes)} bytes\n` +
      `- aliases: ${aliases}\n${stays}` +
      `- registry: ${code(outcome.location)}, ${version.url}\n`,
    outputs: { version: String(version.version), sha256: version.sha256, url: version.url },
    exitCode: 0,
  };
}
