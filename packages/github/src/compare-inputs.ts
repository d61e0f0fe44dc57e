import * as core from '@actions/core';
import {
  actionInput,
  type CompareSource,
  evaluateSettingsFrom,
  InputError,
  openRegistry,
  type RegistryBaselineRef,
  readCompareConfig,
  registryBaselineRef,
  registrySpecFrom,
} from '@modelgate/core';
import { actionLogger, configInput, optionalInput } from './action.ts';
import { readEvaluateInputs } from './evaluate-inputs.ts';
import { githubRegistryOpener } from './registry/access.ts';

/** The compare-to-baseline action's settings, validated. */
export interface CompareActionSettings {
  readonly name: string;
  readonly gatesPath: string;
  readonly source: CompareSource;
  readonly baselineRef: string | null;
  /** The registry a `registry:` baseline is looked up in; undefined for other baselines. */
  readonly registry: string | undefined;
  /** Post the sticky PR comment; undefined = on pull requests only. */
  readonly comment: boolean | undefined;
  readonly failOnRegression: boolean;
  readonly token: string | undefined;
  readonly verdictPath: string;
  readonly reportPath: string;
}

/** `true` / `false`, naming the input otherwise (core.getBooleanInput's message names no value). */
function booleanInput(name: string): boolean | undefined {
  const value = optionalInput(name);
  if (value === undefined) return undefined;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new InputError(`input '${name}' is '${value}'; expected true or false`);
}

/**
 * The only place the compare-to-baseline action reads its inputs. The baseline is a path to an
 * evaluation record, `none`, or `registry:ALIAS` (the default `registry:production`); with `model`
 * the baseline model (`baseline-model`, or the registry version's model) is scored on the same
 * rows (paired). A registry baseline uses the `registry` input, else the config's `registry:`,
 * else `fs:.modelgate/registry`; a registry without that model or alias yet means no baseline.
 */
export async function readCompareInputs(): Promise<CompareActionSettings> {
  // The same resolution as `modelgate compare`: config file, gate spec and model name.
  const {
    file,
    gatesName: gatesPath,
    name: givenName,
  } = await readCompareConfig(
    { config: configInput(), gates: optionalInput('gates'), name: optionalInput('name') },
    process.cwd(),
    actionInput,
  );
  const configPath = file.path;
  const baseline = optionalInput('baseline') ?? 'registry:production';
  const candidate = optionalInput('candidate');
  const model = optionalInput('model');
  const baselineModel = optionalInput('baseline-model');

  const none = baseline === 'none';
  const name = givenName ?? 'model';
  const token = optionalInput('github-token');
  // `baseline-model` given outright wins over the default `registry:production`.
  const registryRef =
    baselineModel === undefined ? registryBaselineRef(baseline, "input 'baseline'") : undefined;
  let fromRegistry: RegistryBaselineRef | undefined;
  if (registryRef !== undefined) {
    // Looking up a made-up name would find nothing, every time, and never compare.
    if (givenName === undefined) {
      throw new InputError(
        `input 'baseline' is '${baseline}', which needs the model's registry name: set input 'name' or 'model:' in ${configPath}`,
        { hint: "or give 'baseline: none' (the first model) or an evaluation record path" },
      );
    }
    const input = optionalInput('registry');
    const spec = registrySpecFrom(input, file);
    const registry = openRegistry(spec, {
      cwd: process.cwd(),
      what: input === undefined ? 'registry' : "input 'registry'",
      github: githubRegistryOpener({
        token,
        apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
        logger: actionLogger,
      }),
    });
    fromRegistry = { registry, name, ref: registryRef };
  }
  let source: CompareSource;
  if (candidate !== undefined) {
    if (model !== undefined) throw new InputError("give input 'candidate' or 'model', not both");
    source = { mode: 'records', candidate, baseline: none ? null : (fromRegistry ?? baseline) };
  } else if (model !== undefined) {
    const { raw } = await readEvaluateInputs();
    const evaluate = evaluateSettingsFrom({ ...raw, model, predictions: undefined }, actionInput);
    if (baselineModel === undefined && !none && fromRegistry === undefined) {
      throw new InputError(
        `input 'baseline' is '${baseline}', which is an evaluation record: with 'model', give 'baseline-model' or a 'registry:ALIAS' baseline (or 'none' for the first model)`,
      );
    }
    source = {
      mode: 'paired',
      evaluate,
      baselineModel: none ? null : (fromRegistry ?? baselineModel ?? null),
    };
  } else {
    throw new InputError(
      "input 'candidate' (an evaluation record) or 'model' (with 'data' and 'label') is required",
    );
  }
  return {
    name,
    gatesPath,
    source,
    registry: fromRegistry?.registry.location,
    baselineRef: none
      ? null
      : baselineModel !== undefined && baseline.startsWith('registry:')
        ? baselineModel
        : (registryRef ?? baseline),
    comment: booleanInput('comment'),
    failOnRegression: booleanInput('fail-on-regression') ?? true,
    token,
    verdictPath: core.getInput('verdict-path') || 'modelgate-verdict.json',
    reportPath: core.getInput('report-path') || 'modelgate-report.md',
  };
}
