import { resolve } from 'node:path';
import {
  DEFAULT_REGISTRY_SPEC,
  InputError,
  type Logger,
  loadConfig,
  type ModelgateConfig,
  type ModelVersion,
  openRegistry,
  parseNameAtRef,
  parseRegistrySpec,
  type Registry,
  RegistryLookupError,
  RULE_STATUSES,
  registrySpecFromConfig,
  validateAlias,
  validateModelName,
  writeFileAtomic,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';

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

const SUBCOMMANDS = ['list', 'show', 'alias', 'fetch'] as const;

export async function registryCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    'registry',
    argv,
    {
      registry: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      remove: { type: 'boolean' },
      'allow-downgrade': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const [subcommand, ...args] = positionals;
  if (values.help) {
    io.stdout(`${REGISTRY_HELP}\n`);
    return ExitCode.Ok;
  }
  if (subcommand === undefined) {
    throw new InputError('modelgate registry needs a subcommand: list, show, alias or fetch', {
      hint: "see 'modelgate registry --help'",
    });
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new InputError(`unknown registry subcommand '${subcommand}': expected list, show, alias or fetch`, {
      hint: "see 'modelgate registry --help'",
    });
  }
  if (values.remove && subcommand !== 'alias') throw new InputError('--remove only goes with registry alias');
  if (values['allow-downgrade'] && (subcommand !== 'alias' || values.remove))
    throw new InputError('--allow-downgrade only goes with registry alias NAME ALIAS REF');
  if (values.out !== undefined && subcommand !== 'fetch')
    throw new InputError('--out only goes with registry fetch');
  const { registry } = await cliRegistry(io, values);

  if (subcommand === 'list') {
    const [name] = expectArgs(args, ['NAME'], 'list');
    const versions = await registry.list(validateModelName(name));
    io.stdout(values.json ? `${JSON.stringify(versions, null, 2)}\n` : renderList(name, versions, registry));
    return ExitCode.Ok;
  }
  if (subcommand === 'show') {
    const [target] = expectArgs(args, ['NAME@REF'], 'show');
    const { name, ref } = parseNameAtRef(target);
    const version = await registry.resolve(name, ref);
    io.stdout(values.json ? `${JSON.stringify(version, null, 2)}\n` : renderVersion(version, registry));
    return ExitCode.Ok;
  }
  if (subcommand === 'fetch') {
    const [target] = expectArgs(args, ['NAME@REF'], 'fetch');
    if (values.out === undefined)
      throw new InputError('registry fetch needs --out PATH: where to write the model');
    const { name, ref } = parseNameAtRef(target);
    const version = await registry.resolve(name, ref);
    const bytes = await registry.fetchModel(version);
    const out = resolve(io.cwd, values.out);
    await writeFileAtomic(out, bytes);
    io.stdout(
      `wrote ${version.name} v${version.version} (sha256 ${version.sha256}, checked) to ${values.out}\n`,
    );
    return ExitCode.Ok;
  }

  // alias
  if (values.remove) {
    const [name, alias] = expectArgs(args, ['NAME', 'ALIAS'], 'alias --remove');
    validateAlias(alias);
    const before = await registry.resolve(validateModelName(name), alias);
    await registry.removeAlias(name, alias);
    io.stdout(`${name}: removed alias ${alias} (it named v${before.version})\n`);
    return ExitCode.Ok;
  }
  const [name, alias, ref] = expectArgs(args, ['NAME', 'ALIAS', 'REF'], 'alias');
  validateModelName(name);
  validateAlias(alias);
  const target = await registry.resolve(name, ref);
  const previous = await registry.resolve(name, alias).catch((error: unknown) => {
    if (error instanceof RegistryLookupError) return undefined;
    throw error;
  });
  const moved = await registry.setAlias(name, alias, target.version, {
    allowDowngrade: values['allow-downgrade'] === true,
  });
  if (values.json) {
    io.stdout(`${JSON.stringify(moved, null, 2)}\n`);
  } else {
    const was =
      previous === undefined
        ? ' (new alias)'
        : previous.version === moved.version
          ? ' (unchanged)'
          : ` (was v${previous.version})`;
    io.stdout(`${name}: ${alias} → v${moved.version}${was}\n`);
  }
  return ExitCode.Ok;
}

/** The registry a command uses: --registry, else the config's `registry:`, else the default. */
export async function cliRegistry(
  io: Io,
  flags: { registry?: string | undefined; config?: string | undefined },
): Promise<{ registry: Registry; config: ModelgateConfig; configPath: string }> {
  const configPath = resolve(io.cwd, flags.config ?? '.modelgate.yml');
  const config = await loadConfig(configPath, { required: flags.config !== undefined });
  const spec = flags.registry ?? registrySpecFromConfig(config.registry, configPath) ?? DEFAULT_REGISTRY_SPEC;
  return {
    registry: await openCliRegistry(spec, io, flags.registry !== undefined ? '--registry' : 'registry'),
    config,
    configPath,
  };
}

/**
 * Opens a registry spec with the CLI's GitHub access (GITHUB_TOKEN / GH_TOKEN, GITHUB_API_URL).
 * The GitHub code (Octokit and the actions toolkit) loads only for a `github:` registry, so the
 * other commands start without it.
 */
export async function openCliRegistry(spec: string, io: Io, what = '--registry'): Promise<Registry> {
  const github =
    parseRegistrySpec(spec, what).backend === 'github'
      ? (await import('@modelgate/github')).githubRegistryOpener({
          token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN || undefined,
          apiUrl: io.env.GITHUB_API_URL || 'https://api.github.com',
          logger: cliLogger(io),
        })
      : undefined;
  return openRegistry(spec, { cwd: io.cwd, what, ...(github === undefined ? {} : { github }) });
}

/** Progress stays quiet (stdout may be JSON); warnings go to stderr. */
export function cliLogger(io: Io): Logger {
  return { info: () => {}, warning: (message) => io.stderr(`warning: ${message}\n`) };
}

function expectArgs<const T extends readonly string[]>(
  args: string[],
  names: T,
  subcommand: string,
): { [K in keyof T]: string } {
  if (args.length !== names.length) {
    const usage = `modelgate registry ${subcommand} ${names.join(' ')}`;
    throw new InputError(
      args.length < names.length
        ? `registry ${subcommand} needs ${names.slice(args.length).join(' ')}: ${usage}`
        : `registry ${subcommand} takes ${names.length} argument${names.length === 1 ? '' : 's'}, got ${args.length}: ${usage}`,
      { hint: "see 'modelgate registry --help'" },
    );
  }
  return args as unknown as { [K in keyof T]: string };
}

function renderList(name: string, versions: ModelVersion[], registry: Registry): string {
  const rows = versions.map((v) => [
    `v${v.version}`,
    v.created_at.replace(/\.\d+Z$/, 'Z'),
    v.sha256.slice(0, 12),
    verdictWord(v),
    v.aliases.join(', ') || '-',
    v.lineage.commit?.slice(0, 7) ?? '-',
  ]);
  const header = ['version', 'created', 'sha256', 'verdict', 'aliases', 'commit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd()}\n`;
  const count = `${versions.length} version${versions.length === 1 ? '' : 's'}`;
  return `${name}: ${count} in ${registry.location}\n${line(header)}${rows.map(line).join('')}`;
}

function verdictWord(version: ModelVersion): string {
  if (version.verdict === null) return 'none';
  return version.verdict.passed ? 'passed' : 'failed';
}

function renderVersion(version: ModelVersion, registry: Registry): string {
  const lines: string[] = [];
  const aliases = version.aliases.length === 0 ? '' : `  (aliases: ${version.aliases.join(', ')})`;
  lines.push(`${version.name} v${version.version}${aliases}`);
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(11)} ${value}`);
  field('sha256', version.sha256);
  field('bytes', String(version.bytes));
  field('created', version.created_at);
  field('registry', registry.location);
  field('url', version.url);
  const { verdict, evaluation, lineage } = version;
  if (verdict === null) {
    field('verdict', 'none');
  } else {
    const baseline =
      verdict.baseline === null
        ? 'no baseline'
        : `baseline ${verdict.baseline.ref ?? '?'} (sha256 ${verdict.baseline.sha256?.slice(0, 12) ?? 'unknown'})`;
    const counts = RULE_STATUSES.map(
      (status) => [status, verdict.rules.filter((r) => r.status === status).length] as const,
    )
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    field(
      'verdict',
      `${verdict.passed ? 'passed' : 'failed'}, ${verdict.paired ? 'paired' : 'unpaired'}, ${baseline}; rules: ${counts || 'none'}`,
    );
  }
  if (evaluation === null) {
    field('evaluation', 'none');
  } else {
    const metrics = Object.entries(evaluation.metrics)
      .slice(0, 8)
      .map(([metric, m]) => `${metric} ${Number(m.value.toPrecision(4))}`)
      .join(', ');
    field(
      'evaluation',
      `${evaluation.task}, ${evaluation.data.rows} rows (data sha256 ${evaluation.data.sha256.slice(0, 12)}): ${metrics}`,
    );
  }
  const source = [
    lineage.commit === null ? undefined : `commit ${lineage.commit}`,
    lineage.ref === null ? undefined : `ref ${lineage.ref}`,
    lineage.pr === null ? undefined : `PR #${lineage.pr}`,
    lineage.parent_version === null ? undefined : `parent v${lineage.parent_version}`,
  ].filter((part) => part !== undefined);
  field('lineage', source.length === 0 ? 'unknown' : source.join(', '));
  if (lineage.run_url !== null) field('run', lineage.run_url);
  if (lineage.data_sha256 !== null) field('data', `sha256 ${lineage.data_sha256}`);
  if (lineage.params !== null) field('params', JSON.stringify(lineage.params));
  if (lineage.training !== null) field('training', JSON.stringify(lineage.training));
  return `${lines.join('\n')}\n`;
}
