export const MONITOR_HELP = `Usage: modelgate monitor --reference REF --current CUR [--model M.onnx] [--label COL]
                        [--features a,b] [--config .modelgate.yml] --out drift.json [--report drift.md]

Compares the data a model sees now (CUR) with the data it was built on (REF), feature by
feature, and writes a modelgate/drift@1 record: numeric columns get the two-sample
Kolmogorov-Smirnov test, text columns the chi-square test of homogeneity (both equal to scipy's
defaults), each with its PSI and Wasserstein distance. A feature drifts when its
Benjamini-Hochberg adjusted p-value (across all features) is under alpha and its PSI is at least
min_effect, so 50 features do not raise a false alarm every week.

Input:
  --reference REF       a data file (.csv, .jsonl, .npy, .npz, .parquet), a folder of the
                        server's request logs, or registry:NAME@ALIAS: the data that version
                        was evaluated on (found by its sha256)
  --current CUR         a data file, or a folder of request logs ('serve --log-requests DIR')
  --reference-data PATH with a registry REF: a copy of the data it was evaluated on, when the
                        path in its evaluation record is not at hand (its sha256 is checked)
Options:
  --model PATH          also test the model's outputs on both sides (prediction drift); its
                        input is the numeric columns compared, in REF's order (or the features
                        of the registered evaluation)
  --output NAME         which model output to read (default: the probabilities output)
  --label COL           with --model: the label column of CUR; the metrics on CUR are gated
                        against the registered evaluation (or the model on REF) by the gates
                        of the config file, with independent bootstrap intervals
  --features a,b        the columns to compare (default: every column of REF but the label)
  --registry SPEC       fs:PATH or github:OWNER/REPO (default: the config's, else fs:.modelgate/registry)
  --bootstrap N         resamples for the performance intervals (default 1000)
  --seed N              resampling seed (default 42)
  --provider P          auto | cpu | cuda
  --out PATH            where to write the drift record (default: print it to stdout)
  --report PATH         where to write the markdown report
  --config PATH         the config file (default: .modelgate.yml, when there is one); its
                        'monitor:' section gives reference, current, model, label, features,
                        reference_data, bootstrap and seed defaults, and the limits:
                          monitor:
                            alpha: 0.05          # Benjamini-Hochberg level
                            min_effect: 0.1      # the smallest PSI that counts
                            per_feature:
                              income: { min_effect: 0.2 }

Examples:
  modelgate monitor --reference data/train.csv --current logs/ --out drift.json --report drift.md
  modelgate monitor --reference registry:churn@production --current this-week.parquet --out drift.json
  modelgate monitor --reference eval.csv --current labelled.csv --model model.onnx --label churned --out drift.json

Exit codes: 0 no drift; 1 drift (or failed performance gates); 2 bad input or usage (one
'modelgate: error:' line, and nothing written); other: a bug.`;
