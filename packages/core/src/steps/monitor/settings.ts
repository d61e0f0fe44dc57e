import { resolve } from 'node:path';
import { type ConfigFile, registrySpecFrom } from '../../config/file.ts';
import type { DriftThresholds } from '../../drift/analyze.ts';
import { type GateSpec, parseGateSpec } from '../../gates/index.ts';
import type { Provider } from '../../inference/model.ts';
import { InputError } from '../../kernel/errors.ts';
import {
  type OptionNamer,
  parseBoolean,
  parseChoice,
  parseInteger,
  parseList,
} from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';
import { parseNameAtRef } from '../../registry/names.ts';

/** Every option of `modelgate monitor`. */
export const MONITOR_OPTIONS = {
  reference: 'string',
  current: 'string',
  model: 'string',
  output: 'string',
  label: 'string',
  features: 'string',
  'reference-data': 'string',
  registry: 'string',
  bootstrap: 'string',
  seed: 'string',
  provider: 'string',
  out: 'string',
  report: 'string',
} as const satisfies OptionTable;

/** The monitor action's inputs: the command's options, plus what it does on GitHub. */
export const MONITOR_ACTION_OPTIONS = {
  ...MONITOR_OPTIONS,
  issue: 'boolean',
  'dispatch-workflow': 'string',
} as const satisfies OptionTable;

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_EFFECT = 0.1;
/** Bootstrap resamples for the performance intervals (as evaluate's default). */
export const DEFAULT_MONITOR_BOOTSTRAP = 1000;
export const DEFAULT_MONITOR_SEED = 42;

/** The reference: a data file or log folder, or the data a registered version was evaluated on. */
export type ReferenceSource =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'registry'; readonly text: string; readonly name: string; readonly ref: string };

export interface MonitorSettings {
  readonly reference: ReferenceSource;
  readonly current: string;
  /** A file with the registered reference's digest, when its evaluation's own path is not at hand. */
  readonly referenceData?: string;
  readonly model?: string;
  readonly output?: string;
  readonly label?: string;
  readonly features?: readonly string[];
  readonly registry: string;
  /** The model's registry name (`model:` in the config, or the registry reference's), for the issue. */
  readonly name?: string;
  readonly alpha: number;
  readonly minEffect: number;
  /** The limits of one feature: its `per_feature` entry, else the section's. */
  readonly thresholds: (feature: string) => DriftThresholds;
  /** The performance gates (`.modelgate.yml`'s gates), when a label is given. */
  readonly gates?: GateSpec;
  readonly bootstrap: number;
  readonly seed: number;
  readonly provider: Provider;
  readonly out?: string;
  readonly report?: string;
  /** GitHub: keep the model's drift issue (the action only). */
  readonly issue: boolean;
  /** GitHub: the retrain workflow to dispatch on drift (the action only). */
  readonly dispatchWorkflow?: string;
  /** How messages name the two sides. */
  readonly names: { readonly reference: string; readonly current: string; readonly referenceData: string };
  readonly cwd: string;
}

export interface MonitorContext {
  readonly cwd: string;
  /** The workflow event (an action): the issue defaults to on for `schedule`. */
  readonly event?: string;
}

const blank = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

function limit(
  value: number | undefined,
  what: string,
  kind: 'alpha' | 'min_effect',
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const ok = kind === 'alpha' ? value > 0 && value < 1 : value >= 0 && Number.isFinite(value);
  if (!ok) {
    throw new InputError(
      `${what} is ${value}; expected ${kind === 'alpha' ? 'a number between 0 and 1, like 0.05' : 'a number ≥ 0 (a PSI, like 0.1)'}`,
    );
  }
  return value;
}

/**
 * The only reader of monitor's options: each flag or input, else the config file's `monitor:`
 * section, else the default. Errors name a value as its giver does (`--reference`,
 * `input 'reference'`, or `'monitor.reference' in .modelgate.yml`).
 */
