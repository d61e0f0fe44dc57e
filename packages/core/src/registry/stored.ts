import { z } from 'zod';
import { InputError } from '../kernel/errors.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { Verdict } from '../kernel/records/verdict.ts';
import { MODEL_VERSION_SCHEMA, type ModelVersion } from './types.ts';

/**
 * A version as the filesystem registry stores it: the record without the two fields that change
 * after registering (`aliases` move, `url` depends on where the registry is), which are filled
 * in when it is read.
 */
export type StoredVersion = Omit<ModelVersion, 'aliases' | 'url'>;

const nullableString = z.string().nullable();
const lineageShape = z
  .object({
    commit: nullableString,
    ref: nullableString,
    run_url: nullableString,
    pr: z.number().int().nullable(),
    parent_version: z.number().int().nullable(),
    data_sha256: nullableString,
    params: z.record(z.string(), z.unknown()).nullable(),
    training: z.record(z.string(), z.unknown()).nullable(),
  })
  .passthrough();

// The evaluation and the verdict were checked when they were registered; here they only have to
// be objects with the right schema tag, so that listing thousands of versions stays fast.
const storedVersionShape = z
  .object({
    schema: z.literal(MODEL_VERSION_SCHEMA),
    name: z.string(),
    version: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
    created_at: z.string(),
    lineage: lineageShape,
    evaluation: z
      .object({ schema: z.literal('modelgate/evaluation@1') })
      .passthrough()
      .nullable(),
    verdict: z
      .object({ schema: z.literal('modelgate/verdict@1') })
      .passthrough()
      .nullable(),
  })
  .passthrough();

const storedAliasShape = z.object({
  name: z.string(),
  alias: z.string(),
  version: z.number().int().positive(),
  updated_at: z.string(),
});

/** Parses a stored version record, checking that it is the version its path says. */
export function parseStoredVersion(text: string, path: string, name: string, version: number): StoredVersion {
  const record = parseShape(text, path, storedVersionShape);
  if (record.name !== name || record.version !== version) {
    throw damaged(path, `it holds ${record.name} v${record.version}, not ${name} v${version}`);
  }
  const {
    aliases: _aliases,
    url: _url,
    ...stored
  } = record as typeof record & { aliases?: unknown; url?: unknown };
  return {
    ...stored,
    evaluation: record.evaluation as unknown as EvaluationRecord | null,
    verdict: record.verdict as unknown as Verdict | null,
  } as StoredVersion;
}

const storedAliasMoveShape = z.object({
  name: z.string(),
  alias: z.string(),
  version: z.number().int().positive().nullable(),
  seq: z.number().int().positive(),
  updated_at: z.string(),
});

/** One move of an alias (`version` null: removed), the `seq`-th; the highest `seq` is the alias's value. */
export type StoredAliasMove = z.infer<typeof storedAliasMoveShape>;

/** Parses a stored alias move, checking that it is the alias and move its path says. */
export function parseStoredAliasMove(
  text: string,
  path: string,
  name: string,
  alias: string,
  seq: number,
): StoredAliasMove {
  const record = parseShape(text, path, storedAliasMoveShape);
  if (record.name !== name || record.alias !== alias || record.seq !== seq) {
    throw damaged(
      path,
      `it is move ${record.seq} of alias '${record.alias}' of ${record.name}, not move ${seq} of '${alias}' of ${name}`,
    );
  }
  return record;
}

/** Parses a stored alias, checking that it is the alias its path says. */
export function parseStoredAlias(
  text: string,
  path: string,
  name: string,
  alias: string,
): { alias: string; version: number } {
  const record = parseShape(text, path, storedAliasShape);
  if (record.name !== name || record.alias !== alias) {
    throw damaged(path, `it is alias '${record.alias}' of ${record.name}, not '${alias}' of ${name}`);
  }
  return { alias: record.alias, version: record.version };
}

function parseShape<T extends z.ZodType>(text: string, path: string, shape: T): z.infer<T> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw damaged(path, `it is not valid JSON (${(error as Error).message})`, error);
  }
  const result = shape.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw damaged(path, `${field === '' ? 'it' : `'${field}'`} ${issue?.message ?? 'is not valid'}`);
  }
  return result.data;
}

function damaged(path: string, detail: string, cause?: unknown): InputError {
  return new InputError(`registry file ${path} is damaged: ${detail}`, {
    hint: 'restore it from a backup (or from version control); modelgate never edits a registered file',
    ...(cause === undefined ? {} : { cause }),
  });
}
