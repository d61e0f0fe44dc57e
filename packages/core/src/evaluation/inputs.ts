import type { Provider } from '../inference/model.ts';
import { DEFAULT_BATCH_SIZE } from '../inference/predict.ts';
import { InputError } from '../kernel/errors.ts';
import { type OptionNamer, parseChoice, parseFraction, parseInteger, parseList } from '../kernel/options.ts';
import type { Task } from '../metrics/index.ts';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, type EvaluateSettings } from './settings.ts';

/** The evaluate options as the user typed them (CLI flags or action inputs). */
export interface RawEvaluateOptions {
  model?: string;
  data?: string;
  predictions?: string;
  label?: string;
  task?: string;
  classes?: string;
  features?: string;
  output?: string;
  'slice-by'?: string[];
  bootstrap?: string;
  confidence?: string;
  seed?: string;
  provider?: string;
  'batch-size'?: string;
}

const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression'];
const PROVIDERS: readonly Provider[] = ['auto', 'cpu', 'cuda'];
/** Beyond this the intervals stop changing and only the wait grows. */
const MAX_RESAMPLES = 100_000;

/** Validates raw evaluate options into settings; every error names the option. */
export function evaluateSettingsFrom(raw: RawEvaluateOptions, namer: OptionNamer): EvaluateSettings {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const model = blank(raw.model);
  const predictions = blank(raw.predictions);
  const data = blank(raw.data);
  const label = blank(raw.label);
  if (model !== undefined && predictions !== undefined) {
    throw new InputError(`give ${namer('model')} or ${namer('predictions')}, not both`);
  }
  if (model === undefined && predictions === undefined) {
    throw new InputError(`${namer('model')} (with ${namer('data')}) or ${namer('predictions')} is required`);
  }
  if (model !== undefined && data === undefined)
    throw new InputError(`${namer('data')} is required with ${namer('model')}`);
  if (label === undefined)
    throw new InputError(`${namer('label')} is required: the name of the label column`);
  const classes = parseList('classes', raw.classes, namer);
  if (classes !== undefined && new Set(classes).size !== classes.length) {
    throw new InputError(`${namer('classes')} '${raw.classes}' names a class twice`);
  }
  const task = parseChoice('task', blank(raw.task), TASKS, namer);
  if (classes !== undefined && task === 'regression') {
    throw new InputError(`${namer('classes')} makes no sense with task regression`);
  }
  const sliceBy = (raw['slice-by'] ?? []).flatMap((v) => parseList('slice-by', v, namer) ?? []);
  return {
    namer,
    ...(model === undefined ? {} : { model }),
    ...(data === undefined ? {} : { data }),
    ...(predictions === undefined ? {} : { predictions }),
    label,
    ...(task === undefined ? {} : { task }),
    ...(classes === undefined ? {} : { classes }),
    ...(raw.features === undefined || raw.features.trim() === ''
      ? {}
      : { features: parseList('features', raw.features, namer) }),
    ...(blank(raw.output) === undefined ? {} : { output: blank(raw.output) }),
    sliceBy: [...new Set(sliceBy)],
    bootstrap: parseInteger('bootstrap', raw.bootstrap, DEFAULT_RESAMPLES, namer, 0, MAX_RESAMPLES),
    confidence: parseFraction('confidence', raw.confidence, DEFAULT_CONFIDENCE, namer),
    seed: parseInteger('seed', raw.seed, DEFAULT_SEED, namer, 0, 2 ** 32 - 1),
    provider: parseChoice('provider', blank(raw.provider), PROVIDERS, namer) ?? 'auto',
    batchSize: parseInteger('batch-size', raw['batch-size'], DEFAULT_BATCH_SIZE, namer, 1, 1 << 24),
  };
}
