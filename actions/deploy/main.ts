import { DEPLOY_OPTIONS, deploySettingsFrom, presentDeploy, runDeploy } from '@modelgate/core';
import {
  actionDeployPorts,
  actionLogger,
  actionRuntimeLoader,
  actionStep,
  optionalInput,
} from '@modelgate/github';
import { grpcEndpoint } from '@modelgate/server';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: (settings) => `Deploy ${settings.request.name}@${settings.request.ref}`,
  options: DEPLOY_OPTIONS,
  settings: deploySettingsFrom,
  run: (settings) =>
    runDeploy(settings, {
      ...actionDeployPorts(optionalInput('github-token'), process.env),
      logger: actionLogger,
      cwd: process.cwd(),
      env: process.env,
      // The smoke check's gRPC wire, on the server package's OIP v2 client (raw tensors).
      grpc: grpcEndpoint,
      // The smoke check scores a few rows on CPU: no GPU is worth starting for them.
      runtime: actionRuntimeLoader('cpu'),
    }),
  present: presentDeploy,
});
