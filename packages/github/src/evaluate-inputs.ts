import * as core from '@actions/core';
import {
  actionInput,
  evaluateOptionsWithConfig,
  evaluateSettingsWithConfig,
  type RawEvaluateOptions,
  readConfigFile,
} from '@modelgate/core';
import { configInput, listInput, optionalInput } from './action.ts';

/**
 * The only place the evaluate action reads its inputs. Each input, else the config file's
 * `evaluate:` section, else the default: core's `evaluateOptionsWithConfig`, the same precedence
 * as `modelgate evaluate`. The options are checked here, so a bad value from the file is named
 * by its key there rather than as an input.
 */
export async function readEvaluateInputs(): Promise<{ raw: RawEvaluateOptions; out: string }> {
  const file = await readConfigFile(configInput(), process.cwd(), actionInput);
  const inputs: RawEvaluateOptions = {
    model: optionalInput('model'),
    predictions: optionalInput('predictions'),
    data: optionalInput('data'),
    label: optionalInput('label'),
    task: optionalInput('task'),
    classes: optionalInput('classes'),
    features: optionalInput('features'),
    output: optionalInput('output'),
    'slice-by': listInput('slice-by') ?? [],
    bootstrap: optionalInput('bootstrap'),
    confidence: optionalInput('confidence'),
    seed: optionalInput('seed'),
    provider: optionalInput('provider'),
    'batch-size': optionalInput('batch-size'),
  };
  // Checked with the file's names for the file's values; main.ts then validates the merged options.
  evaluateSettingsWithConfig(inputs, file, actionInput);
  return {
    raw: evaluateOptionsWithConfig(inputs, file.config.evaluate).raw,
    out: core.getInput('out') || 'modelgate-evaluation.json',
  };
}
