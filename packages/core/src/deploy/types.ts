import type { ModelVersion } from '../registry/types.ts';

/** Where a version goes live (CONTRACT.md deploy `target`). */
export type TargetKind = 'server' | 'kserve' | 'command';
export const TARGET_KINDS: readonly TargetKind[] = ['server', 'kserve', 'command'];

/** How the new version takes over: all at once, or in traffic steps with checks between. */
export type Strategy = 'replace' | 'canary';
export const STRATEGIES: readonly Strategy[] = ['replace', 'canary'];

/** The version being deployed, with its digest-verified bytes. */
export interface ModelToDeploy {
  readonly version: ModelVersion;
  /** The model file's bytes, already checked against `version.sha256`. */
  readonly bytes: Uint8Array;
}

/** What a target reports is serving, when it can tell (the built-in server can). */
export interface Serving {
  readonly primary: { readonly version: number; readonly sha256: string } | null;
  readonly canary: { readonly version: number; readonly sha256: string; readonly percent: number } | null;
}

/**
 * What the target will do with this deploy, decided before anything changes: go live, or
 * (KServe without a cluster) only write the manifest.
 */
export type TargetPlan =
  | {
      readonly mode: 'live';
      /** What serves now, when the target can tell; null when it cannot. */
      readonly serving: Serving | null;
      /** The URL a person or a client uses to reach the model once it is live. */
      readonly url: string | undefined;
      /** Whether the target can split traffic between two versions. */
      readonly canary: boolean;
      /**
       * Whether the target can stage a version with no traffic and pin requests to it, so a
       * replace is smoke-checked before any user request reaches it.
       */
      readonly staging: boolean;
    }
  | {
      readonly mode: 'render-only';
      /** The file written instead of a deploy. */
      readonly artifact: string;
      /** Why nothing was applied, for the user. */
      readonly reason: string;
    };

/** One row-batch inference call on a live endpoint (Open Inference Protocol v2). */
export interface InferRequest {
  readonly input: { readonly name: string; readonly datatype: 'FP32'; readonly shape: [number, number] };
  readonly data: Float32Array;
  readonly output: string;
}

export interface InferAnswer {
  /** The version that answered, when the endpoint says (`x-modelgate-version`). */
  readonly version: string | undefined;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** A live endpoint the smoke check sends rows through. */
export interface InferenceEndpoint {
  /** Where the rows go, for messages. */
  readonly describe: string;
  infer(request: InferRequest): Promise<InferAnswer>;
}

/**
 * A deploy target, driven step by step by {@link deploy}. Every method that changes what serves
 * either completes or throws; the orchestrator rolls back on any throw after the first change.
 * Side effects (HTTP, kubectl, a user's script) live behind this interface, so the deploy logic
 * is tested with the real server and the same code serves every target.
 */
export interface DeployTarget {
  readonly kind: TargetKind;
  /** Checks the target can be used (reachable, token accepted, tools present) and decides the plan. Changes nothing. */
  prepare(model: ModelToDeploy): Promise<TargetPlan>;
  /** Puts the version live: as the primary, or as a canary taking `canaryPercent` of the traffic. */
  install(model: ModelToDeploy, canaryPercent: number | undefined): Promise<void>;
  /** Moves the canary's share of the traffic. */
  setCanary(model: ModelToDeploy, percent: number): Promise<void>;
  /** Makes the canary the primary. */
  promote(model: ModelToDeploy): Promise<void>;
  /**
   * Undoes what install/setCanary/promote did, so the previous version serves again; says what
   * serves now. `previous` fetches (digest-verified) the version the alias named before, for
   * targets that roll back by deploying it again.
   */
  rollback(model: ModelToDeploy, previous: () => Promise<ModelToDeploy | undefined>): Promise<string>;
  /**
   * Checks the target is healthy and serves the version where expected (the primary, or the
   * canary at `canaryPercent`). Throws a {@link DeployCheckError} saying what is wrong.
   */
  verify(model: ModelToDeploy, canaryPercent: number | undefined): Promise<void>;
  /** The endpoint that answers with this version only, for the smoke check; undefined when the target has none. */
  endpoint(model: ModelToDeploy, canary: boolean): InferenceEndpoint | undefined;
}

/** A check of the live deploy failed: the deploy is rolled back and the reason reported. */
export class DeployCheckError extends Error {
  override readonly name: string = 'DeployCheckError';
}

/**
 * The target's state forbids this deploy (e.g. another deploy's canary is still set): the
 * deploy is refused before anything changes.
 */
export class DeployRefusedError extends Error {
  override readonly name = 'DeployRefusedError';
}

/** One step of a deploy as it happened, for the log, the summary and the tests. */
export interface DeployStep {
  readonly action: 'install' | 'canary' | 'promote' | 'verify' | 'smoke' | 'alias' | 'rollback';
  readonly detail: string;
  /** The canary's share of traffic at this step, when there is a canary. */
  readonly percent?: number;
}

/**
 * How a deploy ended (STYLE.md: a discriminated union, not a boolean and a string).
 * - `deployed`: the version is live and the alias moved.
 * - `rendered`: only a manifest was written (KServe with no cluster); nothing changed.
 * - `refused`: the version may not ship (gate, digest, downgrade); nothing changed.
 * - `rolled-back`: it went live, a check failed, and the previous state was restored (or the
 *   restore failed too, which `rollback.ok` says).
 */
export type DeployOutcome =
  | {
      readonly kind: 'deployed';
      readonly version: ModelVersion;
      readonly url: string | undefined;
      readonly alias: string;
      /** The version the alias named before, if any. */
      readonly previous: number | null;
      readonly steps: readonly DeployStep[];
      readonly deploymentId: string | undefined;
    }
  | {
      readonly kind: 'rendered';
      readonly version: ModelVersion;
      readonly artifact: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'refused';
      readonly version: ModelVersion | undefined;
      readonly reasons: readonly string[];
    }
  | {
      readonly kind: 'rolled-back';
      readonly version: ModelVersion;
      readonly reason: string;
      readonly rollback:
        | { readonly ok: true; readonly serving: string }
        | { readonly ok: false; readonly error: string };
      readonly steps: readonly DeployStep[];
      readonly deploymentId: string | undefined;
    };

/** The final state of a recorded deployment (GitHub's deployment status states that end one). */
export type DeploymentState = 'success' | 'failure' | 'error';

/** A deployment record being kept somewhere (GitHub's Deployments API in the action). */
export interface RecordedDeployment {
  readonly id: string;
  finish(state: DeploymentState, details: { description: string; environmentUrl?: string }): Promise<void>;
}

/**
 * Records deploys where people look for them: on GitHub, a Deployment for the environment with
 * statuses in_progress → success / failure. A port, so core has no GitHub code.
 */
export interface DeploymentRecorder {
  /** Creates the record and marks it in progress; called once the deploy is about to change the target. */
  start(details: {
    environment: string;
    name: string;
    version: number;
    sha256: string;
    description: string;
    environmentUrl?: string;
  }): Promise<RecordedDeployment>;
}
