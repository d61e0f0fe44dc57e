import { parse } from 'yaml';
import { z } from 'zod';
import { didYouMean, InputError } from '../kernel/errors.ts';

/** A list given as YAML list or as one comma-separated string. */
const stringList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (typeof v === 'string' ? [v] : v));
const scalar = z.union([z.string(), z.number()]).transform((v) => String(v));

/** The `evaluate:` section: defaults for `modelgate evaluate` and the evaluate action. */
const evaluateSection = z
  .object({
    data: z.string().optional(),
    predictions: z.string().optional(),
    label: z.string().optional(),
    task: z.string().optional(),
    classes: stringList.optional(),
    features: stringList.optional(),
    output: z.string().optional(),
    slice_by: stringList.optional(),
    bootstrap: scalar.optional(),
    confidence: scalar.optional(),
    seed: scalar.optional(),
    provider: z.string().optional(),
    batch_size: scalar.optional(),
  })
  .strict();

/** A drift limit for one feature, overriding the section's. */
const monitorFeatureLimits = z
  .object({ alpha: z.number().optional(), min_effect: z.number().optional() })
  .strict();

/** The `monitor:` section: defaults for `modelgate monitor` and the monitor action, and the drift limits. */
const monitorSection = z
  .object({
    reference: z.string().optional(),
    current: z.string().optional(),
    model: z.string().optional(),
    label: z.string().optional(),
    features: stringList.optional(),
    alpha: z.number().optional(),
    min_effect: z.number().optional(),
    per_feature: z.record(z.string(), monitorFeatureLimits).optional(),
    reference_data: z.string().optional(),
    bootstrap: scalar.optional(),
    seed: scalar.optional(),
    issue: z.boolean().optional(),
    dispatch_workflow: z.string().optional(),
  })
  .strict();

/**
 * `.modelgate.yml`. The sections other steps own (gates, registry, deploy, train) are validated
 * by those steps; here they only have to be present under a known name.
 */
export const configSchema = z
  .object({
    model: z.string().optional(),
    evaluate: evaluateSection.optional(),
    gates: z.unknown().optional(),
    slice_gates: z.unknown().optional(),
    require_baseline: z.boolean().optional(),
    on_inconclusive: z.unknown().optional(),
    registry: z.unknown().optional(),
    deploy: z.unknown().optional(),
    train: z.unknown().optional(),
    monitor: monitorSection.optional(),
  })
  .strict();

export type ModelgateConfig = z.infer<typeof configSchema>;

/**
 * A config file's text, parsed and checked: what {@link loadConfig} does once it has read the
 * file. It lives apart, with the YAML parser and the schemas (about 1 MB of yaml and zod), so that
 * a step run without a config file does not load them (`config.ts` imports this module when a
 * file is there).
 */
export function parseConfig(text: string, path: string): ModelgateConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InputError(
      `config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  const result = configSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const known = Object.keys(
      where === 'evaluate'
        ? evaluateSection.shape
        : where === 'monitor'
          ? monitorSection.shape
          : where.startsWith('monitor.per_feature.')
            ? monitorFeatureLimits.shape
            : configSchema.shape,
    );
    const guess = didYouMean(key, known);
    throw new InputError(`config file ${path}: unknown key '${where === '' ? key : `${where}.${key}`}'`, {
      hint: guess === undefined ? `known keys: ${known.join(', ')}` : `did you mean '${guess}'?`,
    });
  }
  throw new InputError(
    `config file ${path}: ${where === '' ? '' : `'${where}' `}${issue?.message ?? 'is not valid'}`,
  );
}
