import {
  type EvaluationRecord,
  formatDelta,
  formatInterval,
  formatValue as formatNumber,
  type ModelVersion,
  type RuleResult,
  ruleBlocks,
  type Verdict,
} from '@modelgate/core';

/** Columns padded to their widest cell; numbers (cells starting with a digit or sign) right-aligned. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const width = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: width }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (cell: string) => /^[+\-−±]?[0-9.]/.test(cell);
  return rows
    .map((row) =>
      row
        .map((cell, c) => (numeric(cell) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A rule's status as the terminal shows it; an inconclusive rule says what it counts as. */
export function statusCell(rule: RuleResult): string {
  switch (rule.status) {
    case 'pass':
      return '✓ pass';
    case 'skip':
      return '· skip';
    case 'inconclusive':
      return `? inconclusive${rule.on_inconclusive === undefined ? '' : ` → ${rule.on_inconclusive}`}`;
    default:
      return `✗ ${rule.status}`;
  }
}

/** The headline metrics of an evaluation with their confidence intervals. */
export function evaluationSummary(record: EvaluationRecord, metrics: readonly string[]): string {
  const confidence = Math.round(record.bootstrap.confidence * 100);
  const rows: string[][] = [['metric', 'value', record.bootstrap.resamples > 0 ? `${confidence}% CI` : '']];
  for (const name of metrics) {
    const metric = record.metrics[name];
    if (metric === undefined) continue;
    const ci =
      metric.ci === undefined ? '' : `[${formatNumber(metric.ci[0])}, ${formatNumber(metric.ci[1])}]`;
    rows.push([name, formatNumber(metric.value), ci]);
  }
  return textTable(rows);
}

function ruleName(rule: RuleResult): string {
  const where = rule.slice === undefined ? '' : ` [${rule.slice.column}=${rule.slice.value}]`;
  return `${rule.metric}${where}`;
}

/**
 * The gate table of the report, for a terminal: one row per rule with the baseline, the
 * candidate, the change and its interval, and the status; then each rule's reason, indented
 * under the table (a reason is a sentence, too long for a column).
 */
export function verdictTable(verdict: Verdict): string {
  const confidence = verdict.rules.some((r) => r.ci !== undefined) ? '95% CI of Δ' : 'CI of Δ';
  const rows: string[][] = [['metric', 'gate', 'baseline', 'candidate', 'Δ', confidence, 'status']];
  for (const rule of verdict.rules) {
    const alpha = rule.significance === undefined ? '' : ` (α=${rule.significance})`;
    rows.push([
      ruleName(rule),
      `${rule.rule} ${rule.threshold_text}${alpha}`,
      rule.baseline === null ? '—' : formatNumber(rule.baseline),
      rule.candidate === null ? '—' : formatNumber(rule.candidate),
      rule.delta === null ? '—' : formatDelta(rule.delta),
      formatInterval(rule.ci),
      statusCell(rule),
    ]);
  }
  return textTable(rows);
}

/**
 * The reasons a reader must see, one line each: the rules that block the verdict, and the
 * inconclusive ones even when they count as a pass.
 */
export function failedRules(verdict: Verdict): string[] {
  return verdict.rules
    .filter((rule) => ruleBlocks(rule) || rule.status === 'inconclusive')
    .map((rule) => `${statusCell(rule).split(' ')[0]} ${ruleName(rule)} ${rule.rule}: ${rule.reason}`);
}

/** The registry's versions as a person checks them: number, digest, verdict, aliases, params. */
export function versionsTable(versions: readonly ModelVersion[]): string {
  const rows: string[][] = [['version', 'sha256', 'verdict', 'aliases', 'trained with']];
  for (const v of versions) {
    const verdict = v.verdict === null ? 'none' : v.verdict.passed ? 'passed' : 'FAILED (refused)';
    const params = v.lineage.params === null ? '' : JSON.stringify(v.lineage.params);
    rows.push([`v${v.version}`, v.sha256.slice(0, 12), verdict, v.aliases.join(', ') || '—', params]);
  }
  return textTable(rows);
}
