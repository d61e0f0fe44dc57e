import { DEFAULT_REGISTRY_SPEC } from '@modelgate/core';

export const COMPARE_HELP = `Usage: modelgate compare --candidate E.json --baseline B.json|none --config G.yml [--out V.json] [--report R.md]
       modelgate compare --model M.onnx --baseline-model B.onnx --data D --label COL --config G.yml [--out V.json] [--report R.md]
       modelgate compare --model M.onnx --baseline registry:ALIAS --data D --label COL --config G.yml
       modelgate compare --model M.onnx --baseline none --data D --label COL --config G.yml

Gates a candidate against its baseline and writes a modelgate/verdict@1 and a markdown report.
With two models it scores both on the same rows and bootstraps the paired differences (the
strong evidence); with two evaluation records it uses independent bootstraps (weaker, and the
report says so). '--baseline none' is the first model: change rules are skipped, bounds apply.

The baseline is --baseline, else registry:production, as in the compare-to-baseline action;
with --model, --baseline-model names the baseline model outright, in place of a registry
baseline. '--baseline registry:ALIAS' (or a version number, or latest) takes the baseline from
the model registry: with --model, the aliased version's model is fetched (its sha256 checked)
and scored on the same rows; with --candidate, its stored evaluation record is used. An empty
registry, or a model with no alias yet, is the first model (no baseline; the report says so).
A model or alias the registry does not have while it has others is exit 2, naming them: a typo
never removes the baseline. Gate a new model's first version with '--baseline none'.

Options:
  --candidate PATH       the candidate's evaluation record
  --baseline PATH|none|registry:REF
                         the baseline's evaluation record, none, or a registered version
                         (default: registry:production)
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
  --fail-on-regression true|false
                         exit 1 when the gate fails (default: true)
  --data, --label, --task, --classes, --features, --output, --slice-by, --bootstrap,
  --confidence, --seed, --provider, --batch-size: as for 'modelgate evaluate'
  --verdict-path, --report-path, --comment: the action's inputs, also taken here (the first two
  are --out and --report; the CLI posts no comment)

Examples:
  modelgate compare --candidate new.json --baseline champion.json --config .modelgate.yml --report report.md
  modelgate compare --model new.onnx --baseline-model champion.onnx --data eval.csv --label y --gates gates.yml
  modelgate compare --model new.onnx --baseline registry:production --data eval.csv --label y --config gates.yml
  modelgate compare --model new.onnx --out verdict.json
      (the baseline registry:production; data, label and slices from the 'evaluate:' section of
      .modelgate.yml here)

Exit codes: 0 the gate passed; 1 the gate failed; 2 bad input, usage or gate spec; other: a bug.`;
