import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../kernel/errors.ts';
import { shortDigest } from '../kernel/format.ts';
import type { Logger } from '../kernel/ports.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import { LATEST, parseRef, RegistryLookupError } from './names.ts';
import type { ModelVersion, Registry } from './types.ts';

/** The prefix of a registry baseline (`registry:production`). */
export const REGISTRY_BASELINE_PREFIX = 'registry:';

/** A baseline to be looked up in a registry: `registry:REF` for the model `name`. */
export interface RegistryBaselineRef {
  readonly registry: Registry;
  readonly name: string;
  /** A version number, an alias or `latest`. */
  readonly ref: string;
}

/**
 * The REF of a `registry:REF` baseline, checked; undefined for any other baseline (a path, `none`).
 * `what` names the option it came from, as the caller names it.
 */
export function registryBaselineRef(baseline: string | undefined, what: string): string | undefined {
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
export function registryBaselineModel(
  baseline: RegistryBaselineRef,
  logger: Logger,
): Promise<FoundBaseline<string>> {
  return fromRegistry(baseline, logger, fetchedModel);
}

/** The aliased version's stored evaluation record, for an unpaired comparison of two records. */
export function registryBaselineRecord(
  baseline: RegistryBaselineRef,
  logger: Logger,
): Promise<FoundBaseline<EvaluationRecord>> {
  return fromRegistry(baseline, logger, storedEvaluation);
}

type Take<T> = (baseline: RegistryBaselineRef, version: ModelVersion, logger: Logger) => Promise<Found<T>>;
type Found<T> = Extract<FoundBaseline<T>, { found: true }>;

/** Looks the baseline up, and takes what the comparison needs from it when it is there. */
async function fromRegistry<T>(
  baseline: RegistryBaselineRef,
  logger: Logger,
  take: Take<T>,
): Promise<FoundBaseline<T>> {
  const version = await lookUp(baseline, logger);
  return 'found' in version ? version : take(baseline, version, logger);
}

const fetchedModel: Take<string> = async (baseline, version, logger) => {
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
};

const storedEvaluation: Take<EvaluationRecord> = async (baseline, version, logger) => {
  if (version.evaluation === null) {
    throw new InputError(
      `the baseline ${describe(baseline, version)} was registered without an evaluation record, so there is nothing to compare with`,
      {
        hint: 'compare the models themselves: give the candidate model with its data and label (the baseline model is fetched from the registry)',
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
};

/**
 * Resolves the ref (saying so when there is no baseline). The first model's situation (no baseline, said in a note; the change rules
 * skip, or fail with `require_baseline`) is only where nothing could have been meant:
 * - the registry holds no models at all (the reusable workflow's very first run);
 * - the model exists but has no versions, or no aliases at all (registered, never promoted:
 *   the workflow registers before its deploy moves the alias, and a first deploy can fail).
 *
 * Anything else that does not resolve is a mistake worth stopping for (exit 2), naming what
 * exists: a model name the registry lacks while it holds others (a misspelt name, or a new
 * model, whose first gate says the baseline `none`), an alias the model lacks while it has others,
 * and a version number that does not exist.
 */
async function lookUp(
  baseline: RegistryBaselineRef,
  logger: Logger,
): Promise<ModelVersion | { found: false; note: string }> {
  const { registry, name, ref } = baseline;
  const parsed = parseRef(ref);
  try {
    return await registry.resolve(name, ref);
  } catch (error) {
    if (!(error instanceof RegistryLookupError)) throw error;
    const first = (what: string) => {
      const note = `no baseline: ${what}, so this is treated as the first model`;
      logger.info(note);
      return { found: false as const, note };
    };
    if (error.kind === 'model') {
      if (error.existing.length === 0)
        return first(`the registry ${registry.location} holds no model '${name}' yet`);
      if (error.suggestion !== undefined) throw error;
      throw new RegistryLookupError('model', error.message, {
        existing: error.existing,
        hint: `if '${name}' is a new model, gate its first version with the baseline 'none'`,
      });
    }
    if (error.kind === 'version') {
      if (parsed.kind === 'version') throw error;
      return first(`model '${name}' has no versions yet in ${registry.location}`);
    }
    if (error.existing.length > 0) throw error;
    const latest = await latestVersion(registry, name);
    if (latest === undefined) return first(`model '${name}' has no versions yet in ${registry.location}`);
    return first(
      `model '${name}' has no alias '${ref}' yet in ${registry.location} (no version has been given an alias; the latest is v${latest})`,
    );
  }
}

/** The highest version number of a model, or undefined when it has none. */
async function latestVersion(registry: Registry, name: string): Promise<number | undefined> {
  try {
    return (await registry.resolve(name, LATEST)).version;
  } catch (error) {
    if (error instanceof RegistryLookupError) return undefined;
    throw error;
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
