import { isAbsolute, relative } from 'node:path';
import type { EvaluationRecord, ModelVersion, RuleResult, Verdict } from '@modelgate/core';
import { formatNumber } from '../render.ts';

/** A path as the user can use it from where they are: relative inside the working directory, else absolute. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Columns padded to their widest cell; numbers (cells starting with a digit or sign) right-aligned. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const width = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: width }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (cell: string) => /^[+\-−]?[0-9.]/.test(cell);
  return rows
    .map((row) =>
      row
        .map((cell, c) => (numeric(cell) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const signed = (value: number) => `${value > 0 ? '+' : ''}${formatNumber(value)}`;

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
 * candidate, the change and its interval, and the status. The report file has the full story.
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
      rule.delta === null ? '—' : signed(rule.delta),
      rule.ci === undefined ? '—' : `[${signed(rule.ci[0])}, ${signed(rule.ci[1])}]`,
      rule.status === 'pass' ? '✓ pass' : rule.status === 'skip' ? '· skip' : `✗ ${rule.status}`,
    ]);
  }
  return textTable(rows);
}

/** Why the rules that did not pass failed, one line each. */
export function failedRules(verdict: Verdict): string[] {
  return verdict.rules
    .filter((rule) => rule.status === 'fail' || rule.status === 'error')
    .map((rule) => `${ruleName(rule)} ${rule.rule}: ${rule.reason}`);
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
