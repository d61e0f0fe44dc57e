import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  DEFAULT_REGISTRY_SPEC,
  InputError,
  type Lineage,
  parseLineageMap,
  prepareRegistration,
  type RegisterRequest,
  readEvaluationRecord,
  readVerdictRecord,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { cliRegistry } from './registry.ts';

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

export async function registerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('register', argv, {
    name: { type: 'string' },
    model: { type: 'string' },
    evaluation: { type: 'string' },
    verdict: { type: 'string' },
    alias: { type: 'string' },
    'allow-downgrade': { type: 'boolean' },
    'require-passed': { type: 'string' },
    'no-require-passed': { type: 'boolean' },
    params: { type: 'string' },
    training: { type: 'string' },
    registry: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${REGISTER_HELP}\n`);
    return ExitCode.Ok;
  }
  const { registry, config } = await cliRegistry(io, values);
  const name = values.name ?? config.model;
  if (name === undefined) {
    throw new InputError("register needs --name (the model's registry name), or 'model:' in the config");
  }
  if (values.model === undefined)
    throw new InputError('register needs --model: the ONNX model file to store');
  if (values.evaluation === undefined) {
    throw new InputError(
      "register needs --evaluation: the model's evaluation record (modelgate evaluate --out)",
    );
  }
  if (values['allow-downgrade'] && values.alias === undefined)
    throw new InputError('--allow-downgrade only goes with --alias');
  const requirePassed = requirePassedFlag(values['require-passed'], values['no-require-passed'] === true);
  const path = (file: string) => resolve(io.cwd, file);

  const lineage: Partial<Lineage> = {
    ...(await lineageFromEnvironment(io)),
    ...(values.params === undefined
      ? {}
      : { params: await parseLineageMap(values.params, '--params', io.cwd) }),
    ...(values.training === undefined
      ? {}
      : { training: await parseLineageMap(values.training, '--training', io.cwd) }),
  };
  const request: RegisterRequest = {
    name,
    modelPath: path(values.model),
    evaluation: await readEvaluationRecord(path(values.evaluation), 'model'),
    verdict: values.verdict === undefined ? null : await readVerdictRecord(path(values.verdict)),
    lineage,
    ...(values.alias === undefined ? {} : { alias: values.alias }),
    ...(values['allow-downgrade'] ? { allowDowngrade: true } : {}),
    requirePassed,
  };
  // register() makes these checks too; run them here first so a refusal names the files.
  await prepareRegistration(request, {
    evaluation: values.evaluation,
    ...(values.verdict === undefined ? {} : { verdict: values.verdict }),
  });
  const version = await registry.register(request);
  if (request.alias !== undefined && !version.aliases.includes(request.alias)) {
    const named = await registry.resolve(name, request.alias).catch(() => undefined);
    const where = named === undefined ? 'where it is' : `on v${named.version}`;
    io.stderr(
      `warning: alias '${request.alias}' stays ${where}: a concurrent register moved it to a newer version first, and aliases only move forward (--allow-downgrade moves it back)\n`,
    );
  }

  if (values.json) {
    io.stdout(`${JSON.stringify(version, null, 2)}\n`);
    return ExitCode.Ok;
  }
  io.stdout(`registered ${version.name} v${version.version} in ${registry.location}\n`);
  io.stdout(`  sha256   ${version.sha256} (${version.bytes} bytes)\n`);
  if (version.aliases.length > 0) io.stdout(`  aliases  ${version.aliases.join(', ')}\n`);
  const { lineage: stored } = version;
  const from = [
    stored.commit === null ? undefined : `commit ${stored.commit.slice(0, 12)}`,
    stored.ref === null ? undefined : `ref ${stored.ref}`,
    stored.pr === null ? undefined : `PR #${stored.pr}`,
    stored.parent_version === null ? undefined : `parent v${stored.parent_version}`,
  ].filter((part) => part !== undefined);
  if (from.length > 0) io.stdout(`  lineage  ${from.join(', ')}\n`);
  io.stdout(`  record   ${version.url}\n`);
  return ExitCode.Ok;
}

function requirePassedFlag(value: string | undefined, no: boolean): boolean {
  if (no && value !== undefined)
    throw new InputError('give --require-passed or --no-require-passed, not both');
  if (no) return false;
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`--require-passed is '${value}'; expected true or false`);
}

/**
 * Where this version comes from: the GitHub Actions run when the CLI runs in one, else the
 * commit and ref git reports for the working directory (nothing when it is not a repository).
 */
async function lineageFromEnvironment(io: Io): Promise<Partial<Lineage>> {
  const { env } = io;
  if (
    env.GITHUB_ACTIONS === 'true' &&
    env.GITHUB_EVENT_NAME &&
    env.GITHUB_REPOSITORY &&
    env.GITHUB_EVENT_PATH
  ) {
    // Loaded only here: registering outside GitHub Actions needs none of the GitHub code.
    const { lineageFromContext, readGitHubContext } = await import('@modelgate/github');
    return lineageFromContext(readGitHubContext(env));
  }
  const git = (...args: string[]) => {
    try {
      const out = execFileSync('git', args, {
        cwd: io.cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return out.trim() === '' ? null : out.trim();
    } catch {
      return null;
    }
  };
  const commit = git('rev-parse', '--verify', '-q', 'HEAD');
  if (commit === null) return {};
  const ref = git('symbolic-ref', '-q', 'HEAD');
  return { commit, ref };
}
