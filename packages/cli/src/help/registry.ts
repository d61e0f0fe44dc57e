import { DEFAULT_REGISTRY_SPEC } from '@modelgate/core';

/** `modelgate registry --help`. */
export const REGISTRY_HELP = `Usage: modelgate registry list NAME [--json]
       modelgate registry show NAME@REF [--json]
       modelgate registry alias NAME ALIAS REF [--allow-downgrade] [--json]
       modelgate registry alias NAME ALIAS --remove
       modelgate registry fetch NAME@REF --out PATH

Reads the model registry and moves aliases. REF is a version number (3 or v3), an alias
(production, champion, …) or latest; NAME alone means NAME@latest.

  list    every version of NAME, oldest first: created, sha256, verdict, aliases, commit
  show    one version's modelgate/model-version@1 record (--json prints it whole)
  alias   points ALIAS at the version REF names (a number, another alias, or latest);
          aliases only move forward (to a higher version) unless --allow-downgrade;
          --remove deletes the alias
  fetch   writes the version's model file to PATH after checking its sha256

Options:
  --registry SPEC   fs:PATH or github:OWNER/REPO (default: the config's 'registry:',
                    else ${DEFAULT_REGISTRY_SPEC}); github: reads GITHUB_TOKEN or GH_TOKEN
  --config PATH     the config file (default: .modelgate.yml, when there is one)
  --json            print JSON (list: an array of version records)
  --remove          (alias) delete ALIAS instead of moving it
  --allow-downgrade (alias) allow moving ALIAS to a lower version than it names now
  --out PATH        (fetch) where to write the model

Examples:
  modelgate registry list churn
  modelgate registry show churn@production --json
  modelgate registry alias churn production 7
  modelgate registry alias churn production staging     # promote what staging names
  modelgate registry alias churn production 6 --allow-downgrade   # go back on purpose
  modelgate registry alias churn staging --remove
  modelgate registry fetch churn@production --out champion.onnx

Exit codes: 0 success; 2 bad input or refused: an unknown model, version or alias, a bad alias
name, an alias moved back without --allow-downgrade, a bad --registry, a damaged registry file,
or a model file whose sha256 no longer matches.`;
