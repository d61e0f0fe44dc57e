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
  --shard K/N           evaluate part K (1…N) of the rows and write a part record instead;
                        'modelgate merge' turns the N parts into the record the whole file
                        gives (for a matrix of N jobs: docs/scale.md)
  --config PATH         the config file (default: .modelgate.yml, when there is one); its
                        'evaluate:' section gives defaults for every flag above but --model
                        and --out (slice_by for --slice-by, batch_size for --batch-size), and
                        a flag overrides it, as an input overrides it in the evaluate action

Examples:
  modelgate evaluate --model model.onnx --data eval.csv --label target --out eval.json
  modelgate evaluate --predictions preds.csv --label y --task binary --bootstrap 0
  modelgate evaluate --model model.onnx --config .modelgate.yml --bootstrap 200
  modelgate evaluate --model model.onnx --data eval.csv --label target --shard 2/4 --out part-2.json

Exit codes: 0 written; 2 bad input or usage (one 'modelgate: error:' line); other: a bug.`;
