import { readFileSync } from 'node:fs';
import { jsonFilesOf } from '../../evaluation/files.ts';
import {
  type Candidate,
  type CandidateResult,
  type SelectionRecord,
  selectCandidate,
} from '../../evaluation/selection.ts';
import type { RuntimeLoader } from '../../inference/runtime.ts';
import { writeJsonAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import { EVALUATION_SCHEMA } from '../../kernel/records/evaluation.ts';
import { readEvaluationRecord } from '../../kernel/records/read.ts';
import type { SelectSettings } from './settings.ts';

export interface SelectPorts {
  readonly logger: Logger;
  /** How to load onnxruntime-node to re-score paired candidates (an action's tool cache); the default imports it. */
  readonly runtime?: RuntimeLoader;
}

export type SelectOutcome =
  | { readonly kind: 'selected'; readonly selection: SelectionRecord; readonly out?: string }
  /** No candidate passed the bounds: nothing is written. */
  | {
      readonly kind: 'none-passed';
      readonly metric: string;
      readonly candidates: readonly CandidateResult[];
    };

function isEvaluation(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { schema?: unknown }).schema === EVALUATION_SCHEMA;
  } catch {
    return false;
  }
}

/** Reads the candidates, picks the winner, and writes the selection atomically where `out` says. */
export async function runSelect(settings: SelectSettings, ports: SelectPorts): Promise<SelectOutcome> {
  const candidates: Candidate[] = [];
  for (const evaluation of settings.evaluations.flatMap((entry) =>
    jsonFilesOf(entry, `${EVALUATION_SCHEMA} records`, isEvaluation),
  )) {
    candidates.push({ evaluation, record: await readEvaluationRecord(evaluation, 'candidate') });
  }
  ports.logger.info(`selecting the best of ${candidates.length} candidates by ${settings.metric}`);
  const result = await selectCandidate(
    candidates,
    settings.metric,
    settings.gates,
    ports.logger,
    settings.metricOption,
    ports.runtime,
  );
  if (result.kind === 'none-passed')
    return { kind: 'none-passed', metric: settings.metric, candidates: result.candidates };
  if (settings.out === undefined) return { kind: 'selected', selection: result.selection };
  await writeJsonAtomic(settings.out, result.selection);
  return { kind: 'selected', selection: result.selection, out: settings.out };
}
