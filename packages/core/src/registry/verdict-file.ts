import { z } from 'zod';
import { InputError } from '../kernel/errors.ts';
import { readInputFile } from '../kernel/fs.ts';
import { RULE_STATUSES, VERDICT_SCHEMA, type Verdict } from '../kernel/records/verdict.ts';

/** The parts of a verdict that register and deploy rely on; the rest passes through. */
const verdictShape = z
  .object({
    schema: z.literal(VERDICT_SCHEMA),
    passed: z.boolean(),
    paired: z.boolean(),
    candidate: z.object({ sha256: z.string().nullable() }).passthrough(),
    baseline: z
      .object({ sha256: z.string().nullable(), ref: z.string().nullable() })
      .passthrough()
      .nullable(),
    rules: z.array(
      z.object({ metric: z.string(), rule: z.string(), status: z.enum(RULE_STATUSES) }).passthrough(),
    ),
  })
  .passthrough();

/** Reads and checks a `modelgate/verdict@1` file, naming the file and the first field that is wrong. */
export async function readVerdictRecord(path: string, role = 'verdict'): Promise<Verdict> {
  const bytes = await readInputFile(path, role);
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`${role} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const schema = (document as { schema?: unknown } | null)?.schema;
  if (schema !== VERDICT_SCHEMA) {
    throw new InputError(
      `${role} ${path} is not a ${VERDICT_SCHEMA} file (schema: ${JSON.stringify(schema ?? null)})`,
      { hint: "make it with 'modelgate compare … --out FILE'" },
    );
  }
  const result = verdictShape.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(`${role} ${path}: '${issue?.path.join('.')}' ${issue?.message ?? 'is not valid'}`);
  }
  return result.data as unknown as Verdict;
}
