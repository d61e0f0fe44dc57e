import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../kernel/errors.ts';
import { createFsRegistry, DEFAULT_FS_REGISTRY } from './fs.ts';
import type { Registry } from './types.ts';

/** The registry used when neither a flag, an input nor the config names one (CONTRACT.md). */
export const DEFAULT_REGISTRY_SPEC = `fs:${DEFAULT_FS_REGISTRY}`;

/** A parsed `--registry` value. */
export type RegistrySpec =
  | { backend: 'fs'; path: string }
  | { backend: 'github'; owner: string; repo: string };

// GitHub's own rules: owners are alphanumeric with single hyphens, repositories add '.' and '_'.
const GITHUB_REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/** Parses `fs:PATH` or `github:OWNER/REPO`; `what` names the flag or input in the error. */
export function parseRegistrySpec(spec: string, what = '--registry'): RegistrySpec {
  const expected = 'expected fs:PATH or github:OWNER/REPO';
  if (spec.startsWith('fs:')) {
    const path = spec.slice(3);
    if (path.trim() === '') throw new InputError(`${what} '${spec}' names no folder: ${expected}`);
    return { backend: 'fs', path };
  }
  if (spec.startsWith('github:')) {
    const match = GITHUB_REPO.exec(spec.slice(7));
    if (match === null || match[2] === '.' || match[2] === '..') {
      throw new InputError(`${what} '${spec}' is not valid: expected github:OWNER/REPO`, {
        hint: 'for example github:acme/models',
      });
    }
    return { backend: 'github', owner: match[1] as string, repo: match[2] as string };
  }
  throw new InputError(`${what} '${spec}' is not a registry: ${expected}`, {
    hint: spec.includes(':') ? undefined : `for a folder, write fs:${spec}`,
  });
}

export interface OpenRegistryOptions {
  /** What relative `fs:` paths are relative to. */
  readonly cwd: string;
  /**
   * Opens a GitHub registry. Core has no GitHub code: the CLI and the actions pass
   * `createGitHubRegistry` here with the token they hold.
   */
  readonly github?: (owner: string, repo: string) => Registry;
  /** The flag or input the spec came from, for messages. */
  readonly what?: string;
}

/** Opens the registry a spec names. */
export function openRegistry(spec: string, options: OpenRegistryOptions): Registry {
  const parsed = parseRegistrySpec(spec, options.what);
  if (parsed.backend === 'fs') {
    const root = isAbsolute(parsed.path) ? parsed.path : resolve(options.cwd, parsed.path);
    return createFsRegistry(root, { location: spec });
  }
  if (options.github === undefined) {
    throw new InputError(
      `${options.what ?? '--registry'} '${spec}' needs GitHub access, which this step does not have`,
    );
  }
  return options.github(parsed.owner, parsed.repo);
}

/** The config's `registry:` section (CONTRACT.md): `{ backend: fs, path }` or `{ backend: github, repo }`. */
const registrySection = z.union([
  z.string(),
  z.object({ backend: z.literal('fs'), path: z.string().min(1).optional() }).strict(),
  z.object({ backend: z.literal('github'), repo: z.string() }).strict(),
]);

/** The registry spec a config's `registry:` section gives, or undefined when it has none. */
export function registrySpecFromConfig(section: unknown, configPath: string): string | undefined {
  if (section === undefined || section === null) return undefined;
  const result = registrySection.safeParse(section);
  if (!result.success) {
    throw new InputError(
      `config file ${configPath}: 'registry' must be { backend: fs, path: PATH } or { backend: github, repo: OWNER/REPO }`,
      { hint: `for example: registry: { backend: fs, path: ${DEFAULT_FS_REGISTRY} }` },
    );
  }
  const value = result.data;
  const spec =
    typeof value === 'string'
      ? value
      : value.backend === 'fs'
        ? `fs:${value.path ?? DEFAULT_FS_REGISTRY}`
        : `github:${value.repo}`;
  parseRegistrySpec(spec, `config file ${configPath}: registry`);
  return spec;
}
