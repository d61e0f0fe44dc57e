/**
 * The gate spec (CONTRACT.md "The gate spec"): parsed from `.modelgate.yml` or the file given
 * with `--gates`, validated, and turned into typed rules that `decide` applies.
 */
import { parseDocument } from 'yaml';
import { didYouMean, InputError } from '../kernel/errors.ts';
import { readInputFile } from '../kernel/fs.ts';
import type { OnInconclusive, RuleKind } from '../kernel/records/verdict.ts';
import { type Direction, MEASURED_METRICS, METRICS, metricDirection, type Task } from '../metrics/index.ts';
import { findSpecProblem, isPlainObject, type SpecProblem } from './diagnose.ts';
import { BUILT_IN_METRICS, type CHANGE_RULE_KEYS, gateSectionsSchema, RULE_KEYS } from './schema.ts';

/** Rules that compare the candidate with a baseline. */
export type ChangeRuleKind = (typeof CHANGE_RULE_KEYS)[number];

/** One rule of one metric's gate. */
export interface GateRule {
  readonly kind: RuleKind;
  /** The threshold's number as written: 0.01 for `0.01`, 1 for `1%`. */
  readonly amount: number;
  /** A percentage: the threshold is amount / 100 × |baseline|, resolved when the rule is checked. */
  readonly relative: boolean;
  /** The threshold as the spec wrote it (`1%`, `0.01`), for the verdict and the report. */
  readonly text: string;
}

/** The gate on one metric: its rules in check order (min, max, max_drop, max_increase, min_improvement). */
export interface MetricGate {
  readonly metric: string;
  /** From the built-in list, or the spec's `higher_is_better` for a custom metric. */
  readonly direction: Direction;
  readonly rules: readonly GateRule[];
  /** α of the change rules: they then decide on a one-sided (1 − α) bound, not on point estimates. */
  readonly significance?: number;
  /** This metric's own `on_inconclusive`, over the spec's. */
  readonly onInconclusive?: OnInconclusive;
}

export interface GateSpec {
  /** Gates on the overall metrics, in the spec's order. */
  readonly gates: readonly MetricGate[];
  /** Gates applied to every slice of the candidate. */
  readonly sliceGates: readonly MetricGate[];
  /** A missing baseline fails the change rules instead of skipping them. */
  readonly requireBaseline: boolean;
  /** What an inconclusive significance rule counts as, unless its metric says otherwise. Default `pass`. */
  readonly onInconclusive?: OnInconclusive;
  /** The file the spec was read from, for errors found later (a gate on a metric the task lacks). */
  readonly file?: string;
}

/**
 * Validates the parsed YAML of a gates file or `.modelgate.yml` (only `gates`, `slice_gates` and
 * `require_baseline` matter; other top-level keys are left to their owners). An empty document
 * is a spec without gates. Throws an InputError naming the file, metric and rule.
 */
export function parseGateSpec(document: unknown, file: string): GateSpec {
  const checked = gateSectionsSchema.safeParse(document ?? {});
  const problem = findSpecProblem(document) ?? (checked.success ? undefined : fromZod(checked.error.issues));
  if (problem !== undefined) throw specError(file, problem);
  const sections = isPlainObject(document) ? document : {};
  const onInconclusive = sections.on_inconclusive as OnInconclusive | undefined;
  return {
    gates: toMetricGates(sections.gates),
    sliceGates: toMetricGates(sections.slice_gates),
    requireBaseline: sections.require_baseline === true,
    ...(onInconclusive === undefined ? {} : { onInconclusive }),
  };
}

/**
 * Reads and validates a gate spec file for a compare. A spec without a single gate is refused:
 * it would pass every model, and `register --alias production` would accept that verdict.
 * Messages name the file as `name` (the way the user wrote it); `path` is where it is read.
 */
