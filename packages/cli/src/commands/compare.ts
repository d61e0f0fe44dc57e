import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CompareSource,
  cliOption,
  compare,
  DEFAULT_CONFIG_FILE,
  DEFAULT_REGISTRY_SPEC,
  evaluateSettingsWithConfig,
  InputError,
  loadGateSpec,
  type OptionNamer,
  type RawEvaluateOptions,
  type RegistryBaselineRef,
  readCompareConfig,
  registryBaselineRef,
  registryChoice,
  SCORING_OPTIONS,
  writeFileAtomic,
  writeJsonAtomic,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';

const EVALUATE_FLAGS = {
  ...Object.fromEntries(Object.keys(SCORING_OPTIONS).map((name) => [name, { type: 'string' }])),
  'slice-by': { type: 'string', multiple: true },
} as { [K in Exclude<keyof typeof SCORING_OPTIONS, 'slice-by'>]: { type: 'string' } } & {
  'slice-by': { type: 'string'; multiple: true };
};

import { openCliRegistry } from '../registry.ts';

export const COMPARE_HELP = `Usage: modelgate compare --candidate E.json --baseline B.json|none --config G.yml [--out V.json] [--report R.md]
       modelgate compare --model M.onnx --baseline-model B.onnx --data D --label COL --config G.yml [--out V.json] [--report R.md]
       modelgate compare --model M.onnx --baseline registry:ALIAS --data D --label COL --config G.yml
       modelgate compare --model M.onnx --baseline none --data D --label COL --config G.yml

Gates a candidate against its baseline and writes a modelgate/verdict@1 and a markdown report.
With two models it scores both on the same rows and bootstraps the paired differences (the
strong evidence); with two evaluation records it uses independent bootstraps (weaker, and the
report says so). '--baseline none' is the first model: change rules are skipped, bounds apply.

'--baseline registry:ALIAS' (or a version number, or latest) takes the baseline from the model
registry: with --model, the aliased version's model is fetched (its sha256 checked) and scored
on the same rows; with --candidate, its stored evaluation record is used. An empty registry, or
a model with no alias yet, is the first model (no baseline; the report says so). A model or
alias the registry does not have while it has others is exit 2, naming them: a typo never
removes the baseline. Gate a new model's first version with '--baseline none'.

Options:
  --candidate PATH       the candidate's evaluation record
  --baseline PATH|none|registry:REF
                         the baseline's evaluation record, none, or a registered version
  --model PATH           the candidate model (paired mode), with the evaluate flags below
  --baseline-model PATH  the baseline model, scored on the same rows
  --config PATH          the config file: the gate spec ('gates:', 'slice_gates:'), with 'model:',
                         'registry:' and the 'evaluate:' defaults of the paired mode (default:
                         .modelgate.yml); a flag overrides the file, as an input overrides it
                         in the compare-to-baseline action
  --gates PATH           the same as --config (its older name)
  --name NAME            model name for the report marker and the registry (default: 'model:' in the config, else 'model')
  --registry SPEC        fs:PATH or github:OWNER/REPO for registry: baselines (default: the config's 'registry:',
                         else ${DEFAULT_REGISTRY_SPEC})
  --baseline-ref REF     what to call the baseline in the report (e.g. champion)
  --out PATH             where to write the verdict (default: print nothing but the summary)
  --report PATH          where to write the markdown report
  --data, --label, --task, --classes, --features, --output, --slice-by, --bootstrap,
  --confidence, --seed, --provider, --batch-size: as for 'modelgate evaluate'

Examples:
  modelgate compare --candidate new.json --baseline champion.json --config .modelgate.yml --report report.md
  modelgate compare --model new.onnx --baseline-model champion.onnx --data eval.csv --label y --gates gates.yml
  modelgate compare --model new.onnx --baseline registry:production --data eval.csv --label y --config gates.yml
  modelgate compare --model new.onnx --baseline registry:production --out verdict.json
      (data, label and slices from the 'evaluate:' section of .modelgate.yml here)

Exit codes: 0 the gate passed; 1 the gate failed; 2 bad input, usage or gate spec; other: a bug.`;

