import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeLoader } from '../inference/runtime.ts';
import { InputError } from '../kernel/errors.ts';
import { shortDigest } from '../kernel/format.ts';
import { sha256 } from '../kernel/fs.ts';
import type { Logger } from '../kernel/ports.ts';
import { RegistryLookupError } from '../registry/names.ts';
import type { ModelVersion, Registry } from '../registry/types.ts';
import { gateRefusals } from './gate.ts';
import { prepareSmoke, type SmokeCheck } from './smoke.ts';
import {
  DeployCheckError,
  type DeploymentRecorder,
  type DeployOutcome,
  DeployRefusedError,
  type DeployStep,
  type DeployTarget,
  type ModelToDeploy,
  type RecordedDeployment,
  type Strategy,
} from './types.ts';

/** What to deploy and how (validated settings; see settings.ts). */
export interface DeployRequest {
  readonly name: string;
  /** A version number, an alias or `latest`. */
  readonly ref: string;
  readonly strategy: Strategy;
  /** Canary traffic steps, rising, ending at 100. */
  readonly canarySteps: readonly number[];
  /** How long each canary step takes traffic before its checks. */
  readonly canaryWaitMs: number;
  readonly smokeData: string | undefined;
  readonly requireGate: boolean;
  readonly allowDowngrade: boolean;
  /** The alias that names what is live; moved on success (default `production`). */
  readonly alias: string;
  /** The GitHub environment the deploy is recorded for. */
  readonly environment: string;
}

/** The ports a deploy works through. */
export interface DeployContext {
  readonly registry: Registry;
  readonly target: DeployTarget;
  /** Where the deploy is recorded (GitHub Deployments in the action); none locally. */
  readonly recorder?: DeploymentRecorder;
  /** onnxruntime for the smoke check's expected outputs. */
  readonly runtime?: RuntimeLoader;
  readonly logger: Logger;
  /** Called after each step that changed or checked the target (tests watch the traffic split here). */
  readonly onStep?: (step: DeployStep) => void | Promise<void>;
  readonly wait?: (ms: number) => Promise<void>;
}

/**
 * A gated deploy (CONTRACT.md `modelgate deploy`). In order:
 *
 * 1. Resolve the version, and refuse it unless its registered verdict passed for its exact
 *    sha256 (`requireGate`), and unless it is at least as new as what the alias names
 *    (`allowDowngrade`). Fetch its bytes, checking the digest. Read the smoke data and compute
 *    the registered model's own answers. Ask the target whether it can be used.
 *    Up to here nothing has changed: every refusal and bad input leaves the target as it was.
 * 2. Record the deploy (in progress), then put the version live: a replace is staged with no
 *    traffic where the target allows it, smoke-checked pinned, and promoted; a canary steps up
 *    the traffic with the health, version and smoke checks between steps.
 * 3. Move the alias, and record success. On any failure in step 2 or 3: roll back, record
 *    failure, and say why.
 */
