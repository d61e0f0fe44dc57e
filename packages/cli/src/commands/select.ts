import { cliOption, presentSelect, runSelect, SELECT_OPTIONS, selectSettingsFrom } from '@modelgate/core';
import { SELECT_HELP } from '../help/select.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate select EVAL…`: flags and evaluations → settings → run → present → exit code. */
export const selectCommand = cliStep({
  command: 'select',
  options: SELECT_OPTIONS,
  help: SELECT_HELP,
  positionals: true,
  settings: (flags, config) =>
    selectSettingsFrom(
      { ...flags.raw, evaluations: [...flags.positionals, ...(flags.raw.evaluations ?? [])] },
      config,
      cliOption,
    ),
  // Without --out stdout carries the selection, so progress stays off it.
  run: (settings, io) => runSelect(settings, { logger: terminalLogger(io, settings.out !== undefined) }),
  present: presentSelect,
});
