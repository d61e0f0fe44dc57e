import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type ModelgateConfig } from '../../config/config.ts';
import { type ConfigFile, DEFAULT_CONFIG_FILE, registrySpecFrom } from '../../config/file.ts';
import { evaluateSettingsWithConfig, SCORING_OPTIONS } from '../../evaluation/config.ts';
import type { EvaluateSettings } from '../../evaluation/settings.ts';
import { type GateSpec, loadGateSpec } from '../../gates/spec.ts';
import { InputError } from '../../kernel/errors.ts';
import { type OptionNamer, parseBoolean } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';
import { REGISTRY_BASELINE_PREFIX, registryBaselineRef } from '../../registry/baseline.ts';
import { parseRegistrySpec } from '../../registry/open.ts';

/**
 * Every option of `modelgate compare` and the compare-to-baseline action: the same names on both
 * sides. `out`/`report` are the CLI's names of the action's `verdict-path`/`report-path`;
 * `comment` and `fail-on-regression` are `true`/`false` on both.
 */
export const COMPARE_OPTIONS = {
  ...SCORING_OPTIONS,
  candidate: 'string',
  baseline: 'string',
  'baseline-model': 'string',
  gates: 'string',
  name: 'string',
  registry: 'string',
  'baseline-ref': 'string',
  out: 'string',
  report: 'string',
  'verdict-path': 'string',
  'report-path': 'string',
  comment: 'string',
  'fail-on-regression': 'string',
} as const satisfies OptionTable;

/** The baseline when none is given: the version the registry's `production` alias names (CONTRACT.md). */
export const DEFAULT_BASELINE = 'registry:production';

/** What the candidate is compared with, before anything is opened or read. */
export type CompareBaseline =
  | { readonly kind: 'none' }
  /** An evaluation record (records mode) or a model (paired mode). */
  | { readonly kind: 'path'; readonly path: string }
  /** `registry:REF` of the model `name`: its stored evaluation, or its model scored on the same rows. */
  | {
      readonly kind: 'registry';
      readonly ref: string;
      /** The registry spec (`fs:PATH`, `github:OWNER/REPO`), checked. */
      readonly registry: string;
      /** How messages name where the spec came from. */
      readonly what: string;
    };

export interface CompareStepSettings {
  /** The model's name: the registry name and the key of the sticky comment. */
  readonly name: string;
  readonly spec: GateSpec;
  /** Two evaluation records (unpaired), or the candidate model scored with the baseline on the same rows. */
  readonly mode:
    | { readonly kind: 'records'; readonly candidate: string }
    | { readonly kind: 'paired'; readonly evaluate: EvaluateSettings };
  readonly baseline: CompareBaseline;
  /** What the baseline is called in the verdict and the report; null without one. */
  readonly baselineRef: string | null;
  /** Where the verdict and the report go; undefined: not written. */
  readonly out: string | undefined;
  readonly report: string | undefined;
  /** Post the sticky PR comment; undefined: on pull requests. */
  readonly comment: boolean | undefined;
  /** A failed gate is the step's "no" (exit code 1, a failed step). */
  readonly failOnRegression: boolean;
}

const text = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * The only reader of compare's options, for the CLI and the action alike. The gate spec is
 * `gates` (else the config file); the name is `name`, else `model:` in the gate spec, else in
 * the config file. The baseline has one rule (CONTRACT.md): `baseline`, else `registry:production`;
 * `none` is no baseline yet. In paired mode `baseline-model` names the baseline model outright,
 * in place of a registry baseline. A registry baseline needs the model's name, and is looked up in
 * `registry`, else the config file's `registry:`, else `fs:.modelgate/registry`.
 */
