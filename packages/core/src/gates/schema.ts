/**
 * The gate spec's shape as a zod schema: the one source of truth for what a valid `gates` /
 * `slice_gates` / `require_baseline` section is. The parser validates with it and
 * `docs/gate-spec.schema.json` (editor autocompletion) is generated from it.
 *
 * Direction is part of the shape: a built-in higher-is-better metric has no `max_increase`
 * key and a lower-is-better one no `max_drop`, so editors flag a rule against the metric's
 * direction as you type, and a custom metric must pick its direction with `higher_is_better`.
 */
import { z } from 'zod';
import { MEASURED_METRICS, METRICS, metricDirection } from '../metrics/index.ts';

/** Every metric modelgate knows, in the CONTRACT's order, each once. */
export const BUILT_IN_METRICS: readonly string[] = Object.freeze([
  ...new Set([...METRICS.binary, ...METRICS.multiclass, ...METRICS.regression, ...MEASURED_METRICS]),
]);

/** The rule keys of one metric's gate, in the order rules are checked and reported. */
export const RULE_KEYS = ['min', 'max', 'max_drop', 'max_increase', 'min_improvement'] as const;
/** Keys that are allowed beside the rules but are not rules themselves. */
export const OPTION_KEYS = ['significance', 'on_inconclusive', 'higher_is_better'] as const;
/** What an inconclusive significance rule counts as. */
export const ON_INCONCLUSIVE = ['pass', 'fail'] as const;
/** Rules that compare the candidate with the baseline (and so need one). */
export const CHANGE_RULE_KEYS = ['max_drop', 'max_increase', 'min_improvement'] as const;

/**
 * A relative change threshold: a non-negative percentage of |baseline| (`1%`, `0.5 %`). An
 * absolute threshold is a YAML number; the string form exists only for the percentage.
 */
export const PERCENTAGE = /^\s*\+?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*%\s*$/;

const threshold = z.union([z.number().min(0), z.string().regex(PERCENTAGE)]).meta({
  id: 'threshold',
  description:
    'A non-negative amount of change: an absolute number (0.01), or a percentage of |baseline| (1%).',
});

const onInconclusive = (description: string) => z.enum(ON_INCONCLUSIVE).optional().meta({ description });

const bound = (description: string) => z.number().optional().meta({ description });

const commonRules = {
  min: bound("Inclusive lower bound on the candidate's value; applies even without a baseline."),
  max: bound("Inclusive upper bound on the candidate's value; applies even without a baseline."),
  min_improvement: threshold.optional().meta({
    description:
      "Fails unless the candidate beats the baseline by at least this, in the metric's good direction.",
  }),
  significance: z.number().gt(0).lt(1).optional().meta({
    description:
      'α: a change rule then passes when the one-sided (1 − α) bootstrap bounds of candidate − baseline show the change is within tolerance (for min_improvement: that the improvement is real), fails when they show it is not, and is inconclusive when the interval straddles the tolerance.',
  }),
  on_inconclusive: onInconclusive(
    "What this metric's inconclusive change rules count as: pass or fail. Default: the top-level on_inconclusive.",
  ),
};

const maxDrop = threshold.optional().meta({
  description: 'Fails when baseline − candidate exceeds this (for a higher-is-better metric).',
});
const maxIncrease = threshold.optional().meta({
  description: 'Fails when candidate − baseline exceeds this (for a lower-is-better metric).',
});

const higherIsBetterRules = z
  .strictObject({ ...commonRules, max_drop: maxDrop, higher_is_better: z.literal(true).optional() })
  .meta({ id: 'higherIsBetterRules', description: 'Rules for a metric where higher is better.' });

const lowerIsBetterRules = z
  .strictObject({ ...commonRules, max_increase: maxIncrease, higher_is_better: z.literal(false).optional() })
  .meta({ id: 'lowerIsBetterRules', description: 'Rules for a metric where lower is better.' });

/** A metric modelgate does not know must state its direction. */
const customMetricRules = z
  .discriminatedUnion('higher_is_better', [
    higherIsBetterRules.extend({ higher_is_better: z.literal(true) }),
    lowerIsBetterRules.extend({ higher_is_better: z.literal(false) }),
  ])
  .meta({
    id: 'customMetricRules',
    description: 'Rules for a metric modelgate does not know: it must say higher_is_better: true or false.',
  });

/** `gates:` / `slice_gates:`: metric name → rules. Null (an empty YAML section) means no gates. */
export const gatesSchema = z
  .object(
    Object.fromEntries(
      BUILT_IN_METRICS.map((metric) => [
        metric,
        (metricDirection(metric) === 'lower' ? lowerIsBetterRules : higherIsBetterRules).optional(),
      ]),
    ),
  )
  .catchall(customMetricRules)
  .nullable()
  .meta({
    id: 'metricGates',
    description: 'Metric name → rules. A metric modelgate does not know needs higher_is_better.',
  });

/**
 * The sections of a gates file or `.modelgate.yml` that the gates own. Other top-level keys
 * (model, evaluate, registry, …) are allowed and left to their owners.
 */
export const gateSectionsSchema = z
  .looseObject({
    gates: gatesSchema.optional().meta({ description: 'Gates on the overall metrics: metric name → rules.' }),
    slice_gates: gatesSchema.optional().meta({
      description: 'Gates applied to every slice of the candidate evaluation: metric name → rules.',
    }),
    require_baseline: z.boolean().optional().meta({
      description: 'When true, a missing baseline fails the change rules instead of skipping them.',
    }),
    on_inconclusive: onInconclusive(
      'What an inconclusive significance rule (its interval of Δ straddles the tolerance) counts as: pass (the default) or fail.',
    ),
  })
  .meta({
    title: 'modelgate gate spec',
    description: 'The gates of .modelgate.yml (or the file given with --gates).',
  });

/** The gate spec's JSON Schema (draft-07, which editors' YAML plugins support best). */
export function gateSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(gateSectionsSchema, { target: 'draft-7' }) as Record<string, unknown>;
}

/** `docs/gate-spec.schema.json`'s exact content. */
export function renderGateSpecJsonSchema(): string {
  return `${JSON.stringify(gateSpecJsonSchema(), null, 2)}\n`;
}
