import { type ConfigFile, type RegistryChoice, registryChoice } from '../../config/file.ts';
import { InputError } from '../../kernel/errors.ts';
import { type OptionNamer, parseBoolean } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of the register action, and of `modelgate register`. */
export const REGISTER_OPTIONS = {
  name: 'string',
  model: 'string',
  evaluation: 'string',
  verdict: 'string',
  alias: 'string',
  'allow-downgrade': 'boolean',
  'require-passed': 'string',
  params: 'string',
  training: 'string',
  registry: 'string',
} as const satisfies OptionTable;

/** The command line's too: `--no-require-passed`, and `--json` for the version record on stdout. */
export const REGISTER_CLI_OPTIONS = {
  ...REGISTER_OPTIONS,
  'no-require-passed': 'boolean',
  json: 'boolean',
} as const satisfies OptionTable;

/** A lineage map as given (YAML/JSON text, or the path of a file), and the option it came from. */
export interface LineageText {
  readonly text: string;
  readonly what: string;
}

/** What a register does, checked: the only thing its run reads. */
export interface RegisterStepSettings {
  readonly name: string;
  /** The files, as given (relative to the working directory). */
  readonly model: string;
  readonly evaluation: string;
  readonly verdict: string | undefined;
  readonly alias: string | undefined;
  readonly allowDowngrade: boolean;
  /** Refuse a verdict that did not pass, or none (CONTRACT.md: default true). */
  readonly requirePassed: boolean;
  readonly params: LineageText | undefined;
  readonly training: LineageText | undefined;
  readonly registry: RegistryChoice;
  /** Print the new version record instead of the lines about it. */
  readonly json: boolean;
  /** How the caller names an option, for the messages a register makes later (a refusal's hint). */
  readonly namer: OptionNamer;
}

const given = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value;

/**
 * The only reader of register's options: each flag or input, else the config file's `model:`
 * (the name) and `registry:`, else the default. `require-passed` defaults to true (a verdict that
 * did not pass is refused) and `allow-downgrade` to false (aliases only move forward). An error
 * names an option as its giver does (`--alias`, `input 'alias'`).
 */
export function registerStepSettingsFrom(
  raw: RawOptions<typeof REGISTER_CLI_OPTIONS>,
  file: ConfigFile,
  namer: OptionNamer,
): RegisterStepSettings {
  const name = given(raw.name) ?? file.config.model;
  if (name === undefined) {
    throw new InputError(
      `register needs ${namer('name')} (the model's registry name), or 'model:' in ${file.path}`,
      { hint: 'it is the name the versions are kept under, e.g. churn' },
    );
  }
  const model = given(raw.model);
  if (model === undefined)
    throw new InputError(`register needs ${namer('model')}: the ONNX model file to store`);
  const evaluation = given(raw.evaluation);
  if (evaluation === undefined) {
    throw new InputError(
      `register needs ${namer('evaluation')}: the model's evaluation record (modelgate evaluate --out)`,
    );
  }
  const alias = given(raw.alias);
  const allowDowngrade = parseBoolean('allow-downgrade', raw['allow-downgrade'], namer) ?? false;
  if (allowDowngrade && alias === undefined)
    throw new InputError(`${namer('allow-downgrade')} only goes with ${namer('alias')}`);
  const lineage = (option: 'params' | 'training') => {
    const text = given(raw[option]);
    return text === undefined ? undefined : { text, what: namer(option) };
  };
  return {
    name,
    model,
    evaluation,
    verdict: given(raw.verdict),
    alias,
    allowDowngrade,
    requirePassed: requirePassed(raw, namer),
    params: lineage('params'),
    training: lineage('training'),
    registry: registryChoice(raw.registry, file, namer),
    json: raw.json === true,
    namer,
  };
}

/** `require-passed` (true unless it says false), or the command line's `--no-require-passed`. */
function requirePassed(raw: RawOptions<typeof REGISTER_CLI_OPTIONS>, namer: OptionNamer): boolean {
  const value = parseBoolean('require-passed', raw['require-passed'], namer);
  if (raw['no-require-passed'] === true) {
    if (value !== undefined)
      throw new InputError(`give ${namer('require-passed')} or ${namer('no-require-passed')}, not both`);
    return false;
  }
  return value ?? true;
}
