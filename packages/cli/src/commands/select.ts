import {
  cliOption,
  presentSelect,
  readConfigFile,
  runSelect,
  SELECT_OPTIONS,
  selectSettingsFrom,
} from '@modelgate/core';
import { SELECT_HELP } from '../help/select.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate select`: records (arguments or --evaluations) → settings → run → present → exit code. */
export async function selectCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('select', argv, SELECT_OPTIONS, true);
  if (flags.help) return printHelp(io, SELECT_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const evaluations = [...flags.positionals, ...(flags.raw.evaluations ?? [])];
  const settings = selectSettingsFrom({ ...flags.raw, evaluations }, config, cliOption);
  // Without --out stdout carries the selection, so progress stays off it.
  const outcome = await runSelect(settings, { logger: terminalLogger(io, settings.out !== undefined) });
  return printPresentation(io, presentSelect(outcome));
}
