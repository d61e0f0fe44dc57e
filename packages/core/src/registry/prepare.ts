import { InputError } from '../kernel/errors.ts';
import { readInputFile, sha256 } from '../kernel/fs.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { Verdict } from '../kernel/records/verdict.ts';
import { validateAlias, validateModelName } from './names.ts';
import {
  type Lineage,
  MODEL_VERSION_SCHEMA,
  type ModelVersion,
  type RegisterRequest,
  type Registry,
} from './types.ts';

/** A register request that passed every check, with the model's bytes read once. */
export interface PreparedRegistration {
  readonly name: string;
  readonly alias: string | undefined;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly evaluation: EvaluationRecord | null;
  readonly verdict: Verdict | null;
  /** Every field present; `parent_version` may still be null for the backend to fill. */
  readonly lineage: Lineage;
}

/** Where the request's records came from, so refusals can name the files. */
export interface RegistrationSources {
  readonly evaluation?: string;
  readonly verdict?: string;
  /** How the caller turns the passing-verdict check off, for the hints (`--require-passed false`). */
  readonly requirePassedOff?: string;
}

/**
 * Every check a register makes before it writes anything, shared by the backends so that a
 * refusal leaves every registry untouched: the names, the model file, and that the verdict and
 * the evaluation are about this exact file (DESIGN.md: deploy trusts a verdict only for the
 * sha256 it names). With `requirePassed`, a missing verdict, a verdict that did not pass, or one
 * made from a predictions file (which names no model) is refused.
 */
export async function prepareRegistration(
  request: RegisterRequest,
  sources: RegistrationSources = {},
): Promise<PreparedRegistration> {
  const name = validateModelName(request.name);
  const alias = request.alias === undefined ? undefined : validateAlias(request.alias);
  const bytes = await readInputFile(request.modelPath, 'model file');
  if (bytes.length === 0) throw new InputError(`model file ${request.modelPath} is empty`);
  const digest = sha256(bytes);
  const model = `${request.modelPath} (sha256 ${digest})`;
  const off = sources.requirePassedOff ?? '--require-passed false';
  const verdictName = sources.verdict === undefined ? 'the verdict' : `verdict ${sources.verdict}`;
  const evaluationName =
    sources.evaluation === undefined ? 'the evaluation' : `evaluation ${sources.evaluation}`;

  const { verdict, evaluation } = request;
  if (verdict !== null) {
    const vouchesFor = verdict.candidate.sha256;
    if (vouchesFor !== null && vouchesFor !== digest) {
      throw new InputError(
        `${verdictName} is about the model with sha256 ${vouchesFor}, but ${model} is another file`,
        { hint: 'register the model the verdict was made for, or run compare again on this one' },
      );
    }
    if (request.requirePassed && vouchesFor === null) {
      throw new InputError(
        `${verdictName} names no candidate model (it gated a predictions file), so it cannot vouch for ${model}`,
        {
          hint: `run 'modelgate compare --model …' on the model itself, or register with ${off}`,
        },
      );
    }
    if (request.requirePassed && !verdict.passed) {
      const failed = verdict.rules.filter((rule) => rule.status === 'fail' || rule.status === 'error');
      const why =
        failed.length === 0 ? '' : `: ${failed.map((r) => `${r.metric} ${r.rule} ${r.status}`).join(', ')}`;
      throw new InputError(`refusing to register ${request.modelPath}: ${verdictName} did not pass${why}`, {
        hint: `a model that fails its gates is not registered; pass ${off} to store it anyway`,
      });
    }
  } else if (request.requirePassed) {
    throw new InputError(
      `refusing to register ${request.modelPath} without a verdict: a passing verdict is required`,
      {
        hint: `make one with 'modelgate compare … --out verdict.json', or register with ${off}`,
      },
    );
  }
  const evaluated = evaluation?.model?.sha256;
  if (evaluated !== undefined && evaluated !== digest) {
    throw new InputError(
      `${evaluationName} is of the model with sha256 ${evaluated}, but ${model} is another file`,
      {
        hint: 'register the model that was evaluated, or evaluate this one',
      },
    );
  }

  return {
    name,
    alias,
    bytes,
    sha256: digest,
    evaluation,
    verdict,
    lineage: completeLineage({
      ...request.lineage,
      data_sha256: request.lineage.data_sha256 ?? evaluation?.data.sha256 ?? null,
    }),
  };
}

/** Every field of a lineage, null where `given` says nothing (`parent_version` may stay null for the backend to fill). */
export function completeLineage(given: Partial<Lineage>): Lineage {
  return {
    commit: given.commit ?? null,
    ref: given.ref ?? null,
    run_url: given.run_url ?? null,
    pr: given.pr ?? null,
    parent_version: given.parent_version ?? null,
    data_sha256: given.data_sha256 ?? null,
    params: given.params ?? null,
    training: given.training ?? null,
  };
}

/**
 * The version record of a prepared registration as number `version`, gated against `parent`:
 * what every backend stores (each adds where it can be seen, and the aliases when read).
 */
export function versionRecord(
  prepared: PreparedRegistration,
  version: number,
  parent: number | null,
): Omit<ModelVersion, 'aliases' | 'url'> {
  return {
    schema: MODEL_VERSION_SCHEMA,
    name: prepared.name,
    version,
    sha256: prepared.sha256,
    bytes: prepared.bytes.length,
    created_at: new Date().toISOString(),
    lineage: { ...prepared.lineage, parent_version: parent },
    evaluation: prepared.evaluation,
    verdict: prepared.verdict,
  };
}

// How far back to look for the baseline by digest when its alias has moved on since the compare.
const PARENT_SCAN_DEPTH = 16;

/**
 * The registered version a verdict compared against (the lineage's parent): the version its
 * baseline ref names when the digest agrees, else the newest of the last few versions with
 * that digest. Null when the baseline was never registered (a file, or `none`).
 */
export async function findParentVersion(
  registry: Registry,
  name: string,
  verdict: Verdict | null,
  latest: number | null,
): Promise<number | null> {
  const digest = verdict?.baseline?.sha256;
  if (digest === undefined || digest === null || latest === null) return null;
  const ref = verdict?.baseline?.ref;
  if (ref !== null && ref !== undefined) {
    try {
      const named = await registry.resolve(name, ref.replace(/^registry:/, ''));
      if (named.sha256 === digest) return named.version;
    } catch (error) {
      // A ref that is a path or an alias since removed: fall back to the digest.
      if (!(error instanceof InputError)) throw error;
    }
  }
  for (let version = latest; version >= 1 && version > latest - PARENT_SCAN_DEPTH; version--) {
    try {
      const candidate = await registry.resolve(name, String(version));
      if (candidate.sha256 === digest) return version;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  return null;
}
