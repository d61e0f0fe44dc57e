import {
  cliOption,
  MERGE_OPTIONS,
  mergeSettingsFrom,
  presentMerge,
  readConfigFile,
  runMerge,
} from '@modelgate/core';
import { MERGE_HELP } from '../help/merge.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate merge`: parts (arguments or --parts) → settings → run → present → exit code. */
export async function mergeCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('merge', argv, MERGE_OPTIONS, true);
  if (flags.help) return printHelp(io, MERGE_HELP);
  // merge has no section of its own, but a config file named on purpose must be there.
  await readConfigFile(flags.config, io.cwd, cliOption);
  const parts = [...flags.positionals, ...(flags.raw.parts ?? [])];
  const settings = mergeSettingsFrom({ ...flags.raw, parts }, cliOption);
  // Without --out stdout carries the record, so progress stays off it.
  const outcome = await runMerge(settings, { logger: terminalLogger(io, settings.out !== undefined) });
  return printPresentation(io, presentMerge(outcome));
}
