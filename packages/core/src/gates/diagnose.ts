/**
 * Finds the first problem in a gate spec, in document order, and says it the way a user can
 * act on: which metric, which rule, what was expected, and the likely fix.
 *
 * The zod schema (schema.ts) decides what is structurally valid; this walker explains it, and
 * adds the checks a JSON Schema cannot state (an empty rule set, `significance` with nothing
 * to apply to, `min` above `max`). The parser runs both, and a test keeps them in agreement.
 */
import { didYouMean, editDistance } from '../kernel/errors.ts';
import { type Direction, metricDirection } from '../metrics/index.ts';
import {
  BUILT_IN_METRICS,
  CHANGE_RULE_KEYS,
  ON_INCONCLUSIVE,
  OPTION_KEYS,
  PERCENTAGE,
  RULE_KEYS,
} from './schema.ts';

/** A problem in the spec: where (`gates.accuracy.max_drop`), what, and an optional fix. */
export interface SpecProblem {
  readonly where: string;
  readonly message: string;
  readonly hint?: string;
}

export const SECTIONS = ['gates', 'slice_gates', 'require_baseline', 'on_inconclusive'] as const;
const GATE_SECTIONS = ['gates', 'slice_gates'] as const;
const ALL_KEYS: readonly string[] = [...RULE_KEYS, ...OPTION_KEYS];

