import * as core from '@actions/core';
import { actionInput, evaluate, evaluateSettingsFrom, writeJsonAtomic } from '@modelgate/core';
import {
  actionLogger,
  actionRuntimeLoader,
  evaluationSummary,
  readEvaluateInputs,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: read the inputs, do the work, set the outputs; failures become one `::error::`.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const { raw, out } = await readEvaluateInputs();
    const settings = evaluateSettingsFrom(raw, actionInput);
    const runtime = actionRuntimeLoader(settings.provider);

    const { record } = await core.group('Evaluate', () => evaluate({ ...settings, runtime }, actionLogger));

    await writeJsonAtomic(out, record);
    await core.summary.addRaw(evaluationSummary(record)).write();
    const metrics = Object.fromEntries(Object.entries(record.metrics).map(([name, m]) => [name, m.value]));
    core.setOutput('evaluation', out);
    core.setOutput('metrics', JSON.stringify(metrics));
  });
}
