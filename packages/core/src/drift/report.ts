import { formatCount, formatValue, shortDigest } from '../kernel/format.ts';
import { code, details, escapeText, table } from '../kernel/markdown.ts';
import { distributionChart } from '../report/chart.ts';
import { MAX_REPORT_CHARS } from '../report/report.ts';
import type { Distribution } from './analyze.ts';
import type { DriftRecord, DriftSource, FeatureDrift } from './record.ts';

/** Features drawn as charts: each is a few hundred pixels tall. */
export const MAX_DRIFT_CHARTS = 3;
/**
 * Drifted features listed in the open table: about 150 characters a row, so at most a third of
 * the report's size; the folded table of every feature and the record hold the rest.
 */
export const MAX_DRIFTED_ROWS = 120;

/** The hidden marker that finds a model's drift issue again (the sticky PR comment's twin). */
export function driftMarker(model: string): string {
  return `<!-- modelgate:drift model=${model.replace(/-->/g, '')} -->`;
}

/** The verdict in one line: the report's first line and the issue's title. */
export function driftHeadline(record: DriftRecord): string {
  const all = Object.keys(record.features).length;
  const drifted = Object.values(record.features).filter((f) => f.drifted).length;
  const parts = [`${drifted} of ${all} feature${all === 1 ? '' : 's'} drifted`];
  if (record.prediction !== undefined)
    parts.push(`prediction ${record.prediction.drifted ? 'drifted' : 'stable'}`);
  if (record.performance !== undefined)
    parts.push(`performance gates ${record.performance.passed ? 'passed' : 'failed'}`);
  const model = record.model === undefined ? '' : ` for ${record.model}`;
  return `${record.drifted ? 'Drift detected' : 'No drift'}${model}: ${parts.join(', ')}`;
}

/** Drifted first, then by PSI (the effect size), largest first, then by adjusted p-value. */
export function worstFirst(features: Record<string, FeatureDrift>): Array<[string, FeatureDrift]> {
  return Object.entries(features).sort(
    ([, a], [, b]) => Number(b.drifted) - Number(a.drifted) || b.psi - a.psi || a.p_adjusted - b.p_adjusted,
  );
}

const HEADER = ['feature', 'test', 'statistic', 'p-value', 'adjusted p', 'PSI', 'Wasserstein', 'drifted'];
const ALIGN = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'] as const;

function row(name: string, f: FeatureDrift): string[] {
  return [
    code(name),
    f.test,
    formatValue(f.statistic),
    formatValue(f.p_value),
    formatValue(f.p_adjusted),
    formatValue(f.psi),
    formatValue(f.wasserstein),
    f.drifted ? '**yes**' : 'no',
  ];
}

function describeSource(role: string, s: DriftSource): string {
  const read = s.path === undefined || s.path === s.source ? '' : ` (read from ${code(s.path)})`;
  return `${role} ${code(s.source)}${read}: ${formatCount(s.rows)} rows, sha256 \`${shortDigest(s.sha256)}\``;
}

function chartSection(name: string, distribution: Distribution): string {
  const chart = distributionChart({
    title: `${name}: reference (bars) vs current (line)`,
    bins: distribution.bins,
    reference: distribution.reference,
    current: distribution.current,
  });
  const numbers = table(
    ['bin', 'reference', 'current'],
    distribution.bins.map((bin, i) => [
      escapeText(bin),
      formatValue(distribution.reference[i]),
      formatValue(distribution.current[i]),
    ]),
    ['l', 'r', 'r'],
  );
  return `\`\`\`mermaid\n${chart}\n\`\`\`\n\n${details(`${name}: the shares plotted`, numbers, true)}`;
}

/**
 * The drift report (markdown, under {@link MAX_REPORT_CHARS}): the verdict first, then the
 * drifted features worst first with their statistics, charts of reference against current for
 * the top ones with their numbers beside them, the prediction and performance sections, and
 * every feature folded away (cut short, and saying so, when the report would be too long).
 */