const DECIMAL_COMMA = /^\s*[-+]?\d+,\d+\s*%?\s*$/;
const QUOTED_NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `requireBaseline`, `require-baseline` and `require_baseline` are the same intent. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** How a YAML value reads back to the user in a message. */
function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The first problem in the document, or undefined when it is a valid gate spec. */
export function findSpecProblem(document: unknown): SpecProblem | undefined {
  if (document === null || document === undefined) return undefined;
  if (!isPlainObject(document)) {
    return {
      where: '',
      message: `expected a YAML mapping with a 'gates' section, got ${show(document)}`,
      hint: 'e.g.\ngates:\n  accuracy: { min: 0.9, max_drop: 0.01 }',
    };
  }
  for (const key of Object.keys(document)) {
    // Other steps' sections live here too; only a near-miss of ours is surely a typo, and a
    // silently ignored `gate:` would pass every model.
    if ((SECTIONS as readonly string[]).includes(key)) continue;
    const guess = SECTIONS.find((section) => editDistance(normalize(key), normalize(section)) <= 1);
    if (guess !== undefined) {
      return { where: key, message: `unknown section '${key}'; did you mean '${guess}'?` };
    }
  }
  const requireBaseline = document.require_baseline;
  if (requireBaseline !== undefined && typeof requireBaseline !== 'boolean') {
    return { where: 'require_baseline', message: `must be true or false, got ${show(requireBaseline)}` };
  }
  if (document.on_inconclusive !== undefined) {
    const problem = findOnInconclusiveProblem('on_inconclusive', document.on_inconclusive);
    if (problem !== undefined) return problem;
  }
  for (const section of GATE_SECTIONS) {
    const gates = document[section];
    if (gates === undefined || gates === null) continue;
    if (!isPlainObject(gates)) {
      return {
        where: section,
        message: `must be a mapping of metric name to rules, got ${show(gates)}`,
        hint: `e.g. ${section}: { accuracy: { min: 0.9 } }`,
      };
    }
    for (const [metric, rules] of Object.entries(gates)) {
      const problem = findRuleSetProblem(`${section}.${metric}`, metric, rules);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** The rule names that fit a direction, for messages. */
function rulesFor(direction: Direction | undefined): string {
  if (direction === 'higher') return 'min, max, max_drop, min_improvement';
  if (direction === 'lower') return 'min, max, max_increase, min_improvement';
  return RULE_KEYS.join(', ');
}

function findRuleSetProblem(where: string, metric: string, rules: unknown): SpecProblem | undefined {
  const builtIn = metricDirection(metric);
  if (rules === null || rules === undefined) {
    return { where, message: `no rules; give at least one of ${rulesFor(builtIn)}` };
  }
  if (!isPlainObject(rules)) {
    return {
      where,
      message: `must be a mapping of rules, got ${show(rules)}`,
      hint: `e.g. ${metric}: { min: 0.9 }`,
    };
  }
  const stated = rules.higher_is_better;
  if (stated !== undefined && typeof stated !== 'boolean') {
    return { where: `${where}.higher_is_better`, message: `must be true or false, got ${show(stated)}` };
  }
  if (builtIn === undefined && stated === undefined) {
    const guess = didYouMean(metric, BUILT_IN_METRICS);
    return {
      where,
      message: `unknown metric${guess === undefined ? '.' : `; did you mean '${guess}'?`} Known: ${BUILT_IN_METRICS.join(', ')}`,
      hint: 'a metric modelgate does not compute needs `higher_is_better: true` or `higher_is_better: false`',
    };
  }
  if (builtIn !== undefined && stated !== undefined && stated !== (builtIn === 'higher')) {
    return {
      where: `${where}.higher_is_better`,
      message: `${metric} is a built-in ${builtIn}-is-better metric; its direction cannot be changed`,
      hint: 'remove higher_is_better',
    };
  }
  const direction: Direction = builtIn ?? (stated === true ? 'higher' : 'lower');
  for (const [key, value] of Object.entries(rules)) {
    const problem = findRuleProblem(`${where}.${key}`, metric, direction, key, value);
    if (problem !== undefined) return problem;
  }
  const keys = Object.keys(rules);
  if (!keys.some((key) => (RULE_KEYS as readonly string[]).includes(key))) {
    return { where, message: `no rules; give at least one of ${rulesFor(direction)}` };
  }
  if (
    rules.significance !== undefined &&
    !keys.some((key) => (CHANGE_RULE_KEYS as readonly string[]).includes(key))
  ) {
    return {
      where: `${where}.significance`,
      message: `applies to a change rule, and there is none (${direction === 'higher' ? 'max_drop' : 'max_increase'} or min_improvement)`,
    };
  }
  if (rules.on_inconclusive !== undefined && rules.significance === undefined) {
    return {
      where: `${where}.on_inconclusive`,
      message:
        'applies only with significance: without it, point estimates decide and nothing is inconclusive',
      hint: 'add significance: 0.05, or remove on_inconclusive',
    };
  }
  const { min, max } = rules;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    return { where, message: `min ${min} is above max ${max}: no value can pass` };
  }
  return undefined;
}

function findRuleProblem(
  where: string,
  metric: string,
  direction: Direction,
  key: string,
  value: unknown,
): SpecProblem | undefined {
  if (!ALL_KEYS.includes(key)) {
    if (/^\d+$/.test(key)) {
      // `{ min: 1,5 }` in a flow mapping reads as `min: 1` and a key `5`.
      return {
        where,
        message: `'${key}' is not a rule; a decimal comma splits the number in a { … } mapping`,
        hint: 'write decimals with a point (1.5, not 1,5)',
      };
    }
    const guess = didYouMean(key, ALL_KEYS);
    return {
      where,
      message: `unknown rule '${key}'${guess === undefined ? '.' : `; did you mean '${guess}'?`} Rules: ${ALL_KEYS.join(', ')}`,
    };
  }
  if (key === 'max_drop' && direction === 'lower') {
    return {
      where,
      message: `${metric} is lower-is-better, so a drop is an improvement; use max_increase to limit how far it may rise`,
    };
  }
  if (key === 'max_increase' && direction === 'higher') {
    return {
      where,
      message: `${metric} is higher-is-better, so an increase is an improvement; use max_drop to limit how far it may fall`,
    };
  }
  if (key === 'min' || key === 'max') return findBoundProblem(where, key, value);
  if (key === 'significance') return findSignificanceProblem(where, value);
  if (key === 'on_inconclusive') return findOnInconclusiveProblem(where, value);
  if (key === 'higher_is_better') return undefined;
  return findThresholdProblem(where, value);
}

/** A number a user meant but wrote as text: the likely fix, or undefined. */
function numberHint(text: string): string | undefined {
  if (DECIMAL_COMMA.test(text)) return `write decimals with a point: ${text.trim().replace(',', '.')}`;
  if (QUOTED_NUMBER.test(text)) return `write the number without quotes: ${text.trim()}`;
  return undefined;
}

function findBoundProblem(where: string, key: 'min' | 'max', value: unknown): SpecProblem | undefined {
  if (value === null) return { where, message: 'has no value; expected a number' };
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { where, message: `must be a finite number, got ${value}` };
  }
  if (typeof value === 'string' && PERCENTAGE.test(value)) {
    return {
      where,
      message: `${key} is an absolute value, got ${show(value)}; percentages apply only to max_drop, max_increase and min_improvement`,
    };
  }
  const hint = typeof value === 'string' ? numberHint(value) : undefined;
  return { where, message: `${show(value)} is not a number`, ...(hint === undefined ? {} : { hint }) };
}

function findThresholdProblem(where: string, value: unknown): SpecProblem | undefined {
  if (value === null) return { where, message: 'has no value; expected a number or a percentage like 1%' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { where, message: `must be a finite number, got ${value}` };
    if (value < 0) {
      return { where, message: `must not be negative (it is the size of a change), got ${value}` };
    }
    return undefined;
  }
  if (typeof value === 'string') {
    if (PERCENTAGE.test(value)) return undefined;
    if (/^\s*-/.test(value) && PERCENTAGE.test(value.replace('-', ''))) {
      return { where, message: `must not be negative (it is the size of a change), got ${show(value)}` };
    }
    const hint = numberHint(value);
    return {
      where,
      message: `${show(value)} is not a number or a percentage like 1%`,
      ...(hint === undefined ? {} : { hint }),
    };
  }
  return { where, message: `expected a number or a percentage like 1%, got ${show(value)}` };
}

function findOnInconclusiveProblem(where: string, value: unknown): SpecProblem | undefined {
  if ((ON_INCONCLUSIVE as readonly unknown[]).includes(value)) return undefined;
  return { where, message: `must be pass or fail, got ${show(value)}` };
}

function findSignificanceProblem(where: string, value: unknown): SpecProblem | undefined {
  if (typeof value === 'number' && value > 0 && value < 1) return undefined;
  const problem = { where, message: `must be between 0 and 1 (exclusive), e.g. 0.05; got ${show(value)}` };
  if (typeof value === 'number' && value > 1 && value < 100) {
    return { ...problem, hint: `a level of ${value}% is written ${value / 100}` };
  }
  if (typeof value === 'string') {
    const hint = PERCENTAGE.test(value)
      ? `write it as a fraction: ${Number(value.replace('%', '')) / 100}`
      : numberHint(value);
    return hint === undefined ? problem : { ...problem, hint };
  }
  return problem;
}
