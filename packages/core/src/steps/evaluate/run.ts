import { evaluate, scoreRows } from '../../evaluation/evaluate.ts';
import { type EvaluationPart, partRecord } from '../../evaluation/part.ts';
import type { RuntimeLoader } from '../../inference/runtime.ts';
import { writeJsonAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import type { EvaluationRecord } from '../../kernel/records/evaluation.ts';
import type { EvaluateStepSettings } from './settings.ts';

export interface EvaluatePorts {
  readonly logger: Logger;
  /** How to load onnxruntime-node (an action's tool cache); the default imports it. */
  readonly runtime?: RuntimeLoader;
}

export type EvaluateOutcome =
  | { readonly kind: 'evaluated'; readonly record: EvaluationRecord; readonly out?: string }
  /** One shard's part record (`--shard K/N`), for `merge`. */
  | { readonly kind: 'part'; readonly part: EvaluationPart; readonly out?: string };

/** Scores the model (or reads the predictions) and writes the record atomically where `out` says. */
export async function runEvaluate(
  settings: EvaluateStepSettings,
  ports: EvaluatePorts,
): Promise<EvaluateOutcome> {
  const runtime = ports.runtime ?? settings.evaluate.runtime;
  const scoring = { ...settings.evaluate, ...(runtime === undefined ? {} : { runtime }) };
  if (settings.shard !== undefined) {
    const part = await partRecord(
      await scoreRows(scoring, settings.shard, ports.logger),
      scoring,
      settings.shard,
    );
    if (settings.out !== undefined) await writeJsonAtomic(settings.out, part);
    return { kind: 'part', part, ...(settings.out === undefined ? {} : { out: settings.out }) };
  }
  const { record } = await evaluate(scoring, ports.logger);
  if (settings.out === undefined) return { kind: 'evaluated', record };
  await writeJsonAtomic(settings.out, record);
  return { kind: 'evaluated', record, out: settings.out };
}
