import { resolve } from 'node:path';
import { writeFileAtomic } from '../../kernel/fs.ts';
import { RegistryLookupError } from '../../registry/names.ts';
import type { ModelVersion, Registry } from '../../registry/types.ts';
import type { RegistryStepSettings } from './settings.ts';

/** What a subcommand may touch: the registry, and the files under `cwd` (fetch). */
export interface RegistryPorts {
  /** The registry the settings name, opened by the caller (a `github:` one needs its token). */
  readonly registry: Registry;
  /** What `fetch --out` is relative to. */
  readonly cwd: string;
}

/** What a `modelgate registry` subcommand did. */
export type RegistryOutcome = { readonly location: string; readonly json: boolean } & (
  | { readonly kind: 'listed'; readonly name: string; readonly versions: readonly ModelVersion[] }
  | { readonly kind: 'shown'; readonly version: ModelVersion }
  | {
      readonly kind: 'aliased';
      readonly alias: string;
      readonly version: ModelVersion;
      /** The version the alias named before; undefined for a new alias. */
      readonly previous: number | undefined;
    }
  | { readonly kind: 'unaliased'; readonly name: string; readonly alias: string; readonly was: number }
  | { readonly kind: 'fetched'; readonly version: ModelVersion; readonly out: string }
);

/** Reads the registry or moves an alias, as the subcommand says. */
export async function runRegistry(
  settings: RegistryStepSettings,
  ports: RegistryPorts,
): Promise<RegistryOutcome> {
  const { registry } = ports;
  const common = { location: registry.location, json: settings.json };
  switch (settings.command) {
    case 'list':
      return { ...common, kind: 'listed', name: settings.name, versions: await registry.list(settings.name) };
    case 'show':
      return { ...common, kind: 'shown', version: await registry.resolve(settings.name, settings.ref) };
    case 'fetch': {
      const version = await registry.resolve(settings.name, settings.ref);
      // fetchModel checks the bytes against the recorded sha256 before anything is written.
      await writeFileAtomic(resolve(ports.cwd, settings.out), await registry.fetchModel(version));
      return { ...common, kind: 'fetched', version, out: settings.out };
    }
    case 'remove-alias': {
      const before = await registry.resolve(settings.name, settings.alias);
      await registry.removeAlias(settings.name, settings.alias);
      return {
        ...common,
        kind: 'unaliased',
        name: settings.name,
        alias: settings.alias,
        was: before.version,
      };
    }
    case 'alias': {
      const { name, alias } = settings;
      const target = await registry.resolve(name, settings.ref);
      const previous = await registry.resolve(name, alias).catch((error: unknown) => {
        if (error instanceof RegistryLookupError) return undefined;
        throw error;
      });
      const version = await registry.setAlias(name, alias, target.version, {
        allowDowngrade: settings.allowDowngrade,
      });
      return { ...common, kind: 'aliased', alias, version, previous: previous?.version };
    }
  }
}
