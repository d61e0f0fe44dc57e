import { type RuleResult, ruleBlocks } from '../../kernel/records/verdict.ts';
import { out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { CompareOutcome } from './run.ts';

const ICON = { pass: '✔', fail: '✘', inconclusive: '?', skip: '-', error: '!' } as const;

/**
 * The outcome for every caller: the headline and one line per rule on the terminal (the action's
 * log), the report as the job summary, the action's outputs, and exit code 1 for a failed gate
 * unless `fail-on-regression` is false.
 */
export function presentCompare(outcome: CompareOutcome): Presentation {
  const { verdict } = outcome;
  const lines: TerminalLine[] = [
    out(outcome.report.split('\n')[0]?.replace(/^#+\s*/, '') ?? ''),
    ...verdict.rules.map((rule) => out(ruleLine(rule))),
  ];
  if (outcome.out !== undefined) lines.push(out(`verdict: ${outcome.out}`));
  if (outcome.reportPath !== undefined) lines.push(out(`report: ${outcome.reportPath}`));
  const failing = outcome.kind === 'failed' && outcome.failOnRegression;
  return {
    lines,
    summary: outcome.report,
    ...(outcome.reportPath === undefined
      ? {}
      : { fullReportAt: `the \`report\` output (${outcome.reportPath})` }),
    outputs: {
      passed: String(verdict.passed),
      ...(outcome.out === undefined ? {} : { verdict: outcome.out }),
      ...(outcome.reportPath === undefined ? {} : { report: outcome.reportPath }),
      'comment-url': outcome.comment?.kind === 'commented' ? outcome.comment.url : '',
    },
    exitCode: failing ? 1 : 0,
    ...(failing ? { failure: failureLine(outcome) } : {}),
  };
}

/** `  ✘ fail  accuracy [size=small] max_drop: dropped 0.02 > 0.01 allowed`. */
function ruleLine(rule: RuleResult): string {
  const where = rule.slice === undefined ? '' : ` [${rule.slice.column}=${rule.slice.value}]`;
  return `  ${ICON[rule.status]} ${rule.status.padEnd(5)} ${rule.metric}${where} ${rule.rule}: ${rule.reason}`;
}

/** The one line a failed step ends with: the rules that block, with their thresholds and reasons. */
function failureLine(outcome: CompareOutcome): string {
  const failed = outcome.verdict.rules.filter(ruleBlocks);
  const rules = failed.map((r) => `${r.metric} ${r.rule} (${r.reason})`);
  return `${outcome.name} fails its gates: ${rules.join('; ')}`;
}
