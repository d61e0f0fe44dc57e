import {
  cliOption,
  presentRegister,
  REGISTER_CLI_OPTIONS,
  readConfigFile,
  registerStepSettingsFrom,
  runRegister,
} from '@modelgate/core';
import { REGISTER_HELP } from '../help/register.ts';
import type { Io } from '../io.ts';
import { environmentLineage, openCliRegistry } from '../registry.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate register`: flags → settings → run → present → exit code. */
export async function registerCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('register', argv, REGISTER_CLI_OPTIONS);
  if (flags.help) return printHelp(io, REGISTER_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = registerStepSettingsFrom(flags.raw, config, cliOption);
  const outcome = await runRegister(settings, {
    registry: await openCliRegistry(settings.registry, io),
    lineage: environmentLineage(io),
    cwd: io.cwd,
    // No progress: with --json stdout carries the version record.
    logger: terminalLogger(io, false),
  });
  return printPresentation(io, presentRegister(outcome));
}
