import {
  cliOption,
  DEPLOY_CLI_OPTIONS,
  deploySettingsFrom,
  presentDeploy,
  readConfigFile,
  runDeploy,
} from '@modelgate/core';
import { grpcEndpoint } from '@modelgate/server';
import { DEPLOY_HELP } from '../help/deploy.ts';
import type { Io } from '../io.ts';
import { openCliRegistry } from '../registry.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate deploy`: flags → settings → run → present → exit code. */
export async function deployCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('deploy', argv, DEPLOY_CLI_OPTIONS);
  if (flags.help) return printHelp(io, DEPLOY_HELP);
  // The config file first: a --config that names no file is exit 2 naming it.
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = deploySettingsFrom(flags.raw, config, cliOption);
  const outcome = await runDeploy(settings, {
    logger: terminalLogger(io),
    openRegistry: (spec) => openCliRegistry({ spec, what: cliOption('registry') }, io),
    cwd: io.cwd,
    env: io.env,
    // The smoke check's gRPC wire, on the server package's OIP v2 client (raw tensors).
    grpc: grpcEndpoint,
  });
  return printPresentation(io, presentDeploy(outcome));
}
