import * as core from '@actions/core';
import {
  actionInput,
  EVALUATE_OPTIONS,
  evaluateStepSettingsFrom,
  presentEvaluate,
  readConfigFile,
  runEvaluate,
} from '@modelgate/core';
import {
  actionLogger,
  actionRuntimeLoader,
  configInput,
  publish,
  readInputs,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs; a failure is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = evaluateStepSettingsFrom(readInputs(EVALUATE_OPTIONS), config, actionInput);
    const runtime = actionRuntimeLoader(settings.evaluate.provider);
    const outcome = await core.group('Evaluate', () =>
      runEvaluate(settings, { logger: actionLogger, runtime }),
    );
    await publish(presentEvaluate(outcome));
  });
}
