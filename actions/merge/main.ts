import { MERGE_OPTIONS, mergeSettingsFrom, presentMerge, runMerge } from '@modelgate/core';
import { actionLogger, actionStep } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: () => 'Merge',
  options: MERGE_OPTIONS,
  // merge has no config section: parts that do not belong together are its only bad input.
  config: false,
  settings: (raw, _config, namer) => mergeSettingsFrom(raw, namer),
  run: (settings) => runMerge(settings, { logger: actionLogger }),
  present: presentMerge,
});
