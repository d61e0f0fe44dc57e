import { EVALUATE_OPTIONS, evaluateStepSettingsFrom, presentEvaluate, runEvaluate } from '@modelgate/core';
import { actionLogger, actionRuntimeLoader, actionStep } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: () => 'Evaluate',
  options: EVALUATE_OPTIONS,
  settings: evaluateStepSettingsFrom,
  run: (settings) =>
    runEvaluate(settings, { logger: actionLogger, runtime: actionRuntimeLoader(settings.evaluate.provider) }),
  present: presentEvaluate,
});
