import * as core from '@actions/core';
import {
  actionInput,
  COMPARE_OPTIONS,
  compareSettingsFrom,
  presentCompare,
  readConfigFile,
  runCompare,
} from '@modelgate/core';
import { compareActionPorts, configInput, publish, readInputs, runAction } from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs; a failure is one `::error::` line.
 * The verdict and the report are written before any call to GitHub, and a comment GitHub
 * refuses is a warning: the gate decides the step.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = await compareSettingsFrom(readInputs(COMPARE_OPTIONS), config, actionInput);
    const ports = compareActionPorts(settings);
    const outcome = await core.group('Compare', () => runCompare(settings, ports));
    await publish(presentCompare(outcome));
  });
}
