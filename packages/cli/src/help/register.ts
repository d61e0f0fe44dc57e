import { DEFAULT_REGISTRY_SPEC } from '@modelgate/core';

/** `modelgate register --help`. */
export const REGISTER_HELP = `Usage: modelgate register --name NAME --model M.onnx --evaluation E.json --verdict V.json [--alias ALIAS [--allow-downgrade]] [--json]

Stores a new version of NAME in the model registry: the model file (content-addressed, its
sha256 checked on every read), its evaluation record, its verdict and its lineage (commit,
ref, workflow run, PR, the baseline version it was gated against, the data digest, training
params and telemetry). Prints the new version.

A verdict that did not pass is refused, and so is a missing verdict, unless you pass
--require-passed false. A verdict or evaluation of a different file (another sha256) is always
refused. A refused register leaves the registry exactly as it was.

Options:
  --name NAME               registry name (default: 'model:' in the config)
  --model PATH              the ONNX model file
  --evaluation PATH         its evaluation record (modelgate evaluate --out)
  --verdict PATH            its verdict (modelgate compare --out)
  --alias ALIAS             move this alias (e.g. production, champion) to the new version;
                            aliases only move forward, so when a concurrent register moved
                            it to a newer version first, it stays there (with a warning)
  --allow-downgrade         move --alias to the new version even then
  --require-passed BOOL     true (default) or false: refuse a verdict that did not pass
  --no-require-passed       the same as --require-passed false
  --params YAML|PATH        training params for the lineage, inline or a YAML/JSON file
  --training JSON|PATH      training telemetry for the lineage (duration, GPUs), inline or a file
  --registry SPEC           fs:PATH or github:OWNER/REPO (default: the config's 'registry:',
                            else ${DEFAULT_REGISTRY_SPEC}); github: reads GITHUB_TOKEN or GH_TOKEN
  --config PATH             the config file (default: .modelgate.yml, when there is one)
  --json                    print the new modelgate/model-version@1 record

The lineage's commit, ref, run URL and PR come from the GitHub Actions environment when there
is one, else the commit and ref from git in this directory.

Examples:
  modelgate register --name churn --model model.onnx --evaluation eval.json --verdict verdict.json
  modelgate register --name churn --model model.onnx --evaluation eval.json --verdict verdict.json --alias production
  modelgate register --name churn --model old.onnx --evaluation eval.json --require-passed false

Exit codes: 0 registered; 2 bad input or refused (a verdict that did not pass, a verdict or
evaluation of another file, a missing file, a bad name or alias, a bad --registry).`;