export function renderDriftReport(
  record: DriftRecord,
  distributions: Readonly<Record<string, Distribution>>,
): string {
  const ranked = worstFirst(record.features);
  const drifted = ranked.filter(([, f]) => f.drifted);
  const head = [
    `## ${record.drifted ? '⚠️' : '✅'} ${escapeText(driftHeadline(record))}`,
    '',
    driftMarker(record.model ?? 'default'),
    '',
    `${describeSource('Reference', record.reference)}.  `,
    `${describeSource('Current', record.current)}.`,
    '',
    `A feature drifts when its Benjamini–Hochberg adjusted p-value (across all ${Object.keys(record.features).length} features) is under α = ${formatValue(record.alpha)} and its PSI is at least ${formatValue(record.min_effect)}, unless .modelgate.yml sets other limits for it. Drift record \`${record.id}\`.`,
  ];
  const sections: string[] = [head.join('\n')];
  if (drifted.length > 0) {
    const shown = drifted.slice(0, MAX_DRIFTED_ROWS);
    const more =
      drifted.length > shown.length
        ? `\n\n…and ${drifted.length - shown.length} more drifted features, with smaller effects (the drift record lists them all).`
        : '';
    sections.push(
      `### Drifted features, worst first\n\n${table(
        HEADER,
        shown.map(([n, f]) => row(n, f)),
        [...ALIGN],
      )}${more}`,
    );
  }
  const charted = (drifted.length > 0 ? drifted : ranked).slice(0, MAX_DRIFT_CHARTS);
  const charts = charted.flatMap(([name]) => {
    const d = distributions[name];
    return d === undefined ? [] : [chartSection(name, d)];
  });
  if (charts.length > 0) {
    const title = drifted.length > 0 ? 'How they moved' : 'The largest changes (none is drift)';
    sections.push(`### ${title}\n\n${charts.join('\n\n')}`);
  }
  if (record.prediction !== undefined) {
    const p = record.prediction;
    sections.push(
      `### Prediction drift: ${p.drifted ? 'drifted' : 'stable'}\n\nModel ${code(p.model.path)} (sha256 \`${shortDigest(p.model.sha256)}\`), output ${code(p.model.output)}, scored on both sides.\n\n${table(
        ['output', ...HEADER.slice(1)],
        worstFirst(p.outputs)
          .slice(0, MAX_DRIFTED_ROWS)
          .map(([n, f]) => row(n, f)),
        [...ALIGN],
      )}`,
    );
  }
  if (record.performance !== undefined) {
    const perf = record.performance;
    const rules = perf.rules.map((r) => [
      code(r.metric),
      r.rule,
      formatValue(r.baseline),
      formatValue(r.candidate),
      r.ci === undefined ? '—' : `[${formatValue(r.ci[0])}, ${formatValue(r.ci[1])}]`,
      r.status,
      escapeText(r.reason),
    ]);
    sections.push(
      [
        `### Performance: gates ${perf.passed ? 'passed' : 'failed'}`,
        '',
        `Metrics on the current data (label ${code(perf.label)}) against ${code(perf.baseline.source)}, with independent bootstrap intervals.`,
        '',
        table(['metric', 'rule', 'baseline', 'current', 'Δ CI', 'status', 'reason'], rules, [
          'l',
          'l',
          'r',
          'r',
          'l',
          'l',
          'l',
        ]),
        ...perf.notes.map((n) => `\n> ${escapeText(n)}`),
      ].join('\n'),
    );
  }
  const body = sections.join('\n\n');
  // Every feature, folded; cut to what fits, largest effects first.
  const budget = MAX_REPORT_CHARS - body.length - 400;
  let rows = ranked.map(([n, f]) => row(n, f));
  let all = table(HEADER, rows, [...ALIGN]);
  while (all.length > budget && rows.length > 0) {
    rows = rows.slice(0, Math.floor(rows.length * 0.8));
    all = table(HEADER, rows, [...ALIGN]);
  }
  const cut =
    rows.length < ranked.length
      ? `\n\nThe ${ranked.length - rows.length} features with the smallest effects are left out here; the drift record holds them all.`
      : '';
  return `${body}\n\n${details(`All ${ranked.length} features`, all + cut)}\n`;
}
