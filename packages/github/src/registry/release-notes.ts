import type { PreparedRegistration } from '@modelgate/core';

// A release page is for people: a handful of headline metrics; the full record is on the branch.
const MAX_METRICS = 8;

/** The release body: what this version is, whether it passed its gates, and where it came from. */
export function releaseNotes(
  registration: PreparedRegistration,
  version: number,
  parent: number | null,
  recordPath: string,
  branch: string,
): string {
  const { name, verdict, evaluation, lineage } = registration;
  const gate =
    verdict === null
      ? 'no verdict (registered without a gate)'
      : `${verdict.passed ? '✅ passed' : '❌ did not pass'} (${verdict.rules.length} rules, ${verdict.paired ? 'paired' : 'unpaired'})`;
  const rows: Array<[string, string]> = [
    ['gate', gate],
    ['sha256', `\`${registration.sha256}\``],
    ['bytes', String(registration.bytes.length)],
  ];
  if (lineage.commit !== null) rows.push(['commit', lineage.commit]);
  if (lineage.pr !== null) rows.push(['pull request', `#${lineage.pr}`]);
  if (lineage.run_url !== null) rows.push(['workflow run', lineage.run_url]);
  if (parent !== null) rows.push(['baseline', `v${parent}`]);
  if (lineage.data_sha256 !== null) rows.push(['evaluation data sha256', `\`${lineage.data_sha256}\``]);

  const metrics = Object.entries(evaluation?.metrics ?? {})
    .slice(0, MAX_METRICS)
    .map(([metric, value]) => `${metric} ${Number(value.value.toPrecision(4))}`);
  return [
    `Model **${name}** version **${version}**, registered by modelgate.`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${key} | ${value.replace(/\|/g, '\\|')} |`),
    '',
    ...(metrics.length === 0 ? [] : [`Metrics: ${metrics.join(', ')}.`, '']),
    `The full record (evaluation, verdict, lineage) is in \`${recordPath}\` on the \`${branch}\` branch.`,
    '',
  ].join('\n');
}
