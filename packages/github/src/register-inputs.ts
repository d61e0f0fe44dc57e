import {
  DEFAULT_REGISTRY_SPEC,
  InputError,
  type Lineage,
  type Logger,
  loadConfig,
  parseLineageMap,
  type RegisterRequest,
  type Registry,
  readEvaluationRecord,
  readVerdictRecord,
  registrySpecFromConfig,
} from '@modelgate/core';
import { optionalInput } from './action.ts';
import type { GitHubContext } from './context.ts';
import { createGitHubClient } from './octokit.ts';
import { createGitHubRegistry } from './registry/index.ts';

/** The register action's settings, validated. */
export interface RegisterActionSettings {
  readonly request: Omit<RegisterRequest, 'lineage'> & { readonly lineage: Partial<Lineage> };
  /** `fs:PATH` or `github:OWNER/REPO`. */
  readonly registry: string;
  readonly token: string | undefined;
  /** The files the records came from, for messages. */
  readonly sources: { readonly evaluation: string; readonly verdict?: string };
}

/**
 * The only place the register action reads its inputs. The registry is the `registry` input,
 * else the config's `registry:` section, else `fs:.modelgate/registry`; the model name is
 * `name`, else the config's `model:`. `require-passed` defaults to true: a verdict that did not
 * pass is refused (CONTRACT.md). `allow-downgrade` defaults to false: aliases only move forward.
 */
export async function readRegisterInputs(): Promise<RegisterActionSettings> {
  const configPath = optionalInput('config') ?? '.modelgate.yml';
  const config = await loadConfig(configPath, { required: configPath !== '.modelgate.yml' });
  const name = optionalInput('name') ?? config.model;
  if (name === undefined) {
    throw new InputError("input 'name' is required (or set 'model:' in the config file)", {
      hint: 'it is the registry name of the model, e.g. churn',
    });
  }
  const modelPath = requiredInput('model');
  const evaluationPath = requiredInput('evaluation');
  const verdictPath = optionalInput('verdict');
  const alias = optionalInput('alias');
  const allowDowngrade = booleanInput('allow-downgrade') ?? false;
  if (allowDowngrade && alias === undefined)
    throw new InputError("input 'allow-downgrade' only applies with input 'alias'");
  const cwd = process.cwd();
  const params = optionalInput('params');
  const training = optionalInput('training');
  const lineage: Partial<Lineage> = {
    ...(params === undefined ? {} : { params: await parseLineageMap(params, "input 'params'", cwd) }),
    ...(training === undefined ? {} : { training: await parseLineageMap(training, "input 'training'", cwd) }),
  };
  return {
    request: {
      name,
      modelPath,
      evaluation: await readEvaluationRecord(evaluationPath, 'model'),
      verdict: verdictPath === undefined ? null : await readVerdictRecord(verdictPath, 'verdict'),
      lineage,
      ...(alias === undefined ? {} : { alias }),
      ...(allowDowngrade ? { allowDowngrade } : {}),
      requirePassed: booleanInput('require-passed') ?? true,
    },
    registry:
      optionalInput('registry') ??
      registrySpecFromConfig(config.registry, configPath) ??
      DEFAULT_REGISTRY_SPEC,
    token: optionalInput('github-token'),
    sources: { evaluation: evaluationPath, ...(verdictPath === undefined ? {} : { verdict: verdictPath }) },
  };
}

/** What a run tells about where a version came from (commit, ref, run, PR). */
export function lineageFromContext(context: GitHubContext): Partial<Lineage> {
  return {
    commit: context.sha === '' ? null : context.sha,
    ref: context.ref === '' ? null : context.ref,
    run_url: context.runUrl ?? null,
    pr: context.pullRequest?.number ?? null,
  };
}

/**
 * Opens `github:OWNER/REPO` registries for openRegistry, with the token of the caller: the
 * action's `github-token` input, or GITHUB_TOKEN / GH_TOKEN in the CLI.
 */
export function githubRegistryOpener(options: {
  token: string | undefined;
  apiUrl: string;
  logger: Logger;
}): (owner: string, repo: string) => Registry {
  return (owner, repo) => {
    if (options.token === undefined || options.token === '') {
      throw new InputError(`the registry github:${owner}/${repo} needs a GitHub token`, {
        hint: 'set GITHUB_TOKEN (or GH_TOKEN) to a token that can write contents and releases of that repository',
      });
    }
    const client = createGitHubClient({
      token: options.token,
      baseUrl: options.apiUrl,
      logger: options.logger,
    });
    return createGitHubRegistry({ owner, repo, client, logger: options.logger });
  };
}

function requiredInput(name: string): string {
  const value = optionalInput(name);
  if (value === undefined) throw new InputError(`input '${name}' is required`);
  return value;
}

/** `true` / `false`, naming the input otherwise. */
function booleanInput(name: string): boolean | undefined {
  const value = optionalInput(name);
  if (value === undefined) return undefined;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new InputError(`input '${name}' is '${value}'; expected true or false`);
}
