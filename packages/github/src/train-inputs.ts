import * as core from '@actions/core';
import {
  actionInput,
  loadConfig,
  type RawTrainOptions,
  type TrainSettings,
  trainOptionsFromConfig,
  trainSettingsFrom,
} from '@modelgate/core';
import { optionalInput } from './action.ts';

/**
 * The only place the train action reads its inputs: each input, else the config file's
 * `train:` section (CONTRACT.md: an input overrides the config). `allow-fork-prs` comes from the
 * workflow only, never from the config a pull request can change.
 */
export async function readTrainInputs(): Promise<TrainSettings> {
  const configPath = optionalInput('config') ?? '.modelgate.yml';
  const config = await loadConfig(configPath, { required: configPath !== '.modelgate.yml' });
  const fromConfig = trainOptionsFromConfig(config.train, configPath);
  // The command is the user's own text: keep its whitespace (a heredoc, a trailing newline).
  const command = core.getInput('command', { trimWhitespace: false });
  const cachePaths = optionalInput('cache-paths')
    ?.split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const raw: RawTrainOptions = {
    command: command.trim() === '' ? fromConfig.command : command,
    'working-directory': optionalInput('working-directory') ?? fromConfig['working-directory'],
    params: optionalInput('params') ?? fromConfig.params,
    gpus: optionalInput('gpus') ?? fromConfig.gpus,
    'require-gpu': optionalInput('require-gpu') ?? fromConfig['require-gpu'],
    'model-path': optionalInput('model-path') ?? fromConfig['model-path'],
    'metrics-file': optionalInput('metrics-file') ?? fromConfig['metrics-file'],
    'cache-paths': cachePaths ?? fromConfig['cache-paths'],
    'cache-key': optionalInput('cache-key') ?? fromConfig['cache-key'],
    'timeout-minutes': optionalInput('timeout-minutes') ?? fromConfig['timeout-minutes'],
    'telemetry-interval-seconds':
      optionalInput('telemetry-interval-seconds') ?? fromConfig['telemetry-interval-seconds'],
    'gpu-wait-minutes': optionalInput('gpu-wait-minutes') ?? fromConfig['gpu-wait-minutes'],
    'allow-fork-prs': optionalInput('allow-fork-prs'),
  };
  return trainSettingsFrom(raw, actionInput);
}