export async function compareSettingsFrom(
  raw: RawOptions<typeof COMPARE_OPTIONS>,
  config: ConfigFile,
  namer: OptionNamer,
  cwd = process.cwd(),
): Promise<CompareStepSettings> {
  const gates = await gateSpecOf(text(raw.gates), config, namer, cwd);
  const givenName = text(raw.name) ?? gates.config.model ?? config.config.model;
  const candidate = text(raw.candidate);
  const model = text(raw.model);
  const baselineModel = text(raw['baseline-model']);
  const given = text(raw.baseline);
  const baseline = given ?? DEFAULT_BASELINE;
  const none = baseline === 'none';

  if (candidate !== undefined && model !== undefined) {
    throw new InputError(`give ${namer('candidate')} or ${namer('model')}, not both`);
  }
  if (candidate === undefined && model === undefined) {
    throw new InputError(
      `give ${namer('candidate')} (an evaluation record) or ${namer('model')} (with ${namer('data')} and ${namer('label')})`,
    );
  }
  if (candidate !== undefined && baselineModel !== undefined) {
    throw new InputError(
      `${namer('baseline-model')} is for the paired mode, with ${namer('model')}: with ${namer('candidate')}, give the baseline's evaluation record as ${namer('baseline')}`,
    );
  }
  // `baseline-model` takes the place of a registry baseline (the default one included).
  const registryRef =
    none || baselineModel !== undefined ? undefined : registryBaselineRef(baseline, namer('baseline'));
  if (baselineModel !== undefined && !none && !baseline.startsWith(REGISTRY_BASELINE_PREFIX)) {
    throw new InputError(`give ${namer('baseline-model')} or ${namer('baseline')} '${baseline}', not both`);
  }
  if (model !== undefined && registryRef === undefined && baselineModel === undefined && !none) {
    throw new InputError(
      `${namer('baseline')} is '${baseline}', which is an evaluation record: with ${namer('model')}, give ${namer('baseline-model')} or a registry:ALIAS baseline (or none for the first model)`,
    );
  }
  const resolved: CompareBaseline = none
    ? { kind: 'none' }
    : registryRef !== undefined
      ? registryBaseline(registryRef, raw.registry, config, namer)
      : { kind: 'path', path: baselineModel ?? baseline };
  if (resolved.kind === 'registry' && givenName === undefined) {
    // Looking up a made-up name would find nothing, every time, and never compare.
    throw new InputError(
      `${namer('baseline')} is '${baseline}'${given === undefined ? ' (the default)' : ''}, which needs the model's registry name: set ${namer('name')} or 'model:' in ${config.path}`,
      { hint: `or give ${namer('baseline')} none (the first model), or an evaluation record path` },
    );
  }
  const scoring = model === undefined ? undefined : scoringOptions(raw);
  return {
    name: givenName ?? 'model',
    spec: gates.spec,
    mode:
      scoring === undefined
        ? { kind: 'records', candidate: candidate as string }
        : { kind: 'paired', evaluate: evaluateSettingsWithConfig(scoring, config, namer) },
    baseline: resolved,
    // A registry baseline is called by its alias (the report's notes say which version it was).
    baselineRef: none ? null : (text(raw['baseline-ref']) ?? baselineModel ?? registryRef ?? baseline),
    out: text(raw.out) ?? text(raw['verdict-path']),
    report: text(raw.report) ?? text(raw['report-path']),
    comment: parseBoolean('comment', raw.comment, namer),
    failOnRegression: parseBoolean('fail-on-regression', raw['fail-on-regression'], namer) ?? true,
  };
}

/**
 * The gate spec: `gates` given apart, else the config file itself (which must then exist). Its
 * own contents come along, for its `model:`.
 */
async function gateSpecOf(
  gates: string | undefined,
  config: ConfigFile,
  namer: OptionNamer,
  cwd: string,
): Promise<{ spec: GateSpec; config: ModelgateConfig }> {
  const configPath = resolve(cwd, config.path);
  if (gates === undefined && !existsSync(configPath)) {
    throw new InputError(
      `no gate spec: give ${namer('config')} (a file with 'gates:'), or add ${DEFAULT_CONFIG_FILE} here`,
    );
  }
  const name = gates ?? config.path;
  const path = resolve(cwd, name);
  const own = path === configPath ? config.config : await loadConfig(path, { required: true, name });
  return { spec: await loadGateSpec(path, name), config: own };
}

/** A `registry:REF` baseline, with the registry it is looked up in: `registry`, else the file's, else the default. */
function registryBaseline(
  ref: string,
  given: string | undefined,
  config: ConfigFile,
  namer: OptionNamer,
): CompareBaseline {
  const what = text(given) === undefined ? 'registry' : namer('registry');
  const registry = registrySpecFrom(given, config);
  parseRegistrySpec(registry, what);
  return { kind: 'registry', ref, registry, what };
}

/** The evaluate options among compare's, for its paired mode. */
function scoringOptions(raw: RawOptions<typeof COMPARE_OPTIONS>): RawOptions<typeof SCORING_OPTIONS> {
  return Object.fromEntries(
    Object.entries(raw).filter(([option]) => Object.hasOwn(SCORING_OPTIONS, option)),
  ) as RawOptions<typeof SCORING_OPTIONS>;
}