export async function compareCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('compare', argv, {
    ...EVALUATE_FLAGS,
    candidate: { type: 'string' },
    baseline: { type: 'string' },
    'baseline-model': { type: 'string' },
    config: { type: 'string' },
    gates: { type: 'string' },
    name: { type: 'string' },
    'baseline-ref': { type: 'string' },
    registry: { type: 'string' },
    out: { type: 'string' },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${COMPARE_HELP}\n`);
    return ExitCode.Ok;
  }
  const { config: configFile, gates, name: givenName, gatesPath } = await compareConfigFrom(values, io);
  const spec = await loadGateSpec(gatesPath);
  const baselineNone = values.baseline === 'none';
  const name = givenName ?? 'model';
  const registryRef = registryBaselineRef(values.baseline);
  if (registryRef === undefined && values.registry !== undefined) {
    throw new InputError('--registry only matters with --baseline registry:REF');
  }
  const fromRegistry = async (ref: string): Promise<RegistryBaselineRef> => {
    if (givenName === undefined) {
      throw new InputError(
        `--baseline registry:${ref} needs the model's registry name: pass --name or set 'model:' in ${gates}`,
      );
    }
    return {
      registry: await openCliRegistry(registryChoice(values.registry, configFile, cliOption), io),
      name,
      ref,
    };
  };

  let source: CompareSource;
  if (values.candidate !== undefined) {
    if (values.model !== undefined) throw new InputError('give --candidate or --model, not both');
    if (values.baseline === undefined)
      throw new InputError('--baseline is required with --candidate: a record path, or none');
    source = {
      mode: 'records',
      candidate: values.candidate,
      baseline: baselineNone
        ? null
        : registryRef !== undefined
          ? await fromRegistry(registryRef)
          : values.baseline,
    };
  } else if (values.model !== undefined) {
    if (values['baseline-model'] === undefined && !baselineNone && registryRef === undefined) {
      throw new InputError(
        '--baseline-model (or --baseline registry:ALIAS) is required with --model (or --baseline none for the first model)',
      );
    }
    if (values['baseline-model'] !== undefined && values.baseline !== undefined && !baselineNone) {
      throw new InputError('give --baseline-model or --baseline, not both');
    }
    const evaluate = evaluateSettingsWithConfig(evaluateFlags(values), configFile, cliOption);
    source = {
      mode: 'paired',
      evaluate,
      baselineModel: baselineNone
        ? null
        : registryRef !== undefined
          ? await fromRegistry(registryRef)
          : (values['baseline-model'] as string),
    };
  } else {
    throw new InputError('give --candidate (an evaluation record) or --model (with --data and --label)');
  }

  // A registry baseline is called by its alias (the report's notes say which version it was).
  const baselineRef = baselineNone
    ? null
    : (values['baseline-ref'] ?? registryRef ?? values.baseline ?? values['baseline-model'] ?? null);
  const result = await compare(
    { name, spec, source, baselineRef },
    // Progress on stdout: stderr carries only warnings and the one error line of a failed run.
    {
      info: (message) => io.stdout(`${message}\n`),
      warning: (message) => io.stderr(`warning: ${message}\n`),
    },
  );
  if (values.out !== undefined) await writeJsonAtomic(values.out, result.verdict);
  if (values.report !== undefined) await writeFileAtomic(values.report, result.report);

  io.stdout(`${result.report.split('\n')[0]?.replace(/^#+\s*/, '')}\n`);
  const icon = { pass: '✔', fail: '✘', inconclusive: '?', skip: '-', error: '!' } as const;
  for (const rule of result.verdict.rules) {
    const where = rule.slice === undefined ? '' : ` [${rule.slice.column}=${rule.slice.value}]`;
    io.stdout(
      `  ${icon[rule.status]} ${rule.status.padEnd(5)} ${rule.metric}${where} ${rule.rule}: ${rule.reason}\n`,
    );
  }
  if (values.out !== undefined) io.stdout(`verdict: ${values.out}\n`);
  if (values.report !== undefined) io.stdout(`report: ${values.report}\n`);
  return result.verdict.passed ? ExitCode.Ok : ExitCode.GateFailed;
}

/**
 * compare's files: `--config`, or its alias `--gates`, else `.modelgate.yml` here. Both given
 * must name the same file, or which one wins would be a guess.
 */
async function compareConfigFrom(
  values: { config?: string | undefined; gates?: string | undefined; name?: string | undefined },
  io: Io,
) {
  const { config, gates } = values;
  if (config !== undefined && gates !== undefined && resolve(io.cwd, config) !== resolve(io.cwd, gates)) {
    throw new InputError(
      `--gates '${gates}' and --config '${config}' disagree: --gates is another name for --config`,
      { hint: 'give one of them' },
    );
  }
  const given = config ?? gates;
  if (given === undefined && !existsSync(resolve(io.cwd, DEFAULT_CONFIG_FILE))) {
    throw new InputError(`no gate spec: pass --config FILE, or add ${DEFAULT_CONFIG_FILE} here`);
  }
  // A missing file is named by the flag the user typed.
  const namer: OptionNamer = (option) =>
    option === 'config' && config === undefined ? '--gates' : cliOption(option);
  const found = await readCompareConfig({ config: given, name: values.name }, io.cwd, namer);
  return { config: found.file, gates: found.gatesName, name: found.name, gatesPath: found.gatesPath };
}

/** The evaluate flags among compare's, for its paired mode. */
function evaluateFlags(values: Record<string, unknown>): RawEvaluateOptions {
  return Object.fromEntries(
    Object.entries(values).filter(([flag]) => Object.hasOwn(EVALUATE_FLAGS, flag)),
  ) as RawEvaluateOptions;
}
