import {
  cliOption,
  presentRegistry,
  REGISTRY_OPTIONS,
  registryStepSettingsFrom,
  runRegistry,
} from '@modelgate/core';
import { REGISTRY_HELP } from '../help/registry.ts';
import { openCliRegistry } from '../registry.ts';
import { cliStep } from '../step.ts';

/** `modelgate registry list|show|alias|fetch`: flags and arguments → settings → run → present → exit code. */
export const registryCommand = cliStep({
  command: 'registry',
  options: REGISTRY_OPTIONS,
  help: REGISTRY_HELP,
  positionals: true,
  settings: (flags, config) => registryStepSettingsFrom(flags.raw, flags.positionals, config, cliOption),
  run: async (settings, io) =>
    runRegistry(settings, { registry: await openCliRegistry(settings.registry, io), cwd: io.cwd }),
  present: presentRegistry,
});
