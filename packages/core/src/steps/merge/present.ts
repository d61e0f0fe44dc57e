import { presentRecord } from '../../evaluation/summary.ts';
import type { Presentation } from '../../kernel/step.ts';
import type { MergeOutcome } from './run.ts';

/** The merged record, shown as evaluate shows one: the metrics table, the notes, the summary. */
export function presentMerge(outcome: MergeOutcome): Presentation {
  const { record } = outcome;
  return presentRecord(record, outcome.out, [
    `merged ${outcome.parts.length} parts (${record.data.rows} rows)`,
  ]);
}
