import { didYouMean, InputError } from '../kernel/errors.ts';

// A model name becomes a folder on disk and part of a release tag on GitHub, so it keeps to
// characters that are safe in both, and never `.`/`..`.
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_MODEL_NAME = 100;
// Aliases are names people say ("production", "champion"), kept to one lowercase spelling so
// `Production` and `production` cannot become two aliases.
const ALIAS_NAME = /^[a-z][a-z0-9_-]*$/;
const MAX_ALIAS_NAME = 63;
/** The ref that always means the highest version; it cannot be an alias. */
export const LATEST = 'latest';

/** What a `REF` (CONTRACT.md) names: the highest version, one version number, or an alias. */
export type VersionRef =
  | { kind: 'latest' }
  | { kind: 'version'; version: number }
  | { kind: 'alias'; alias: string };

/** Checks a registry model name, naming the rule it breaks. */
export function validateModelName(name: string): string {
  if (name.length === 0 || name.length > MAX_MODEL_NAME || !MODEL_NAME.test(name)) {
    throw new InputError(
      `model name '${name}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or digit (at most ${MAX_MODEL_NAME} characters)`,
    );
  }
  return name;
}

/** Checks an alias name; `latest` and version-like names are taken by refs. */
export function validateAlias(alias: string): string {
  if (alias === LATEST) {
    throw new InputError(`'${LATEST}' cannot be an alias: it always means the highest version`);
  }
  if (
    alias.length === 0 ||
    alias.length > MAX_ALIAS_NAME ||
    !ALIAS_NAME.test(alias) ||
    /^v\d+$/.test(alias)
  ) {
    throw new InputError(
      `alias '${alias}' is not valid: use lowercase letters, digits, '_' and '-', starting with a letter (e.g. production, champion)`,
    );
  }
  return alias;
}

/** A positive version number, from `3` or `v3`; undefined when the text is not one. */
function parseVersionNumber(text: string): number | undefined {
  const match = /^v?(\d{1,9})$/.exec(text);
  if (match === null) return undefined;
  const version = Number(match[1]);
  return version >= 1 ? version : undefined;
}

/** Parses a REF: `latest`, a version number (`3` or `v3`), or an alias name. */
export function parseRef(ref: string): VersionRef {
  if (ref === LATEST) return { kind: 'latest' };
  if (/^v?\d+$/.test(ref)) {
    const version = parseVersionNumber(ref);
    if (version === undefined) throw new InputError(`version '${ref}' is not valid: versions start at 1`);
    return { kind: 'version', version };
  }
  if (!ALIAS_NAME.test(ref)) {
    throw new InputError(
      `'${ref}' is not a version ref: give a version number, an alias name or '${LATEST}'`,
    );
  }
  return { kind: 'alias', alias: ref };
}

/** Splits `NAME@REF` (REF defaults to `latest`), checking both parts. */
export function parseNameAtRef(text: string): { name: string; ref: string } {
  const at = text.lastIndexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  const ref = at === -1 ? LATEST : text.slice(at + 1);
  if (ref === '')
    throw new InputError(`'${text}' has nothing after '@': write NAME@VERSION, NAME@ALIAS or NAME@latest`);
  validateModelName(name);
  parseRef(ref);
  return { name, ref };
}

/** A registry lookup that found nothing: which model, version or alias, and what exists instead. */
export class RegistryLookupError extends InputError {
  readonly kind: 'model' | 'version' | 'alias';
  /** An existing name close enough to the one asked for to be a likely typo. */
  readonly suggestion: string | undefined;
  /** The names of this kind that do exist (models in the registry, aliases of the model). */
  readonly existing: readonly string[];

  constructor(
    kind: 'model' | 'version' | 'alias',
    message: string,
    options: { hint?: string; suggestion?: string; existing?: readonly string[] } = {},
  ) {
    super(message, options.hint === undefined ? {} : { hint: options.hint });
    this.kind = kind;
    this.suggestion = options.suggestion;
    this.existing = options.existing ?? [];
  }
}

