import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { Verdict } from '../kernel/records/verdict.ts';

export const MODEL_VERSION_SCHEMA = 'modelgate/model-version@1';

/** Where a version came from: the run that made it and the baseline it was compared with. */
export interface Lineage {
  commit: string | null;
  ref: string | null;
  run_url: string | null;
  pr: number | null;
  /** The registered version this one was gated against (the baseline), if any. */
  parent_version: number | null;
  /** sha256 of the evaluation data. */
  data_sha256: string | null;
  /** Training parameters, as the train step recorded them. */
  params: Record<string, unknown> | null;
  /** Training telemetry (duration, GPUs), as the train step recorded it. */
  training: Record<string, unknown> | null;
}

/** `modelgate/model-version@1` (CONTRACT.md "The model server" / registry show --json). */
export interface ModelVersion {
  schema: typeof MODEL_VERSION_SCHEMA;
  name: string;
  version: number;
  sha256: string;
  bytes: number;
  aliases: string[];
  created_at: string;
  lineage: Lineage;
  evaluation: EvaluationRecord | null;
  verdict: Verdict | null;
  /** Where a person can see this version: a release page on GitHub, a folder on disk. */
  url: string;
}

export interface RegisterRequest {
  readonly name: string;
  readonly modelPath: string;
  readonly evaluation: EvaluationRecord | null;
  readonly verdict: Verdict | null;
  readonly lineage: Partial<Lineage>;
  /**
   * Alias to move to the new version in the same step (e.g. `champion`). When a concurrent
   * register moved it to a newer version first, it stays there (aliases only move forward)
   * and the returned version does not list it.
   */
  readonly alias?: string;
  /** Move `alias` even when a concurrent register moved it to a newer version meanwhile. */
  readonly allowDowngrade?: boolean;
  /** Refuse a verdict that did not pass (the default; CONTRACT.md register `require-passed`). */
  readonly requirePassed: boolean;
}

/** How an alias may move. */
export interface AliasMoveOptions {
  /** Allow a move to a lower version than the alias names now (default false). */
  readonly allowDowngrade?: boolean;
}

/**
 * A model registry: versions with their evaluation, verdict and lineage, plus aliases. Every
 * read of a model file verifies its sha256. `ref` is a version number, an alias or `latest`.
 * A failed call leaves the registry as it was.
 */
export interface Registry {
  /** `fs:PATH` or `github:OWNER/REPO`, for messages. */
  readonly location: string;
  list(name: string): Promise<ModelVersion[]>;
  resolve(name: string, ref: string): Promise<ModelVersion>;
  register(request: RegisterRequest): Promise<ModelVersion>;
  /**
   * Points `alias` at `version`, as a compare-and-swap: a move to a version lower than the one
   * the alias names at that moment is refused (an AliasDowngradeError), unless `allowDowngrade`.
   */
  setAlias(name: string, alias: string, version: number, options?: AliasMoveOptions): Promise<ModelVersion>;
  removeAlias(name: string, alias: string): Promise<void>;
  /** The model's bytes, verified against the version's sha256 (a mismatch is an InputError naming both digests). */
  fetchModel(version: ModelVersion): Promise<Uint8Array>;
}
