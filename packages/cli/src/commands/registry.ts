import {
  cliOption,
  presentRegistry,
  REGISTRY_OPTIONS,
  readConfigFile,
  registryStepSettingsFrom,
  runRegistry,
} from '@modelgate/core';
import { REGISTRY_HELP } from '../help/registry.ts';
import type { Io } from '../io.ts';
import { openCliRegistry } from '../registry.ts';
import { printHelp, printPresentation, stepFlags } from '../step.ts';

/** `modelgate registry list|show|alias|fetch`: flags and arguments → settings → run → present → exit code. */
export async function registryCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('registry', argv, REGISTRY_OPTIONS, true);
  if (flags.help) return printHelp(io, REGISTRY_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = registryStepSettingsFrom(flags.raw, flags.positionals, config, cliOption);
  const outcome = await runRegistry(settings, {
    registry: await openCliRegistry(settings.registry, io),
    cwd: io.cwd,
  });
  return printPresentation(io, presentRegistry(outcome));
}
