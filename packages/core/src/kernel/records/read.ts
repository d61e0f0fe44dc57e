import { z } from 'zod';
import { InputError } from '../errors.ts';
import { readInputFile } from '../fs.ts';
import { EVALUATION_SCHEMA, type EvaluationRecord } from './evaluation.ts';

const metricValue = z.object({ value: z.number(), ci: z.tuple([z.number(), z.number()]).optional() });

/** The parts of an evaluation record that compare relies on; the rest passes through. */
const evaluationShape = z
  .object({
    schema: z.literal(EVALUATION_SCHEMA),
    task: z.enum(['binary', 'multiclass', 'regression']),
    data: z
      .object({ path: z.string(), sha256: z.string(), rows: z.number(), label: z.string() })
      .passthrough(),
    metrics: z.record(z.string(), metricValue),
    slices: z.array(
      z.object({
        column: z.string(),
        value: z.string(),
        rows: z.number(),
        metrics: z.record(z.string(), metricValue),
      }),
    ),
    bootstrap: z.object({ resamples: z.number(), confidence: z.number(), seed: z.number() }),
  })
  .passthrough();

/** Reads and checks an evaluation record, naming the file and the first field that is wrong. */
export async function readEvaluationRecord(path: string, role: string): Promise<EvaluationRecord> {
  const bytes = await readInputFile(path, `${role} evaluation`);
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`${role} evaluation ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const schema = (document as { schema?: unknown } | null)?.schema;
  if (schema !== EVALUATION_SCHEMA) {
    throw new InputError(
      `${role} evaluation ${path} is not a ${EVALUATION_SCHEMA} record (schema: ${JSON.stringify(schema ?? null)})`,
      { hint: "make it with 'modelgate evaluate … --out FILE'" },
    );
  }
  const result = evaluationShape.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(
      `${role} evaluation ${path}: '${issue?.path.join('.')}' ${issue?.message ?? 'is not valid'}`,
    );
  }
  return result.data as unknown as EvaluationRecord;
}
