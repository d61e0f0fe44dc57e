import * as core from '@actions/core';
import {
  actionInput,
  MONITOR_ACTION_OPTIONS,
  monitorStepSettingsFrom,
  presentMonitor,
  readConfigFile,
  runMonitor,
} from '@modelgate/core';
import { configInput, monitorActionPorts, publish, readInputs, runAction } from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs. Drift fails the step (exit 1) after
 * the record, the report, the issue and the dispatch; bad input is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = monitorStepSettingsFrom(readInputs(MONITOR_ACTION_OPTIONS), config, actionInput, {
      cwd: process.cwd(),
      ...(process.env.GITHUB_EVENT_NAME === undefined ? {} : { event: process.env.GITHUB_EVENT_NAME }),
    });
    const outcome = await core.group('Monitor', () => runMonitor(settings, monitorActionPorts(settings)));
    await publish(presentMonitor(outcome));
  });
}
