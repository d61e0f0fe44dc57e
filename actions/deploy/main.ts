import * as core from '@actions/core';
import {
  actionInput,
  DEPLOY_OPTIONS,
  deploySettingsFrom,
  presentDeploy,
  readConfigFile,
  runDeploy,
} from '@modelgate/core';
import {
  actionDeployPorts,
  actionLogger,
  actionRuntimeLoader,
  configInput,
  optionalInput,
  publish,
  readInputs,
  runAction,
} from '@modelgate/github';
import { grpcEndpoint } from '@modelgate/server';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs; a failure is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = deploySettingsFrom(readInputs(DEPLOY_OPTIONS), config, actionInput);
    const github = actionDeployPorts(optionalInput('github-token'), process.env);
    const { name, ref } = settings.request;
    const outcome = await core.group(`Deploy ${name}@${ref}`, () =>
      runDeploy(settings, {
        ...github,
        logger: actionLogger,
        cwd: process.cwd(),
        env: process.env,
        // The smoke check's gRPC wire, on the server package's OIP v2 client (raw tensors).
        grpc: grpcEndpoint,
        // The smoke check scores a few rows on CPU: no GPU is worth starting for them.
        runtime: actionRuntimeLoader('cpu'),
      }),
    );
    await publish(presentDeploy(outcome));
  });
}
