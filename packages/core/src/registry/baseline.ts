import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import type { Logger } from '../evaluate/settings.ts';
import type { EvaluationRecord } from '../record/evaluation.ts';
import { shortDigest } from '../report/format.ts';
import { parseRef, RegistryLookupError } from './names.ts';
import type { ModelVersion, Registry } from './types.ts';

/** The prefix of a registry baseline (`--baseline registry:production`). */
export const REGISTRY_BASELINE_PREFIX = 'registry:';

/** A baseline to be looked up in a registry: `registry:REF` for the model `name`. */
export interface RegistryBaselineRef {
  readonly registry: Registry;
  readonly name: string;
  /** A version number, an alias or `latest`. */
  readonly ref: string;
}

/** The REF of a `registry:REF` baseline, checked; undefined for any other baseline (a path, `none`). */
export function registryBaselineRef(baseline: string | undefined, what = '--baseline'): string | undefined {
  if (baseline === undefined || !baseline.startsWith(REGISTRY_BASELINE_PREFIX)) return undefined;
  const ref = baseline.slice(REGISTRY_BASELINE_PREFIX.length);
  if (ref === '') {
    throw new InputError(
      `${what} '${baseline}' names no alias: write registry:ALIAS (e.g. registry:production)`,
    );
  }
  parseRef(ref);
  return ref;
}

/** Whether a compare baseline is a registry lookup rather than a path. */
export function isRegistryBaseline(value: unknown): value is RegistryBaselineRef {
  return typeof value === 'object' && value !== null && 'registry' in value && 'ref' in value;
}

/** A registry baseline made concrete, or the reason there is none yet. */
export type FoundBaseline<T> =
  | { readonly found: false; readonly note: string }
  | {
      readonly found: true;
      readonly value: T;
      readonly version: ModelVersion;
      readonly label: string;
      readonly note: string;
      cleanup(): Promise<void>;
    };

/**
 * The aliased version's model, fetched (digest verified) into a temporary file to be scored on
 * the candidate's rows. A stored evaluation cannot stand in for it: the paired bootstrap needs
 * both models' predictions row by row.
 */
export async function registryBaselineModel(
  baseline: RegistryBaselineRef,
  logger: Logger,
): Promise<FoundBaseline<string>> {
  const version = await lookUp(baseline);
  if ('found' in version) {
    logger.info(version.note);
    return version;
  }
  logger.info(`fetching the baseline ${describe(baseline, version)} from ${baseline.registry.location}`);
  const bytes = await baseline.registry.fetchModel(version);
  const dir = await mkdtemp(join(tmpdir(), 'modelgate-baseline-'));
  const path = join(dir, `${version.name}-v${version.version}.onnx`);
  try {
    await writeFile(path, bytes);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new InputError(`cannot write the baseline model to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    found: true,
    value: path,
    version,
    label: labelOf(baseline, version),
    note: `baseline: ${describe(baseline, version)} from ${baseline.registry.location}, scored on the candidate's rows`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The aliased version's stored evaluation record, for an unpaired comparison of two records. */
export async function registryBaselineRecord(
  baseline: RegistryBaselineRef,
  logger: Logger,
): Promise<FoundBaseline<EvaluationRecord>> {
  const version = await lookUp(baseline);
  if ('found' in version) {
    logger.info(version.note);
    return version;
  }
  if (version.evaluation === null) {
    throw new InputError(
      `the baseline ${describe(baseline, version)} was registered without an evaluation record, so there is nothing to compare with`,
      {
        hint: 'compare the models themselves: give --model with --data and --label (the baseline model is fetched from the registry)',
      },
    );
  }
  logger.info(`using the stored evaluation of the baseline ${describe(baseline, version)}`);
  return {
    found: true,
    value: version.evaluation,
    version,
    label: labelOf(baseline, version),
    note: `baseline: the stored evaluation of ${describe(baseline, version)} from ${baseline.registry.location}`,
    cleanup: async () => {},
  };
}

/**
 * Resolves the ref. A model or alias that does not exist yet is the first model's situation: no
 * baseline, said in a note, and the change rules skip (or fail, with `require_baseline`). An
 * explicit version number that does not exist, or an alias one typo away from an existing one,
 * is a mistake worth stopping for.
 */
async function lookUp(baseline: RegistryBaselineRef): Promise<ModelVersion | { found: false; note: string }> {
  const { registry, name, ref } = baseline;
  const parsed = parseRef(ref);
  try {
    return await registry.resolve(name, ref);
  } catch (error) {
    if (!(error instanceof RegistryLookupError)) throw error;
    if (error.kind === 'alias' && error.suggestion !== undefined) throw error;
    if (error.kind === 'version' && parsed.kind === 'version') throw error;
    const what =
      error.kind === 'model'
        ? `the registry ${registry.location} holds no model '${name}' yet`
        : parsed.kind === 'alias'
          ? `model '${name}' has no alias '${parsed.alias}' yet in ${registry.location}`
          : `model '${name}' has no versions yet in ${registry.location}`;
    return { found: false, note: `no baseline: ${what}, so this is treated as the first model` };
  }
}

function describe(baseline: RegistryBaselineRef, version: ModelVersion): string {
  const via = baseline.ref === String(version.version) ? '' : ` (${baseline.ref})`;
  return `${version.name} v${version.version}${via}, sha256 ${shortDigest(version.sha256)}, registered ${version.created_at}`;
}

/** How the baseline model is named in its record and the report, in place of a temporary path. */
function labelOf(baseline: RegistryBaselineRef, version: ModelVersion): string {
  return `${baseline.registry.location}/${version.name}@${version.version}`;
}
