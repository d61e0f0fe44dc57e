import * as core from '@actions/core';
import {
  actionInput,
  presentSelect,
  readConfigFile,
  runSelect,
  SELECT_OPTIONS,
  selectSettingsFrom,
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
 * The step, as the runner runs it (the bundle's entry calls it): inputs → settings → run →
 * present → outputs. No candidate passing fails the step with each one's reasons.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = selectSettingsFrom(readInputs(SELECT_OPTIONS), config, actionInput);
    const runtime = actionRuntimeLoader('cpu');
    const outcome = await core.group('Select', () => runSelect(settings, { logger: actionLogger, runtime }));
    await publish(presentSelect(outcome));
  });
}
