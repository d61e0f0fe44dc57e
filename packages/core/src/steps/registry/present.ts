import { formatCount, formatValue, shortDigest } from '../../kernel/format.ts';
import { RULE_STATUSES } from '../../kernel/records/verdict.ts';
import { out, type Presentation } from '../../kernel/step.ts';
import { lineageWords } from '../../registry/lineage.ts';
import type { ModelVersion } from '../../registry/types.ts';
import type { RegistryOutcome } from './run.ts';

/** The subcommand's answer on stdout: JSON with `json`, else lines for a person. */
export function presentRegistry(outcome: RegistryOutcome): Presentation {
  return { lines: [out(text(outcome))], outputs: {}, exitCode: 0 };
}

function text(outcome: RegistryOutcome): string {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  switch (outcome.kind) {
    case 'listed':
      return outcome.json
        ? json(outcome.versions)
        : versionTable(outcome.name, outcome.versions, outcome.location);
    case 'shown':
      return outcome.json ? json(outcome.version) : versionDetails(outcome.version, outcome.location);
    case 'fetched': {
      const { version } = outcome;
      return `wrote ${version.name} v${version.version} (sha256 ${version.sha256}, checked) to ${outcome.out}`;
    }
    case 'unaliased':
      return `${outcome.name}: removed alias ${outcome.alias} (it named v${outcome.was})`;
    case 'aliased': {
      const { version, previous } = outcome;
      if (outcome.json) return json(version);
      const was =
        previous === undefined
          ? ' (new alias)'
          : previous === version.version
            ? ' (unchanged)'
            : ` (was v${previous})`;
      return `${version.name}: ${outcome.alias} → v${version.version}${was}`;
    }
  }
}

function verdictWord(version: ModelVersion): string {
  if (version.verdict === null) return 'none';
  return version.verdict.passed ? 'passed' : 'failed';
}

/** `list`: one line per version, oldest first, in aligned columns. */
function versionTable(name: string, versions: readonly ModelVersion[], location: string): string {
  const rows = versions.map((v) => [
    `v${v.version}`,
    v.created_at.replace(/\.\d+Z$/, 'Z'),
    shortDigest(v.sha256),
    verdictWord(v),
    v.aliases.join(', ') || '-',
    v.lineage.commit?.slice(0, 7) ?? '-',
  ]);
  const header = ['version', 'created', 'sha256', 'verdict', 'aliases', 'commit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd()}`;
  const count = `${formatCount(versions.length)} version${versions.length === 1 ? '' : 's'}`;
  return [`${name}: ${count} in ${location}`, line(header), ...rows.map(line)].join('\n');
}

/** `show`: one version, field by field. */
function versionDetails(version: ModelVersion, location: string): string {
  const aliases = version.aliases.length === 0 ? '' : `  (aliases: ${version.aliases.join(', ')})`;
  const lines = [`${version.name} v${version.version}${aliases}`];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(11)} ${value}`);
  field('sha256', version.sha256);
  field('bytes', formatCount(version.bytes));
  field('created', version.created_at);
  field('registry', location);
  field('url', version.url);
  const { verdict, evaluation, lineage } = version;
  if (verdict === null) {
    field('verdict', 'none');
  } else {
    const baseline =
      verdict.baseline === null
        ? 'no baseline'
        : `baseline ${verdict.baseline.ref ?? '?'} (sha256 ${shortDigest(verdict.baseline.sha256)})`;
    const counts = RULE_STATUSES.map(
      (status) => [status, verdict.rules.filter((r) => r.status === status).length] as const,
    )
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    field(
      'verdict',
      `${verdict.passed ? 'passed' : 'failed'}, ${verdict.paired ? 'paired' : 'unpaired'}, ${baseline}; rules: ${counts || 'none'}`,
    );
  }
  if (evaluation === null) {
    field('evaluation', 'none');
  } else {
    const metrics = Object.entries(evaluation.metrics)
      .slice(0, 8)
      .map(([metric, m]) => `${metric} ${formatValue(m.value)}`)
      .join(', ');
    const data = `${formatCount(evaluation.data.rows)} rows (data sha256 ${shortDigest(evaluation.data.sha256)})`;
    field('evaluation', `${evaluation.task}, ${data}: ${metrics}`);
  }
  const source = lineageWords(lineage, Number.POSITIVE_INFINITY);
  field('lineage', source.length === 0 ? 'unknown' : source.join(', '));
  if (lineage.run_url !== null) field('run', lineage.run_url);
  if (lineage.data_sha256 !== null) field('data', `sha256 ${lineage.data_sha256}`);
  if (lineage.params !== null) field('params', JSON.stringify(lineage.params));
  if (lineage.training !== null) field('training', JSON.stringify(lineage.training));
  return lines.join('\n');
}
