import { driftHeadline, worstFirst } from '../../drift/report.ts';
import { formatValue } from '../../kernel/format.ts';
import { err, out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { MonitorOutcome } from './run.ts';

/** Drifted features listed on the terminal; the report has them all. */
const MAX_TERMINAL_FEATURES = 10;

/**
 * The outcome for every caller: the verdict, the drifted features worst first, where the record
 * and report went; the report is the job summary. Drift is exit code 1, as a failed gate is.
 * Without a file to write to, stdout carries the record and the rest goes to stderr.
 */
export function presentMonitor(outcome: MonitorOutcome): Presentation {
  const { record } = outcome;
  const say = outcome.out === undefined ? err : out;
  const lines: TerminalLine[] = [];
  if (outcome.out === undefined) lines.push(out(JSON.stringify(record, null, 2)));
  lines.push(say(driftHeadline(record)));
  const drifted = worstFirst(record.features).filter(([, f]) => f.drifted);
  for (const [name, f] of drifted.slice(0, MAX_TERMINAL_FEATURES)) {
    lines.push(
      say(
        `  ${name}: ${f.test} ${formatValue(f.statistic)}, adjusted p ${formatValue(f.p_adjusted)}, PSI ${formatValue(f.psi)}, Wasserstein ${formatValue(f.wasserstein)}`,
      ),
    );
  }
  if (drifted.length > MAX_TERMINAL_FEATURES)
    lines.push(say(`  … and ${drifted.length - MAX_TERMINAL_FEATURES} more (see the report)`));
  if (record.performance !== undefined) {
    for (const rule of record.performance.rules.filter((r) => r.status === 'fail'))
      lines.push(say(`  performance: ${rule.metric} ${rule.rule}: ${rule.reason}`));
  }
  if (outcome.out !== undefined) lines.push(say(`wrote ${outcome.out}`));
  if (outcome.reportPath !== undefined) lines.push(say(`wrote ${outcome.reportPath}`));
  if (outcome.issue !== undefined)
    lines.push(say(`drift issue ${outcome.issue.action}: ${outcome.issue.url}`));
  if (outcome.dispatched !== undefined)
    lines.push(say(`dispatched ${outcome.dispatched} with drift id ${record.id}`));
  return {
    lines,
    summary: outcome.report,
    ...(outcome.reportPath === undefined ? {} : { fullReportAt: outcome.reportPath }),
    outputs: {
      drifted: String(record.drifted),
      ...(outcome.out === undefined ? {} : { drift: outcome.out }),
      ...(outcome.reportPath === undefined ? {} : { report: outcome.reportPath }),
      'issue-url': outcome.issue?.url ?? '',
    },
    exitCode: record.drifted ? 1 : 0,
    ...(record.drifted
      ? { failure: `drift: ${outcome.report.split('\n')[0]?.replace(/^## \S+ /, '')}` }
      : {}),
  };
}
