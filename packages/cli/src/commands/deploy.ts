import { cliOption, DEPLOY_CLI_OPTIONS, deploySettingsFrom, presentDeploy, runDeploy } from '@modelgate/core';
import { grpcEndpoint } from '@modelgate/server';
import { DEPLOY_HELP } from '../help/deploy.ts';
import { openCliRegistry } from '../registry.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate deploy`: flags → settings → run → present → exit code. */
export const deployCommand = cliStep({
  command: 'deploy',
  options: DEPLOY_CLI_OPTIONS,
  help: DEPLOY_HELP,
  settings: (flags, config) => deploySettingsFrom(flags.raw, config, cliOption),
  run: (settings, io) =>
    runDeploy(settings, {
      logger: terminalLogger(io),
      openRegistry: (spec) => openCliRegistry({ spec, what: cliOption('registry') }, io),
      cwd: io.cwd,
      env: io.env,
      // The smoke check's gRPC wire, on the server package's OIP v2 client (raw tensors).
      grpc: grpcEndpoint,
    }),
  present: presentDeploy,
});
