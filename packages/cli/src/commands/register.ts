import {
  cliOption,
  presentRegister,
  REGISTER_CLI_OPTIONS,
  registerStepSettingsFrom,
  runRegister,
} from '@modelgate/core';
import { REGISTER_HELP } from '../help/register.ts';
import { environmentLineage, openCliRegistry } from '../registry.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate register`: flags → settings → run → present → exit code. */
export const registerCommand = cliStep({
  command: 'register',
  options: REGISTER_CLI_OPTIONS,
  help: REGISTER_HELP,
  settings: (flags, config) => registerStepSettingsFrom(flags.raw, config, cliOption),
  run: async (settings, io) =>
    runRegister(settings, {
      registry: await openCliRegistry(settings.registry, io),
      lineage: environmentLineage(io),
      cwd: io.cwd,
      // No progress: with --json stdout carries the version record.
      logger: terminalLogger(io, false),
    }),
  present: presentRegister,
});
