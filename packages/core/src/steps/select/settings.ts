import type { ConfigFile } from '../../config/file.ts';
import { type GateSpec, parseGateSpec } from '../../gates/spec.ts';
import { InputError } from '../../kernel/errors.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of `modelgate select` and the select action (the CLI also takes the records as arguments). */
export const SELECT_OPTIONS = {
  evaluations: 'strings',
  metric: 'string',
  out: 'string',
} as const satisfies OptionTable;

export interface SelectSettings {
  /** Evaluation records, or folders whose modelgate/evaluation@1 .json files (at any depth) are the candidates. */
  readonly evaluations: readonly string[];
  readonly metric: string;
  /** How the caller names the metric option, for errors found once the records are read. */
  readonly metricOption: string;
  /** The bounds (min / max) of these gates decide which candidates may win. */
  readonly gates: GateSpec;
  /** Where the selection goes; without it the CLI prints it on stdout. */
  readonly out: string | undefined;
}

/** The only reader of select's options: the candidates, the metric, the config's gates, the output. */
export function selectSettingsFrom(
  raw: RawOptions<typeof SELECT_OPTIONS>,
  config: ConfigFile,
  namer: OptionNamer,
): SelectSettings {
  const evaluations = (raw.evaluations ?? [])
    .flatMap((entry) => entry.split(/\r?\n/))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (evaluations.length === 0) {
    throw new InputError(`${namer('evaluations')} is required: the candidates' evaluation records`, {
      hint: 'give each candidate’s evaluation record, or the folder they were downloaded to',
    });
  }
  const metric = raw.metric?.trim() ?? '';
  if (metric === '') {
    throw new InputError(`${namer('metric')} is required: the metric that picks the best candidate`, {
      hint: `e.g. ${namer('metric')} roc_auc`,
    });
  }
  const { gates, slice_gates } = config.config as { gates?: unknown; slice_gates?: unknown };
  const out = raw.out?.trim();
  return {
    evaluations,
    metric,
    metricOption: namer('metric'),
    gates: { ...parseGateSpec({ gates, slice_gates }, config.path), file: config.path },
    out: out === undefined || out === '' ? undefined : out,
  };
}
