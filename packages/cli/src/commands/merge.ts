import { cliOption, MERGE_OPTIONS, mergeSettingsFrom, presentMerge, runMerge } from '@modelgate/core';
import { MERGE_HELP } from '../help/merge.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate merge PART…`: flags and parts → settings → run → present → exit code. */
export const mergeCommand = cliStep({
  command: 'merge',
  options: MERGE_OPTIONS,
  help: MERGE_HELP,
  positionals: true,
  // merge has no section of its own, but a config file named on purpose must be there.
  settings: (flags) =>
    mergeSettingsFrom({ ...flags.raw, parts: [...flags.positionals, ...(flags.raw.parts ?? [])] }, cliOption),
  // Without --out stdout carries the record, so progress stays off it.
  run: (settings, io) => runMerge(settings, { logger: terminalLogger(io, settings.out !== undefined) }),
  present: presentMerge,
});