export async function loadGateSpec(path: string, name = path): Promise<GateSpec> {
  const spec = await readGateSpec(path, name);
  if (spec.gates.length === 0 && spec.sliceGates.length === 0) {
    throw new InputError(
      `${name} has no gates, so every model would pass; add a 'gates:' section, e.g. gates: { accuracy: { min: 0.9 } }`,
    );
  }
  return spec;
}

/**
 * The built-in metrics a task computes: its own and the measured ones. A gate on another built-in
 * metric (`rmse` on a classifier, `f1_macro` on a binary model) can never be checked, and must
 * not read as a regression: it is a mistake in the spec. Custom metrics are the record's business.
 */
export function checkGatesFitTask(spec: GateSpec, task: Task): void {
  const computed: readonly string[] = [...METRICS[task], ...MEASURED_METRICS];
  for (const [section, gates] of [
    ['gates', spec.gates],
    ['slice_gates', spec.sliceGates],
  ] as const) {
    for (const { metric } of gates) {
      if (!BUILT_IN_METRICS.includes(metric) || computed.includes(metric)) continue;
      // `f1_macro` on a binary model means `f1`: the family name is the closest metric.
      const family = metric.split('_')[0] ?? metric;
      const guess = computed.includes(family) ? family : didYouMean(metric, METRICS[task]);
      const file = spec.file === undefined ? '' : `${spec.file}: `;
      throw new InputError(
        `${file}${section}.${metric}: a ${task} model has no ${metric}${guess === undefined ? '.' : `; did you mean '${guess}'?`} A ${task} evaluation computes ${computed.join(', ')}`,
      );
    }
  }
}

/**
 * Reads and validates a gate spec file. Invalid YAML is an InputError naming the file (as `name`)
 * and line.
 */
export async function readGateSpec(path: string, name = path): Promise<GateSpec> {
  const text = (await readInputFile(path, 'gate spec')).toString('utf8');
  // `uniqueKeys` (the default) makes a metric gated twice an error rather than a silent override.
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error !== undefined) {
    const position = error.linePos?.[0];
    const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
    // The message's first line, without the position (given above) and the code frame after it.
    const what = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`${name}: invalid YAML${where}: ${what}`, { cause: error });
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // e.g. an alias bomb: valid syntax that does not resolve to plain data.
    throw new InputError(`${name}: invalid YAML: ${(error as Error).message}`, { cause: error });
  }
  return { ...parseGateSpec(value, name), file: name };
}

function specError(file: string, problem: SpecProblem): InputError {
  const where = problem.where === '' ? '' : `${problem.where}: `;
  return new InputError(
    `${file}: ${where}${problem.message}`,
    problem.hint === undefined ? {} : { hint: problem.hint },
  );
}

/** A schema failure the walker did not explain (it should): still one line naming the place. */
function fromZod(issues: readonly { path: PropertyKey[]; message: string }[]): SpecProblem {
  const issue = issues[0];
  return { where: issue?.path.map(String).join('.') ?? '', message: issue?.message ?? 'is not valid' };
}

function toMetricGates(section: unknown): MetricGate[] {
  if (!isPlainObject(section)) return [];
  return Object.entries(section).map(([metric, value]) => {
    const written = value as Record<string, unknown>;
    const direction = metricDirection(metric) ?? (written.higher_is_better === true ? 'higher' : 'lower');
    const rules = RULE_KEYS.filter((kind) => written[kind] !== undefined).map((kind) =>
      toRule(kind, written[kind] as number | string),
    );
    const significance = written.significance as number | undefined;
    const onInconclusive = written.on_inconclusive as OnInconclusive | undefined;
    return {
      metric,
      direction,
      rules,
      ...(significance === undefined ? {} : { significance }),
      ...(onInconclusive === undefined ? {} : { onInconclusive }),
    };
  });
}

function toRule(kind: RuleKind, written: number | string): GateRule {
  if (typeof written === 'number') return { kind, amount: written, relative: false, text: String(written) };
  const text = written.trim();
  return { kind, amount: Number(text.replace('%', '').trim()), relative: true, text };
}
