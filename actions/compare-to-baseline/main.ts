import { COMPARE_OPTIONS, compareSettingsFrom, presentCompare, runCompare } from '@modelgate/core';
import { actionStep, compareActionPorts } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line. The verdict and the report are written
 * before any call to GitHub, and a comment GitHub refuses is a warning: the gate decides.
 */
export const run = actionStep({
  group: () => 'Compare',
  options: COMPARE_OPTIONS,
  settings: compareSettingsFrom,
  run: (settings) => runCompare(settings, compareActionPorts(settings)),
  present: presentCompare,
});
