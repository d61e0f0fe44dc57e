import * as core from '@actions/core';
import {
  actionInput,
  presentTrain,
  readConfigFile,
  runTrain,
  TRAIN_OPTIONS,
  trainSettingsFrom,
} from '@modelgate/core';
import { configInput, publish, readInputs, runAction, runnerTrainPorts } from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs; a failure is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    // The command is the user's own text: its whitespace stays (a heredoc, a trailing newline).
    const command = core.getInput('command', { trimWhitespace: false });
    const settings = trainSettingsFrom({ ...readInputs(TRAIN_OPTIONS), command }, config, actionInput);
    const outcome = await runTrain(settings, runnerTrainPorts());
    await publish(presentTrain(outcome));
  });
}
