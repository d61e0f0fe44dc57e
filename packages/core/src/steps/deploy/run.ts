import { resolve } from 'node:path';
import { type DeployRequest, deploy } from '../../deploy/deploy.ts';
import type { Kubectl } from '../../deploy/kserve/kubectl.ts';
import { readAdminToken } from '../../deploy/targets/admin-token.ts';
import { commandTarget } from '../../deploy/targets/command.ts';
import { kserveTarget } from '../../deploy/targets/kserve.ts';
import { serverTarget } from '../../deploy/targets/server.ts';
import type {
  DeploymentRecorder,
  DeployOutcome,
  DeployStep,
  DeployTarget,
  InferenceEndpoint,
} from '../../deploy/types.ts';
import type { RuntimeLoader } from '../../inference/runtime.ts';
import { InputError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/ports.ts';
import type { Registry } from '../../registry/types.ts';
import type { DeploySettings, TargetSettings } from './settings.ts';

/**
 * An OIP v2 gRPC client for the smoke check: rows to `url` (`grpc://HOST:PORT`) for `model`,
 * pinned to `version`. Core has no gRPC stack; `grpcEndpoint` of @modelgate/server is one.
 */
export type GrpcSmokeClient = (url: string, model: string, version?: string) => InferenceEndpoint;

/** What a deploy does to the world, each a port its caller hands in. */
export interface DeployPorts {
  readonly logger: Logger;
  /** Opens the registry the settings name (a GitHub registry needs the caller's token). */
  readonly openRegistry: (spec: string) => Registry | Promise<Registry>;
  /** Where relative paths and a local server's admin-token file are found. */
  readonly cwd: string;
  /** The admin token (MODELGATE_ADMIN_TOKEN), and the environment a command or kubectl starts from. */
  readonly env: NodeJS.ProcessEnv;
  /** The GitHub Deployments API in the action; none locally. */
  readonly recorder?: DeploymentRecorder;
  /** The smoke check's gRPC wire (`wire: grpc`). */
  readonly grpc?: GrpcSmokeClient;
  /** onnxruntime for the smoke check's expected outputs (an action's tool cache). */
  readonly runtime?: RuntimeLoader;
  /** Stands in for kubectl (tests). */
  readonly kubectl?: Kubectl;
  /** Called after each step that changed or checked the target. */
  readonly onStep?: (step: DeployStep) => void | Promise<void>;
  /** The clock a canary step waits on (default: real time). */
  readonly wait?: (ms: number) => Promise<void>;
}

/** How the deploy ended (refused, rendered, deployed, rolled back), and for which environment. */
export type DeployStepOutcome = DeployOutcome & { readonly environment: string };

/** Opens the registry and the target the settings name, and runs the gated deploy through them. */
export async function runDeploy(settings: DeploySettings, ports: DeployPorts): Promise<DeployStepOutcome> {
  const request = relativeRequest(ports.cwd, settings.request);
  const registry = await ports.openRegistry(settings.registry);
  const target = await openTarget({ ...settings, request }, ports);
  const outcome = await deploy(request, {
    registry,
    target,
    logger: ports.logger,
    ...(ports.recorder === undefined ? {} : { recorder: ports.recorder }),
    ...(ports.runtime === undefined ? {} : { runtime: ports.runtime }),
    ...(ports.onStep === undefined ? {} : { onStep: ports.onStep }),
    ...(ports.wait === undefined ? {} : { wait: ports.wait }),
  });
  return { ...outcome, environment: request.environment };
}

/** Opens the target the settings name; the server's admin token is read here (never logged). */
async function openTarget(settings: DeploySettings, ports: DeployPorts): Promise<DeployTarget> {
  const { cwd, env, logger } = ports;
  const target = relativeTarget(cwd, settings.target);
  if (target.kind === 'server') {
    const { wire } = settings;
    let smokeEndpoint: ((model: string, version: string) => InferenceEndpoint) | undefined;
    if (wire.kind === 'grpc') {
      const grpc = ports.grpc;
      if (grpc === undefined)
        throw new InputError('this build of modelgate cannot send the smoke check over gRPC');
      smokeEndpoint = (model, version) => grpc(wire.url, model, version);
    }
    return serverTarget({
      url: target.url,
      token: await readAdminToken(env, cwd),
      ...(smokeEndpoint === undefined ? {} : { smokeEndpoint }),
    });
  }
  if (target.kind === 'command') {
    return commandTarget({
      command: target.command,
      cwd,
      env,
      environment: settings.request.environment,
      logger,
      ...(target.url === undefined ? {} : { url: target.url }),
    });
  }
  return kserveTarget({
    ...target.options,
    cwd,
    env,
    logger,
    ...(target.kubeconfig === undefined ? {} : { kubeconfig: target.kubeconfig }),
    ...(target.url === undefined ? {} : { url: target.url }),
    ...(ports.kubectl === undefined ? {} : { kubectl: ports.kubectl }),
  });
}

/** Paths from flags, inputs and the config file are relative to where the step runs. */
function relativeRequest(cwd: string, request: DeployRequest): DeployRequest {
  return request.smokeData === undefined
    ? request
    : { ...request, smokeData: resolve(cwd, request.smokeData) };
}

function relativeTarget(cwd: string, target: TargetSettings): TargetSettings {
  if (target.kind !== 'kserve') return target;
  const { kubeconfig, options } = target;
  return {
    ...target,
    ...(kubeconfig === undefined ? {} : { kubeconfig: resolve(cwd, kubeconfig) }),
    options: {
      ...options,
      ...(options.manifest === undefined ? {} : { manifest: resolve(cwd, options.manifest) }),
    },
  };
}
