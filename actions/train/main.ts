import * as core from '@actions/core';
import { readTrainInputs, runAction, trainOnRunner, trainSummary, writeJobSummary } from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: read the inputs, do the work, set the outputs; failures become one `::error::`.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = await readTrainInputs();
    const { outcome } = await trainOnRunner(settings);

    await writeJobSummary(trainSummary(outcome));
    const gpu = outcome.kind === 'trained' ? outcome.record.gpu : outcome.gpu;
    core.setOutput('gpu-count', String(gpu.count));
    core.setOutput('gpu-summary', JSON.stringify(gpu));
    if (outcome.kind === 'failed') {
      core.setOutput('duration-seconds', String(outcome.durationSeconds));
      core.setFailed(outcome.message);
      return;
    }
    core.setOutput('model', outcome.modelPath);
    core.setOutput('sha256', outcome.record.model.sha256);
    core.setOutput('duration-seconds', String(outcome.record.duration_seconds));
    core.setOutput('record', outcome.recordPath);
  });
}
