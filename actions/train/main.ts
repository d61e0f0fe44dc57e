import * as core from '@actions/core';
import { presentTrain, runTrain, TRAIN_OPTIONS, trainSettingsFrom } from '@modelgate/core';
import { actionStep, runnerTrainPorts } from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  // No log group: the training command's own output is the log.
  options: TRAIN_OPTIONS,
  // The command is the user's own text: its whitespace stays (a heredoc, a trailing newline).
  settings: (raw, config, namer) =>
    trainSettingsFrom(
      { ...raw, command: core.getInput('command', { trimWhitespace: false }) },
      config,
      namer,
    ),
  run: (settings) => runTrain(settings, runnerTrainPorts()),
  present: presentTrain,
});
