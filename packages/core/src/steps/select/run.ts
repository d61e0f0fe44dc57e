import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Candidate,
  type CandidateResult,
  type SelectionRecord,
  selectCandidate,
} from '../../evaluation/selection.ts';
import { InputError } from '../../kernel/errors.ts';
import { writeJsonAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import { EVALUATION_SCHEMA } from '../../kernel/records/evaluation.ts';
import { readEvaluationRecord } from '../../kernel/records/read.ts';
import type { SelectSettings } from './settings.ts';

export interface SelectPorts {
  readonly logger: Logger;
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

/** The records an entry names: the file, or every evaluation record under a folder (sorted). */
function recordFiles(entry: string): string[] {
  let directory = false;
  try {
    directory = statSync(entry).isDirectory();
  } catch {
    return [entry]; // reading it names the missing file
  }
  if (!directory) return [entry];
  const found = (readdirSync(entry, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(entry, name))
    .filter((path) => statSync(path).isFile() && isEvaluation(path));
  if (found.length === 0) throw new InputError(`folder ${entry} holds no ${EVALUATION_SCHEMA} records`);
  return found;
}

/** Reads the candidates, picks the winner, and writes the selection atomically where `out` says. */
export async function runSelect(settings: SelectSettings, ports: SelectPorts): Promise<SelectOutcome> {
  const candidates: Candidate[] = [];
  for (const evaluation of settings.evaluations.flatMap(recordFiles)) {
    candidates.push({ evaluation, record: await readEvaluationRecord(evaluation, 'candidate') });
  }
  ports.logger.info(`selecting the best of ${candidates.length} candidates by ${settings.metric}`);
  const result = await selectCandidate(
    candidates,
    settings.metric,
    settings.gates,
    ports.logger,
    settings.metricOption,
  );
  if (result.kind === 'none-passed')
    return { kind: 'none-passed', metric: settings.metric, candidates: result.candidates };
  if (settings.out === undefined) return { kind: 'selected', selection: result.selection };
  await writeJsonAtomic(settings.out, result.selection);
  return { kind: 'selected', selection: result.selection, out: settings.out };
}
