import {
  cliOption,
  MONITOR_OPTIONS,
  monitorStepSettingsFrom,
  presentMonitor,
  runMonitor,
} from '@modelgate/core';
import { MONITOR_HELP } from '../help/monitor.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate monitor`: flags → settings → run → present → exit code (0 no drift, 1 drift). */
export const monitorCommand = cliStep({
  command: 'monitor',
  options: MONITOR_OPTIONS,
  help: MONITOR_HELP,
  settings: (flags, config, io) => monitorStepSettingsFrom(flags.raw, config, cliOption, { cwd: io.cwd }),
  // Without --out stdout carries the record, so progress stays off it.
  run: (settings, io) => runMonitor(settings, { logger: terminalLogger(io, settings.out !== undefined) }),
  present: presentMonitor,
});
