/**
 * One model's registry as one call sees it: the index, read once, and the pages read on demand
 * and kept. A register's parent lookup and its record write share them, so a page is read at
 * most once per call; resolving an alias costs two reads at any number of versions.
 */
import {
  InputError,
  type ModelVersion,
  mapLimit,
  RegistryLookupError,
  unknownAlias,
  unknownModel,
  type VersionRef,
} from '@modelgate/core';
import type { BranchFiles, Codec, FileVersion } from './branch-files.ts';
import {
  DEFAULT_PAGE_SIZE,
  encodeIndex,
  encodePage,
  indexPath,
  modelsFolder,
  type PagedVersion,
  pagePath,
  pageRange,
  parseIndex,
  parsePage,
  type RegistryIndex,
  type RegistryPage,
} from './layout.ts';

export function indexCodec(name: string): Codec<RegistryIndex> {
  return { parse: (value, where) => parseIndex(value, where, name), encode: encodeIndex };
}

export function pageCodec(name: string, first: number): Codec<RegistryPage> {
  return { parse: (value, where) => parsePage(value, where, name, first), encode: encodePage };
}

export class ModelSnapshot {
  readonly name: string;
  /** Null: the model has no index yet (only a register may go on from there). */
  readonly index: FileVersion<RegistryIndex> | null;
  readonly #files: BranchFiles;
  readonly #location: string;
  readonly #pages = new Map<string, Promise<FileVersion<RegistryPage> | undefined>>();
  /** Called with every version handed out, so the registry can remember where its model file is. */
  readonly #onRead: (record: PagedVersion) => void;

  constructor(
    files: BranchFiles,
    location: string,
    name: string,
    index: FileVersion<RegistryIndex> | null,
    onRead: (record: PagedVersion) => void,
  ) {
    this.#files = files;
    this.#location = location;
    this.name = name;
    this.index = index;
    this.#onRead = onRead;
  }

  /** Reads the model's index; null when it has none. */
  static async read(
    files: BranchFiles,
    location: string,
    name: string,
    onRead: (record: PagedVersion) => void,
  ): Promise<ModelSnapshot> {
    const index = (await files.readJson(indexPath(name), indexCodec(name))) ?? null;
    return new ModelSnapshot(files, location, name, index, onRead);
  }

  /** The model's index, or the error for a model the registry does not hold (naming those it does). */
  async existing(): Promise<FileVersion<RegistryIndex>> {
    if (this.index !== null) return this.index;
    throw unknownModel(this.#location, this.name, await this.#files.listFolder(modelsFolder));
  }

  get #indexValue(): RegistryIndex {
    if (this.index === null) throw new Error(`bug: model ${this.name} has no index to read`);
    return this.index.value;
  }

  get pageSize(): number {
    return this.index?.value.page_size ?? DEFAULT_PAGE_SIZE;
  }

  /** The page holding `version`, read at most once. */
  page(version: number): Promise<FileVersion<RegistryPage> | undefined> {
    const path = pagePath(this.name, version, this.pageSize);
    let page = this.#pages.get(path);
    if (page === undefined) {
      page = this.#files.readJson(path, pageCodec(this.name, pageRange(version, this.pageSize).first));
      this.#pages.set(path, page);
    }
    return page;
  }

  /** The page at `path` if this snapshot read it: the file, null (read, absent) or undefined (not read). */
  async pageIfRead(path: string): Promise<FileVersion<RegistryPage> | null | undefined> {
    const page = this.#pages.get(path);
    return page === undefined ? undefined : ((await page) ?? null);
  }

  async find(version: number): Promise<PagedVersion | undefined> {
    const page = await this.page(version);
    return page?.value.versions.find((stored) => stored.version === version);
  }

  async list(concurrency: number): Promise<ModelVersion[]> {
    const index = this.#indexValue;
    const versions: number[] = [];
    for (let first = 1; first <= index.last_claimed; first += index.page_size) versions.push(first);
    const pages = await mapLimit(versions, concurrency, (version) => this.page(version));
    return pages
      .flatMap((page) => page?.value.versions ?? [])
      .sort((a, b) => a.version - b.version)
      .map((record) => this.complete(record));
  }

  async resolve(ref: VersionRef): Promise<ModelVersion> {
    const index = this.#indexValue;
    if (ref.kind === 'latest') {
      const latest = await this.#latest();
      if (latest === undefined)
        throw new RegistryLookupError('version', `model '${this.name}' has no versions yet`);
      return this.complete(latest);
    }
    let version: number;
    if (ref.kind === 'alias') {
      const named = index.aliases[ref.alias];
      if (named === undefined) throw unknownAlias(this.name, ref.alias, index.aliases);
      version = named;
    } else {
      version = ref.version;
    }
    const record = await this.find(version);
    if (record !== undefined) return this.complete(record);
    if (ref.kind === 'alias') {
      throw new InputError(
        `alias '${ref.alias}' of model '${this.name}' names version ${version}, which has no record in ${this.#location}: the registry is damaged`,
        {
          hint: `point the alias at a version that exists: modelgate registry alias ${this.name} ${ref.alias} VERSION`,
        },
      );
    }
    throw this.noVersion(version);
  }

  noVersion(version: number): RegistryLookupError {
    const { last_claimed: last } = this.#indexValue;
    const detail =
      version > last
        ? last === 0
          ? 'it has no versions yet'
          : `its versions go up to ${last}`
        : 'that number was claimed by a register that did not finish';
    return new RegistryLookupError('version', `model '${this.name}' has no version ${version}: ${detail}`);
  }

  /** A stored version as the Registry interface hands it out: with its aliases, without its release ids. */
  complete(record: PagedVersion, aliases = this.index?.value.aliases ?? {}): ModelVersion {
    this.#onRead(record);
    return {
      schema: record.schema,
      name: record.name,
      version: record.version,
      sha256: record.sha256,
      bytes: record.bytes,
      aliases: Object.keys(aliases)
        .filter((alias) => aliases[alias] === record.version)
        .sort(),
      created_at: record.created_at,
      lineage: record.lineage,
      evaluation: record.evaluation,
      verdict: record.verdict,
      url: record.url,
    };
  }

  /** The highest version with a record: from the last claimed number's page downwards. */
  async #latest(): Promise<PagedVersion | undefined> {
    const { last_claimed: last, page_size: pageSize } = this.#indexValue;
    for (let version = last; version >= 1; version = pageRange(version, pageSize).first - 1) {
      const found = (await this.page(version))?.value.versions.at(-1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
