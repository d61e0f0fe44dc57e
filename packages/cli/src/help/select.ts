export const SELECT_HELP = `Usage: modelgate select EVAL.json… --metric M [--config .modelgate.yml] [--out S.json]

Picks the best of several candidates (a tuning run: one evaluation record per set of
params). It keeps the candidates that pass the bounds (min / max) of the config's gates and
slice gates, takes the best by M in M's good direction, and says how much of its lead over
the runner-up noise can explain: a paired bootstrap when both records were made on the same
rows (same data sha256 and label, with both models and the data file at hand to re-score),
else independent intervals. The winner also gets a selection-adjusted interval: its
bootstrap interval at 1 - (1 - confidence)/N for N candidates (Bonferroni), which allows for
the best of N overstating itself. Its params come from train's modelgate-train.json beside
the model.

Input:
  EVAL.json…            the candidates' evaluation records, or folders that hold them
Options:
  --evaluations PATH    a record or folder (repeatable; the same as an argument)
  --metric M            the metric that picks the winner (required), e.g. roc_auc, rmse
  --config PATH         the config file whose gates: and slice_gates: bounds a candidate must
                        pass (default: .modelgate.yml, when there is one)
  --out PATH            where to write the modelgate/selection@1 record (default: stdout)

Examples:
  modelgate select runs/a/eval.json runs/b/eval.json runs/c/eval.json --metric roc_auc --out selection.json
  modelgate select runs/ --metric rmse --config .modelgate.yml

Exit codes: 0 a winner was written; 1 no candidate passed the bounds (each one's reasons
are printed, nothing is written); 2 bad input or usage (one 'modelgate: error:' line);
other: a bug.`;
