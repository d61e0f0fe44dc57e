import {
  cliOption,
  MONITOR_OPTIONS,
  monitorStepSettingsFrom,
  presentMonitor,
  readConfigFile,
  runMonitor,
} from '@modelgate/core';
import { MONITOR_HELP } from '../help/monitor.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate monitor`: flags → settings → run → present → exit code (0 no drift, 1 drift). */
export async function monitorCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('monitor', argv, MONITOR_OPTIONS);
  if (flags.help) return printHelp(io, MONITOR_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = monitorStepSettingsFrom(flags.raw, config, cliOption, { cwd: io.cwd });
  // Without --out stdout carries the record, so progress stays off it.
  const outcome = await runMonitor(settings, { logger: terminalLogger(io, settings.out !== undefined) });
  return printPresentation(io, presentMonitor(outcome));
}