/**
 * The existing name a user most likely meant: a near miss by edit distance (`prodution`), else
 * the one name that starts with what was typed (`prod` for `production`, too far for edit distance).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const near = didYouMean(name, known);
  if (near !== undefined) return near;
  const prefixed = known.filter((candidate) => candidate.toLowerCase().startsWith(name.toLowerCase()));
  return name.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The error for a model name the registry does not hold, listing the ones it does. */
export function unknownModel(location: string, name: string, known: readonly string[]): RegistryLookupError {
  const guess = closestName(name, known);
  return new RegistryLookupError(
    'model',
    `no model named '${name}' in the registry ${location} (${known.length === 0 ? 'it holds no models yet' : `models: ${preview(known)}`})`,
    guess === undefined
      ? { hint: "register one with 'modelgate register --name NAME …'", existing: known }
      : { hint: `did you mean '${guess}'?`, suggestion: guess, existing: known },
  );
}

/** The error for a version number that does not exist, saying which do. */
export function unknownVersion(
  name: string,
  version: number,
  versions: readonly number[],
): RegistryLookupError {
  const have =
    versions.length === 0
      ? 'it has no versions yet'
      : `it has ${versions.length === 1 ? 'version' : 'versions'} ${describeVersions(versions)}`;
  return new RegistryLookupError('version', `model '${name}' has no version ${version}: ${have}`);
}

/** The error for an alias that does not exist, listing the aliases there are. */
export function unknownAlias(
  name: string,
  alias: string,
  aliases: Record<string, number>,
): RegistryLookupError {
  const names = Object.keys(aliases).sort();
  const guess = closestName(alias, names);
  const have =
    names.length === 0
      ? 'it has no aliases yet'
      : `aliases: ${names.map((a) => `${a} → v${aliases[a]}`).join(', ')}`;
  return new RegistryLookupError(
    'alias',
    `model '${name}' has no alias '${alias}' (${have})`,
    guess === undefined
      ? { hint: `set one with 'modelgate registry alias ${name} ${alias} VERSION'`, existing: names }
      : { hint: `did you mean '${guess}'?`, suggestion: guess, existing: names },
  );
}

/** A move of an alias to an older version than it names now, refused unless asked for. */
export class AliasDowngradeError extends InputError {
  /** The version the alias names now. */
  readonly current: number;
  /** The version it was asked to name. */
  readonly requested: number;

  constructor(name: string, alias: string, current: number, requested: number) {
    super(
      `alias '${alias}' of model '${name}' names v${current}; moving it to v${requested} would move it back`,
      { hint: 'aliases only move forward: give --allow-downgrade to move it back on purpose' },
    );
    this.current = current;
    this.requested = requested;
  }
}

/** Refuses a move of an alias to a lower version than `current`, unless `allowDowngrade`. */
export function checkAliasMove(
  name: string,
  alias: string,
  current: number | undefined,
  requested: number,
  allowDowngrade: boolean,
): void {
  if (current !== undefined && requested < current && !allowDowngrade)
    throw new AliasDowngradeError(name, alias, current, requested);
}

/** "1–5", or "1–3, 5, 9–12" when numbers were skipped (an interrupted register leaves a gap). */
export function describeVersions(versions: readonly number[]): string {
  const sorted = [...versions].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = sorted[0];
  let previous = start;
  for (const version of [...sorted.slice(1), Number.NaN]) {
    if (start === undefined || previous === undefined) break;
    if (version === previous + 1) {
      previous = version;
      continue;
    }
    runs.push(start === previous ? `${start}` : `${start}–${previous}`);
    start = version;
    previous = version;
  }
  return runs.length > 8
    ? `${runs.slice(0, 3).join(', ')}, …, ${runs.slice(-3).join(', ')}`
    : runs.join(', ');
}

function preview(items: readonly string[]): string {
  const sorted = [...items].sort();
  return sorted.length > 10
    ? `${sorted.slice(0, 10).join(', ')}, … (${sorted.length} in all)`
    : sorted.join(', ');
}