export async function deploy(request: DeployRequest, context: DeployContext): Promise<DeployOutcome> {
  const { registry, target, logger } = context;
  const version = await registry.resolve(request.name, request.ref);
  const label = `${version.name} v${version.version}`;
  logger.info(`deploying ${label} (sha256 ${shortDigest(version.sha256)}) to the ${target.kind} target`);
  const current = await aliased(registry, request.name, request.alias);

  const refusals = gateRefusals(version, { ...request, current });
  if (refusals.length > 0) return { kind: 'refused', version, reasons: refusals };
  if (!request.requireGate)
    logger.warning(`require-gate is off: ${label} is deployed without checking its verdict`);

  let bytes: Uint8Array;
  try {
    bytes = await registry.fetchModel(version);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { kind: 'refused', version, reasons: [`no verified copy of ${label}: ${error.message}`] };
  }
  // The registry checks the digest; so does the deploy, which trusts no backend it did not write.
  const digest = sha256(bytes);
  if (digest !== version.sha256) {
    return {
      kind: 'refused',
      version,
      reasons: [`the bytes fetched for ${label} have sha256 ${digest}, not the registered ${version.sha256}`],
    };
  }
  const model: ModelToDeploy = { version, bytes };

  const smoke = await prepareSmoke(version, bytes, request.smokeData, {
    logger,
    ...(context.runtime === undefined ? {} : { runtime: context.runtime }),
  });
  if (smoke !== undefined) logger.info(`smoke check: ${smoke.source}`);

  let plan: Awaited<ReturnType<DeployTarget['prepare']>>;
  try {
    plan = await target.prepare(model);
  } catch (error) {
    if (error instanceof DeployRefusedError) return { kind: 'refused', version, reasons: [error.message] };
    // Nothing has changed yet: a target that cannot be used is the user's to fix (exit 2).
    if (error instanceof DeployCheckError) {
      throw new InputError(`the ${target.kind} target cannot be used: ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (plan.mode === 'render-only') {
    logger.info(plan.reason);
    return { kind: 'rendered', version, artifact: plan.artifact, reason: plan.reason };
  }

  const steps: DeployStep[] = [];
  const step = async (entry: DeployStep) => {
    steps.push(entry);
    logger.info(`${entry.action}: ${entry.detail}`);
    await context.onStep?.(entry);
  };
  const smokeOn = async (canary: boolean, percent?: number) => {
    const endpoint = target.endpoint(model, canary);
    if (smoke === undefined || endpoint === undefined) return;
    await smoke.run(endpoint, String(version.version));
    await step({
      action: 'smoke',
      detail: `${smoke.rows} rows through ${endpoint.describe} agree with the registered model`,
      ...(percent === undefined ? {} : { percent }),
    });
  };

  let record: RecordedDeployment | undefined;
  if (context.recorder !== undefined) {
    record = await context.recorder.start({
      environment: request.environment,
      name: version.name,
      version: version.version,
      sha256: version.sha256,
      description: `${label} (sha256 ${shortDigest(version.sha256)})`,
      ...(plan.url === undefined ? {} : { environmentUrl: plan.url }),
    });
    logger.info(`recorded deployment ${record.id} for environment '${request.environment}' (in progress)`);
  }

  try {
    await goLive(model, request, context, plan, step, smokeOn);
    const moved = await registry.setAlias(version.name, request.alias, version.version, {
      allowDowngrade: request.allowDowngrade,
    });
    await step({ action: 'alias', detail: `'${request.alias}' → v${moved.version}` });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warning(`deploy of ${label} failed: ${reason}; rolling back`);
    let rollback: Extract<DeployOutcome, { kind: 'rolled-back' }>['rollback'];
    try {
      const serving = await target.rollback(model, () => previousModel(registry, current));
      rollback = { ok: true, serving };
      await step({ action: 'rollback', detail: serving });
    } catch (rollbackError) {
      rollback = {
        ok: false,
        error: rollbackError instanceof Error ? rollbackError.message : String(rollbackError),
      };
      logger.warning(`the rollback failed too: ${rollback.error}`);
    }
    await finish(
      record,
      error instanceof DeployCheckError || error instanceof InputError ? 'failure' : 'error',
      {
        description: `rolled back: ${reason}`,
      },
      logger,
    );
    // A bug is still a bug: the target is restored, then it is reported as one.
    if (!(error instanceof DeployCheckError || error instanceof InputError)) throw error;
    return { kind: 'rolled-back', version, reason, rollback, steps, deploymentId: record?.id };
  }

  await finish(
    record,
    'success',
    {
      description: `${label} is live`,
      ...(plan.url === undefined ? {} : { environmentUrl: plan.url }),
    },
    logger,
  );
  return {
    kind: 'deployed',
    version,
    url: plan.url,
    alias: request.alias,
    previous: current?.version ?? null,
    steps,
    deploymentId: record?.id,
  };
}

type Plan = Extract<Awaited<ReturnType<DeployTarget['prepare']>>, { mode: 'live' }>;

/** Step 2: the version goes live by the strategy the target allows, with checks at each step. */
async function goLive(
  model: ModelToDeploy,
  request: DeployRequest,
  context: DeployContext,
  plan: Plan,
  step: (entry: DeployStep) => Promise<void>,
  smokeOn: (canary: boolean, percent?: number) => Promise<void>,
): Promise<void> {
  const { target, logger } = context;
  const { version, sha256 } = model.version;
  const primary = plan.serving?.primary ?? null;
  const verified = async (canaryPercent: number | undefined) => {
    await target.verify(model, canaryPercent);
    await step({
      action: 'verify',
      detail:
        canaryPercent === undefined
          ? `v${version} serves all traffic`
          : `v${version} takes ${canaryPercent}% as the canary`,
      ...(canaryPercent === undefined ? {} : { percent: canaryPercent }),
    });
  };

  if (primary !== null && primary.version === version && primary.sha256 === sha256) {
    logger.info(`v${version} already serves: checking it and moving the alias`);
    await verified(undefined);
    await smokeOn(false);
    return;
  }
  // With nothing serving there is nothing to split traffic with, or to hide a staged version behind.
  const canSplit = plan.canary && (plan.serving === null || primary !== null);
  if (request.strategy === 'canary' && canSplit) {
    const [first, ...rest] = request.canarySteps;
    const wait = context.wait ?? ((ms: number) => sleep(ms));
    if (first === undefined || first >= 100) {
      await directInstall();
      return;
    }
    await target.install(model, first);
    await step({
      action: 'install',
      detail: `v${version} loaded as the canary with ${first}% of the traffic`,
      percent: first,
    });
    await verified(first);
    await smokeOn(true, first);
    for (const percent of rest) {
      if (request.canaryWaitMs > 0) await wait(request.canaryWaitMs);
      if (percent >= 100) {
        await target.promote(model);
        await step({ action: 'promote', detail: `v${version} promoted to primary` });
        await verified(undefined);
        await smokeOn(false);
      } else {
        await target.setCanary(model, percent);
        await step({ action: 'canary', detail: `the canary takes ${percent}% of the traffic`, percent });
        await verified(percent);
        await smokeOn(true, percent);
      }
    }
    return;
  }
  if (request.strategy === 'canary') {
    logger.warning(
      plan.canary
        ? `nothing serves yet, so there is nothing to split traffic with: v${version} goes live in one step`
        : `the ${target.kind} target cannot split traffic: v${version} goes live in one step`,
    );
  }
  if (plan.staging && primary !== null) {
    // Staged: loaded and smoke-checked with no traffic, then swapped in atomically.
    await target.install(model, 0);
    await step({ action: 'install', detail: `v${version} staged with no traffic`, percent: 0 });
    await verified(0);
    await smokeOn(true, 0);
    await target.promote(model);
    await step({ action: 'promote', detail: `v${version} promoted to primary` });
    await verified(undefined);
    return;
  }
  await directInstall();

  async function directInstall(): Promise<void> {
    await target.install(model, undefined);
    await step({ action: 'install', detail: `v${version} installed` });
    await verified(undefined);
    await smokeOn(false);
  }
}

/** The version an alias names, or undefined when the model has no such alias yet. */
async function aliased(registry: Registry, name: string, alias: string): Promise<ModelVersion | undefined> {
  try {
    return await registry.resolve(name, alias);
  } catch (error) {
    if (error instanceof RegistryLookupError && error.kind === 'alias') return undefined;
    throw error;
  }
}

async function previousModel(
  registry: Registry,
  previous: ModelVersion | undefined,
): Promise<ModelToDeploy | undefined> {
  if (previous === undefined) return undefined;
  return { version: previous, bytes: await registry.fetchModel(previous) };
}

async function finish(
  record: RecordedDeployment | undefined,
  state: 'success' | 'failure' | 'error',
  details: { description: string; environmentUrl?: string },
  logger: Logger,
): Promise<void> {
  if (record === undefined) return;
  try {
    await record.finish(state, details);
  } catch (error) {
    // The deploy's outcome stands either way; a missing status is a bookkeeping problem to report.
    logger.warning(`could not record the deployment's ${state} status: ${(error as Error).message}`);
  }
}

export type { SmokeCheck };
