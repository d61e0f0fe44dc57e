import * as core from '@actions/core';
import { actionInput, MERGE_OPTIONS, mergeSettingsFrom, presentMerge, runMerge } from '@modelgate/core';
import { actionLogger, publish, readInputs, runAction } from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it): inputs → settings → run →
 * present → outputs; a failure (parts that do not belong together) is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = mergeSettingsFrom(readInputs(MERGE_OPTIONS), actionInput);
    const outcome = await core.group('Merge', () => runMerge(settings, { logger: actionLogger }));
    await publish(presentMerge(outcome));
  });
}
