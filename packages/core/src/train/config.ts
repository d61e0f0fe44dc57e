import { z } from 'zod';
import { didYouMean, InputError } from '../kernel/errors.ts';
import type { RawTrainOptions } from './settings.ts';

const scalar = z.union([z.string(), z.number()]).transform((v) => String(v));
const stringList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split('\n') : v));

/** The `train:` section of `.modelgate.yml`: defaults for the train action's inputs. */
export const trainSection = z
  .object({
    command: z.string().optional(),
    working_directory: z.string().optional(),
    params: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    gpus: scalar.optional(),
    require_gpu: z.boolean().optional(),
    model_path: z.string().optional(),
    metrics_file: z.string().optional(),
    cache_paths: stringList.optional(),
    cache_key: z.string().optional(),
    timeout_minutes: scalar.optional(),
    telemetry_interval_seconds: scalar.optional(),
    gpu_wait_minutes: scalar.optional(),
  })
  .strict();

/**
 * Reads the config's `train:` section. `allow_fork_prs` is refused here on purpose: a fork's
 * pull request carries its own copy of the config file, so the switch that lets forks run must
 * live in the workflow, as the action input.
 */
export function trainOptionsFromConfig(section: unknown, path: string): RawTrainOptions {
  if (section === undefined || section === null) return {};
  if (typeof section === 'object' && !Array.isArray(section) && 'allow_fork_prs' in section) {
    throw new InputError(`config file ${path}: 'train.allow_fork_prs' cannot be set in the config file`, {
      hint: "a fork's pull request brings its own copy of this file; set the train action's allow-fork-prs input in the workflow instead",
    });
  }
  const result = trainSection.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const known = Object.keys(trainSection.shape);
      const guess = didYouMean(key, known);
      throw new InputError(`config file ${path}: unknown key 'train.${key}'`, {
        hint: guess === undefined ? `known keys: ${known.join(', ')}` : `did you mean '${guess}'?`,
      });
    }
    const where = ['train', ...(issue?.path ?? [])].join('.');
    throw new InputError(`config file ${path}: '${where}' ${issue?.message ?? 'is not valid'}`);
  }
  const t = result.data;
  const params = t.params === undefined || typeof t.params === 'string' ? t.params : JSON.stringify(t.params);
  const entries: Array<[keyof RawTrainOptions, RawTrainOptions[keyof RawTrainOptions]]> = [
    ['command', t.command],
    ['working-directory', t.working_directory],
    ['params', params],
    ['gpus', t.gpus],
    ['require-gpu', t.require_gpu],
    ['model-path', t.model_path],
    ['metrics-file', t.metrics_file],
    ['cache-paths', t.cache_paths],
    ['cache-key', t.cache_key],
    ['timeout-minutes', t.timeout_minutes],
    ['telemetry-interval-seconds', t.telemetry_interval_seconds],
    ['gpu-wait-minutes', t.gpu_wait_minutes],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as RawTrainOptions;
}
