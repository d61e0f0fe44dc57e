import { MONITOR_ACTION_OPTIONS, monitorStepSettingsFrom, presentMonitor, runMonitor } from '@modelgate/core';
import { actionStep, monitorActionPorts } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: () => 'Monitor',
  options: MONITOR_ACTION_OPTIONS,
  settings: (raw, config, namer) =>
    monitorStepSettingsFrom(raw, config, namer, {
      cwd: process.cwd(),
      ...(process.env.GITHUB_EVENT_NAME === undefined ? {} : { event: process.env.GITHUB_EVENT_NAME }),
    }),
  run: (settings) => runMonitor(settings, monitorActionPorts(settings)),
  present: presentMonitor,
});
