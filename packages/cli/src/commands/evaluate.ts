import {
  cliOption,
  evaluate,
  evaluateSettingsWithConfig,
  readConfigFile,
  writeJsonAtomic,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { metricsTable } from '../render.ts';

export const EVALUATE_HELP = `Usage: modelgate evaluate --model M.onnx --data D --label COL [--out E.json] [options]
       modelgate evaluate --predictions P.csv --label COL [--out E.json] [options]

Runs an ONNX model over a dataset (or reads predictions another program made) and writes a
modelgate/evaluation@1 record: every metric of the task, computed as scikit-learn does, with
bootstrap confidence intervals, per slice, plus latency and throughput.

Input:
  --model PATH          ONNX model to run
  --data PATH           dataset: .csv, .jsonl, .npy, .npz or .parquet
  --predictions PATH    predictions file instead of a model: the label column, then
                        'prediction' or one 'proba_<class>' column per class
  --label COL           label column (required: here or in the config's 'evaluate:')
Options:
  --task T              binary | multiclass | regression (inferred when left out)
  --classes a,b,c       class names in model-output order (default: the model's own class labels
                        when it carries them, else the sorted label values)
  --features c1,c2      feature columns (default: every column but the label and slices)
  --output NAME         which model output to read (default: the probabilities output)
  --slice-by COL        report metrics per value of COL (repeatable)
  --bootstrap N         bootstrap resamples for confidence intervals (default 1000; 0 = off)
  --confidence C        interval level (default 0.95)
  --seed N              resampling seed (default 42); the same seed gives the same record
  --provider P          auto | cpu | cuda (cuda falls back to cpu, and says so)
  --batch-size N        rows per inference batch (default 8192)
  --out PATH            where to write the record (default: print it to stdout)
  --config PATH         the config file (default: .modelgate.yml, when there is one); its
                        'evaluate:' section gives defaults for every flag above but --model
                        and --out (slice_by for --slice-by, batch_size for --batch-size), and
                        a flag overrides it, as an input overrides it in the evaluate action

Examples:
  modelgate evaluate --model model.onnx --data eval.csv --label target --out eval.json
  modelgate evaluate --predictions preds.csv --label y --task binary --bootstrap 0
  modelgate evaluate --model model.onnx --config .modelgate.yml --bootstrap 200

Exit codes: 0 written; 2 bad input or usage (one 'modelgate: error:' line); other: a bug.`;

/** The flags that choose and score a model; compare takes the same ones for its paired mode. */
export const EVALUATE_FLAGS = {
  model: { type: 'string' },
  data: { type: 'string' },
  label: { type: 'string' },
  task: { type: 'string' },
  classes: { type: 'string' },
  features: { type: 'string' },
  output: { type: 'string' },
  'slice-by': { type: 'string', multiple: true },
  bootstrap: { type: 'string' },
  confidence: { type: 'string' },
  seed: { type: 'string' },
  provider: { type: 'string' },
  'batch-size': { type: 'string' },
} as const;

export async function evaluateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('evaluate', argv, {
    ...EVALUATE_FLAGS,
    predictions: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${EVALUATE_HELP}\n`);
    return ExitCode.Ok;
  }
  const { config, out: _out, help: _help, ...options } = values;
  const settings = evaluateSettingsWithConfig(
    options,
    await readConfigFile(config, io.cwd, cliOption),
    cliOption,
  );
  // With --out the terminal gets the summary; without it stdout carries the record itself.
  // Progress goes with the summary; stderr carries only warnings and errors, so a failed run
  // prints exactly its one error line there.
  const say = values.out === undefined ? io.stderr : io.stdout;
  const { record } = await evaluate(settings, {
    info: (message) => {
      if (values.out !== undefined) io.stdout(`${message}\n`);
    },
    warning: (message) => io.stderr(`warning: ${message}\n`),
  });
  if (values.out === undefined) io.stdout(`${JSON.stringify(record, null, 2)}\n`);
  else await writeJsonAtomic(values.out, record);
  say(`${metricsTable(record)}\n`);
  for (const note of record.notes) say(`note: ${note}\n`);
  if (values.out !== undefined) say(`wrote ${values.out}\n`);
  return ExitCode.Ok;
}
