import { finishEvaluation } from '../../evaluation/evaluate.ts';
import { jsonFilesOf } from '../../evaluation/files.ts';
import { checkPart, mergeParts, type PartFile } from '../../evaluation/part.ts';
import { InputError } from '../../kernel/errors.ts';
import { readInputFile, writeJsonAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import type { EvaluationRecord } from '../../kernel/records/evaluation.ts';
import type { MergeSettings } from './settings.ts';

export interface MergePorts {
  readonly logger: Logger;
}

export type MergeOutcome = {
  readonly kind: 'merged';
  readonly record: EvaluationRecord;
  /** The part files, in shard order. */
  readonly parts: readonly string[];
  readonly out?: string;
};

async function readPart(source: string): Promise<PartFile> {
  const text = (await readInputFile(source, 'part file')).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`part file ${source} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { source, part: checkPart(value, source) };
}

/**
 * Merges the part records of a sharded evaluation into the `modelgate/evaluation@1` record the
 * unsharded run gives (part.ts says how), and writes it atomically where `out` says.
 */
export async function runMerge(settings: MergeSettings, ports: MergePorts): Promise<MergeOutcome> {
  const sources = settings.parts.flatMap((entry) => jsonFilesOf(entry, '.json part files'));
  const files: PartFile[] = [];
  for (const source of sources) files.push(await readPart(source));
  const { scored, settings: scoring } = mergeParts(files);
  ports.logger.info(`merging ${files.length} parts: ${scored.table.rows} rows of ${scored.table.path}`);
  const { record } = await finishEvaluation(scored, scoring, ports.logger);
  const parts = [...files].sort((a, b) => a.part.shard.index - b.part.shard.index).map((f) => f.source);
  if (settings.out === undefined) return { kind: 'merged', record, parts };
  await writeJsonAtomic(settings.out, record);
  return { kind: 'merged', record, parts, out: settings.out };
}
