import * as core from '@actions/core';
import { loadConfig, type RawEvaluateOptions } from '@modelgate/core';
import { listInput, optionalInput } from './action.ts';

/**
 * The only place the evaluate action reads its inputs: each input, else the config file's
 * `evaluate:` section (CONTRACT.md: an input overrides the config).
 */
export async function readEvaluateInputs(): Promise<{ raw: RawEvaluateOptions; out: string }> {
  const configPath = optionalInput('config') ?? '.modelgate.yml';
  const config = (await loadConfig(configPath, { required: configPath !== '.modelgate.yml' })).evaluate ?? {};
  const joined = (v: string[] | undefined) => v?.join(',');
  const raw: RawEvaluateOptions = {
    model: optionalInput('model'),
    predictions: optionalInput('predictions') ?? config.predictions,
    data: optionalInput('data') ?? config.data,
    label: optionalInput('label') ?? config.label,
    task: optionalInput('task') ?? config.task,
    classes: optionalInput('classes') ?? joined(config.classes),
    features: optionalInput('features') ?? joined(config.features),
    output: optionalInput('output') ?? config.output,
    'slice-by': listInput('slice-by') ?? config.slice_by ?? [],
    bootstrap: optionalInput('bootstrap') ?? config.bootstrap,
    confidence: optionalInput('confidence') ?? config.confidence,
    seed: optionalInput('seed') ?? config.seed,
    provider: optionalInput('provider') ?? config.provider,
    'batch-size': optionalInput('batch-size') ?? config.batch_size,
  };
  // A model given as an input means the config's predictions file is not meant.
  if (raw.model !== undefined) delete raw.predictions;
  return { raw, out: core.getInput('out') || 'modelgate-evaluation.json' };
}
