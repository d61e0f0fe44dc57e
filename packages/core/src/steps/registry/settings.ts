import { type ConfigFile, type RegistryChoice, registryChoice } from '../../config/file.ts';
import { InputError } from '../../kernel/errors.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';
import { parseNameAtRef, validateAlias, validateModelName } from '../../registry/names.ts';

/** Every option of `modelgate registry`; the subcommand and its arguments are positional. */
export const REGISTRY_OPTIONS = {
  registry: 'string',
  json: 'boolean',
  remove: 'boolean',
  'allow-downgrade': 'boolean',
  out: 'string',
} as const satisfies OptionTable;

/** The subcommands, in the order the help names them. */
export const REGISTRY_SUBCOMMANDS = ['list', 'show', 'alias', 'fetch'] as const;

/** What to do, by subcommand (`alias … --remove` is its own). */
export type RegistryCommand =
  | { readonly command: 'list'; readonly name: string }
  | { readonly command: 'show'; readonly name: string; readonly ref: string }
  | {
      readonly command: 'alias';
      readonly name: string;
      readonly alias: string;
      readonly ref: string;
      readonly allowDowngrade: boolean;
    }
  | { readonly command: 'remove-alias'; readonly name: string; readonly alias: string }
  | { readonly command: 'fetch'; readonly name: string; readonly ref: string; readonly out: string };

/** A subcommand, checked, with the registry it reads and how it prints. */
export type RegistryStepSettings = RegistryCommand & {
  readonly registry: RegistryChoice;
  /** Print JSON: the version records (list, show) or the aliased version. */
  readonly json: boolean;
};

const HELP = { hint: "see 'modelgate registry --help'" };

/**
 * The only reader of `modelgate registry`'s options and arguments: the subcommand, its
 * arguments, and the flags that go with it; the registry from the flag, else the config file's
 * `registry:`, else the default.
 */
export function registryStepSettingsFrom(
  raw: RawOptions<typeof REGISTRY_OPTIONS>,
  positionals: readonly string[],
  file: ConfigFile,
  namer: OptionNamer,
): RegistryStepSettings {
  const [subcommand, ...args] = positionals;
  if (subcommand === undefined)
    throw new InputError('modelgate registry needs a subcommand: list, show, alias or fetch', HELP);
  if (!(REGISTRY_SUBCOMMANDS as readonly string[]).includes(subcommand))
    throw new InputError(
      `unknown registry subcommand '${subcommand}': expected list, show, alias or fetch`,
      HELP,
    );
  const remove = raw.remove === true;
  if (remove && subcommand !== 'alias')
    throw new InputError(`${namer('remove')} only goes with registry alias`);
  if (raw['allow-downgrade'] === true && (subcommand !== 'alias' || remove))
    throw new InputError(`${namer('allow-downgrade')} only goes with registry alias NAME ALIAS REF`);
  if (raw.out !== undefined && subcommand !== 'fetch')
    throw new InputError(`${namer('out')} only goes with registry fetch`);
  const common = { registry: registryChoice(raw.registry, file, namer), json: raw.json === true };
  return { ...commandOf(subcommand, args, raw, remove, namer), ...common };
}

function commandOf(
  subcommand: string,
  args: readonly string[],
  raw: RawOptions<typeof REGISTRY_OPTIONS>,
  remove: boolean,
  namer: OptionNamer,
): RegistryCommand {
  if (subcommand === 'list') {
    const [name] = expectArgs(args, ['NAME'], 'list');
    return { command: 'list', name: validateModelName(name) };
  }
  if (subcommand === 'show')
    return { command: 'show', ...parseNameAtRef(expectArgs(args, ['NAME@REF'], 'show')[0]) };
  if (subcommand === 'fetch') {
    const [target] = expectArgs(args, ['NAME@REF'], 'fetch');
    if (raw.out === undefined || raw.out.trim() === '')
      throw new InputError(`registry fetch needs ${namer('out')} PATH: where to write the model`);
    return { command: 'fetch', ...parseNameAtRef(target), out: raw.out };
  }
  if (remove) {
    const [name, alias] = expectArgs(args, ['NAME', 'ALIAS'], 'alias --remove');
    return { command: 'remove-alias', name: validateModelName(name), alias: validateAlias(alias) };
  }
  const [name, alias, ref] = expectArgs(args, ['NAME', 'ALIAS', 'REF'], 'alias');
  return {
    command: 'alias',
    name: validateModelName(name),
    alias: validateAlias(alias),
    ref,
    allowDowngrade: raw['allow-downgrade'] === true,
  };
}

function expectArgs<const T extends readonly string[]>(
  args: readonly string[],
  names: T,
  subcommand: string,
): { [K in keyof T]: string } {
  if (args.length !== names.length) {
    const usage = `modelgate registry ${subcommand} ${names.join(' ')}`;
    throw new InputError(
      args.length < names.length
        ? `registry ${subcommand} needs ${names.slice(args.length).join(' ')}: ${usage}`
        : `registry ${subcommand} takes ${names.length} argument${names.length === 1 ? '' : 's'}, got ${args.length}: ${usage}`,
      HELP,
    );
  }
  return args as unknown as { [K in keyof T]: string };
}