export function monitorStepSettingsFrom(
  raw: RawOptions<typeof MONITOR_ACTION_OPTIONS>,
  file: ConfigFile,
  namer: OptionNamer,
  context: MonitorContext,
): MonitorSettings {
  const section = file.config.monitor ?? {};
  const fromFile = (key: string) => `'monitor.${key}' in ${file.path}`;
  const pick = (option: keyof typeof MONITOR_OPTIONS, key: keyof typeof section) => {
    const given = blank(raw[option] as string | undefined);
    if (given !== undefined) return { value: given, name: namer(option) };
    const value = section[key];
    if (value === undefined) return { value: undefined, name: namer(option) };
    return { value: Array.isArray(value) ? value.join(',') : String(value), name: fromFile(String(key)) };
  };
  const reference = pick('reference', 'reference');
  const current = pick('current', 'current');
  if (reference.value === undefined)
    throw new InputError(
      `${namer('reference')} is required: a data file, a request log folder, or registry:NAME@ALIAS`,
    );
  if (current.value === undefined)
    throw new InputError(`${namer('current')} is required: a data file or a request log folder`);

  let source: ReferenceSource;
  if (reference.value.startsWith('registry:')) {
    const text = reference.value.slice('registry:'.length);
    const withName =
      text.includes('@') || file.config.model === undefined ? text : `${file.config.model}@${text}`;
    if (!withName.includes('@'))
      throw new InputError(
        `${reference.name} '${reference.value}' names no version: write registry:NAME@ALIAS`,
        {
          hint: 'for example registry:churn@production',
        },
      );
    const { name, ref } = parseNameAtRef(withName);
    source = { kind: 'registry', text: reference.value, name, ref };
  } else source = { kind: 'path', path: reference.value };

  const features = pick('features', 'features');
  const alphaGiven = section.alpha;
  const alpha = limit(alphaGiven, fromFile('alpha'), 'alpha', DEFAULT_ALPHA);
  const minEffect = limit(section.min_effect, fromFile('min_effect'), 'min_effect', DEFAULT_MIN_EFFECT);
  const perFeature = new Map<string, DriftThresholds>();
  for (const [feature, limits] of Object.entries(section.per_feature ?? {})) {
    perFeature.set(feature, {
      alpha: limit(limits.alpha, fromFile(`per_feature.${feature}.alpha`), 'alpha', alpha),
      minEffect: limit(
        limits.min_effect,
        fromFile(`per_feature.${feature}.min_effect`),
        'min_effect',
        minEffect,
      ),
    });
  }
  const label = pick('label', 'label').value;
  const model = pick('model', 'model').value;
  const bootstrap = pick('bootstrap', 'bootstrap');
  const seed = pick('seed', 'seed');
  const issue = parseBoolean('issue', raw.issue, namer) ?? section.issue ?? context.event === 'schedule';
  const dispatchWorkflow = blank(raw['dispatch-workflow']) ?? blank(section.dispatch_workflow);
  let gates: GateSpec | undefined;
  if (label !== undefined && model !== undefined) {
    gates = parseGateSpec(file.config, file.path);
    if (gates.gates.length === 0) {
      throw new InputError(`performance drift needs gates: ${file.path} has none`, {
        hint: "add a 'gates:' section (as compare reads it), or leave the label out for data drift alone",
      });
    }
  }
  const out = blank(raw.out);
  const report = blank(raw.report);
  const referenceData = pick('reference-data', 'reference_data').value;
  const name = source.kind === 'registry' ? source.name : file.config.model;
  return {
    reference: source,
    current: current.value,
    ...(referenceData === undefined ? {} : { referenceData }),
    ...(model === undefined ? {} : { model }),
    ...(blank(raw.output) === undefined ? {} : { output: blank(raw.output) as string }),
    ...(label === undefined ? {} : { label }),
    ...(features.value === undefined
      ? {}
      : { features: parseList('features', features.value, () => features.name) }),
    registry: registrySpecFrom(raw.registry, file),
    ...(name === undefined ? {} : { name }),
    alpha,
    minEffect,
    thresholds: (feature) => perFeature.get(feature) ?? { alpha, minEffect },
    ...(gates === undefined ? {} : { gates }),
    bootstrap: parseInteger('bootstrap', bootstrap.value, DEFAULT_MONITOR_BOOTSTRAP, () => bootstrap.name, 0),
    seed: parseInteger('seed', seed.value, DEFAULT_MONITOR_SEED, () => seed.name, 0),
    provider: parseChoice('provider', blank(raw.provider), ['auto', 'cpu', 'cuda'] as const, namer) ?? 'cpu',
    ...(out === undefined ? {} : { out }),
    ...(report === undefined ? {} : { report }),
    issue,
    ...(dispatchWorkflow === undefined ? {} : { dispatchWorkflow }),
    names: { reference: reference.name, current: current.name, referenceData: namer('reference-data') },
    cwd: resolve(context.cwd),
  };
}
