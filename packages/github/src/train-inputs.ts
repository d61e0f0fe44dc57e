import * as core from '@actions/core';
import {
  actionInput,
  type RawTrainOptions,
  readConfigFile,
  type TrainSettings,
  trainOptionsWithConfig,
  trainSettingsFrom,
} from '@modelgate/core';
import { configInput, optionalInput } from './action.ts';

/**
 * The only place the train action reads its inputs: each input, else the config file's
 * `train:` section, else the default: core's `trainOptionsWithConfig`, as `modelgate train` does. `allow-fork-prs` comes from the
 * workflow only, never from the config a pull request can change.
 */
export async function readTrainInputs(): Promise<TrainSettings> {
  const file = await readConfigFile(configInput(), process.cwd(), actionInput);
  // The command is the user's own text: keep its whitespace (a heredoc, a trailing newline).
  const command = core.getInput('command', { trimWhitespace: false });
  const raw: RawTrainOptions = {
    command: command.trim() === '' ? undefined : command,
    'working-directory': optionalInput('working-directory'),
    params: optionalInput('params'),
    gpus: optionalInput('gpus'),
    'require-gpu': optionalInput('require-gpu'),
    'model-path': optionalInput('model-path'),
    'metrics-file': optionalInput('metrics-file'),
    'cache-paths': optionalInput('cache-paths')
      ?.split('\n')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    'cache-key': optionalInput('cache-key'),
    'timeout-minutes': optionalInput('timeout-minutes'),
    'telemetry-interval-seconds': optionalInput('telemetry-interval-seconds'),
    'gpu-wait-minutes': optionalInput('gpu-wait-minutes'),
    'allow-fork-prs': optionalInput('allow-fork-prs'),
  };
  return trainSettingsFrom(trainOptionsWithConfig(raw, file), actionInput);
}
