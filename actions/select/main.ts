import { presentSelect, runSelect, SELECT_OPTIONS, selectSettingsFrom } from '@modelgate/core';
import { actionLogger, actionRuntimeLoader, actionStep } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: () => 'Select',
  options: SELECT_OPTIONS,
  settings: selectSettingsFrom,
  // Re-scoring candidates for a paired lead runs on CPU.
  run: (settings) => runSelect(settings, { logger: actionLogger, runtime: actionRuntimeLoader('cpu') }),
  present: presentSelect,
});
