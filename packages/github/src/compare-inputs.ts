import * as core from '@actions/core';
import {
  actionInput,
  type CompareSource,
  evaluateSettingsFrom,
  InputError,
  loadConfig,
} from '@modelgate/core';
import { optionalInput } from './action.ts';
import { readEvaluateInputs } from './evaluate-inputs.ts';

/** The compare-to-baseline action's settings, validated. */
export interface CompareActionSettings {
  readonly name: string;
  readonly gatesPath: string;
  readonly source: CompareSource;
  readonly baselineRef: string | null;
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
 * evaluation record, `none`, or `registry:ALIAS`; with `model` + `baseline-model` both models are
 * scored on the same rows (paired).
 */
export async function readCompareInputs(): Promise<CompareActionSettings> {
  const configPath = optionalInput('config') ?? '.modelgate.yml';
  const gatesPath = optionalInput('gates') ?? configPath;
  const config = await loadConfig(configPath, { required: configPath !== '.modelgate.yml' });
  // A separate gates file may name the model too (`model:`), as the CLI's --gates does.
  const gatesConfig = gatesPath === configPath ? config : await loadConfig(gatesPath, { required: true });
  const baseline = optionalInput('baseline') ?? 'registry:production';
  const candidate = optionalInput('candidate');
  const model = optionalInput('model');
  const baselineModel = optionalInput('baseline-model');

  if (baseline.startsWith('registry:') && baselineModel === undefined) {
    throw new InputError(
      `input 'baseline' is '${baseline}', but registry baselines are not available yet: they arrive with the model registry`,
      { hint: "give 'baseline' as an evaluation record path, 'none', or use 'model' with 'baseline-model'" },
    );
  }
  const none = baseline === 'none';
  let source: CompareSource;
  if (candidate !== undefined) {
    if (model !== undefined) throw new InputError("give input 'candidate' or 'model', not both");
    source = { mode: 'records', candidate, baseline: none ? null : baseline };
  } else if (model !== undefined) {
    const { raw } = await readEvaluateInputs();
    const evaluate = evaluateSettingsFrom({ ...raw, model, predictions: undefined }, actionInput);
    if (baselineModel === undefined && !none) {
      throw new InputError(
        "input 'baseline-model' is required with 'model' (or set 'baseline: none' for the first model)",
      );
    }
    source = { mode: 'paired', evaluate, baselineModel: none ? null : (baselineModel ?? null) };
  } else {
    throw new InputError(
      "input 'candidate' (an evaluation record) or 'model' (with 'data' and 'label') is required",
    );
  }
  return {
    name: optionalInput('name') ?? gatesConfig.model ?? config.model ?? 'model',
    gatesPath,
    source,
    baselineRef: none
      ? null
      : baselineModel !== undefined && baseline.startsWith('registry:')
        ? baselineModel
        : baseline,
    comment: booleanInput('comment'),
    failOnRegression: booleanInput('fail-on-regression') ?? true,
    token: optionalInput('github-token'),
    verdictPath: core.getInput('verdict-path') || 'modelgate-verdict.json',
    reportPath: core.getInput('report-path') || 'modelgate-report.md',
  };
}
