/**
 * Where the GitHub registry keeps things, and the two JSON documents it keeps on its branch.
 *
 *     branch modelgate-registry
 *       models/<name>/index.json                 the version counter and the aliases (small, fixed size)
 *       models/<name>/versions/<a>-<b>.json      the records of versions a..b (PAGE_SIZE per file)
 *     release per version: tag modelgate/<name>/v<n>, asset <name>-v<n>.onnx
 *
 * A register reads the index and writes it once (twice to move an alias), and reads and writes
 * one page, whatever the number of versions: that keeps its API calls the same at 10,000
 * versions. Pages rather than one file per version keep `list` at one read per PAGE_SIZE versions.
 */
import { InputError, MODEL_VERSION_SCHEMA, type ModelVersion } from '@modelgate/core';

export const DEFAULT_REGISTRY_BRANCH = 'modelgate-registry';
export const INDEX_SCHEMA = 'modelgate/github-registry-index@1';
export const PAGE_SCHEMA = 'modelgate/github-registry-page@1';
/**
 * Versions per page file. A record with its evaluation and verdict is 5–50 KB, so a page is at
 * most a few hundred KB to 1.6 MB (each register rewrites one; reads use the raw media type, good
 * to 100 MB), and listing 10,000 versions takes 313 reads. The index keeps the size its pages were
 * written with, so changing this later is safe.
 */
export const DEFAULT_PAGE_SIZE = 32;

/**
 * The version counter and the aliases of one model. `last_claimed` is the highest version
 * number handed out; a number is claimed (by a compare-and-swap write of this file) before its
 * release exists, so two registers never get the same one. `claim` is the id of the register
 * that claimed it, so that a register whose write answer was lost can tell its own claim.
 */
export interface RegistryIndex {
  schema: typeof INDEX_SCHEMA;
  name: string;
  page_size: number;
  last_claimed: number;
  claim: string | null;
  aliases: Record<string, number>;
}

/**
 * A version as a page stores it: the record without its aliases (they move, and live in the
 * index), with its release and where its model file is.
 */
export interface PagedVersion extends Omit<ModelVersion, 'aliases'> {
  url: string;
  release: { id: number; tag: string; asset_id: number; asset_name: string };
}

export interface RegistryPage {
  schema: typeof PAGE_SCHEMA;
  name: string;
  first: number;
  last: number;
  /** Ascending by version; a claimed number whose register failed is simply absent. */
  versions: PagedVersion[];
}

export const indexPath = (name: string) => `models/${name}/index.json`;
export const modelsFolder = 'models';

/** The page that holds `version`: versions first..last. */
export function pageRange(version: number, pageSize: number): { first: number; last: number } {
  const first = Math.floor((version - 1) / pageSize) * pageSize + 1;
  return { first, last: first + pageSize - 1 };
}

export function pagePath(name: string, version: number, pageSize: number): string {
  const { first, last } = pageRange(version, pageSize);
  return `models/${name}/versions/${first}-${last}.json`;
}

export const releaseTag = (name: string, version: number) => `modelgate/${name}/v${version}`;
export const assetName = (name: string, version: number) => `${name}-v${version}.onnx`;

export function emptyIndex(name: string, pageSize = DEFAULT_PAGE_SIZE): RegistryIndex {
  return { schema: INDEX_SCHEMA, name, page_size: pageSize, last_claimed: 0, claim: null, aliases: {} };
}

export function emptyPage(name: string, version: number, pageSize: number): RegistryPage {
  return { schema: PAGE_SCHEMA, name, ...pageRange(version, pageSize), versions: [] };
}

export function encodeIndex(index: RegistryIndex): Uint8Array {
  return Buffer.from(`${JSON.stringify(index, null, 2)}\n`);
}

/** One version per line, so the branch's history shows each register as a one-line diff. */
export function encodePage(page: RegistryPage): Uint8Array {
  const { versions, ...head } = page;
  const header = JSON.stringify(head).slice(0, -1);
  const lines = versions.map((version) => JSON.stringify(version));
  return Buffer.from(`${header},"versions":[\n${lines.join(',\n')}\n]}\n`);
}

export function parseIndex(value: unknown, where: string, name: string): RegistryIndex {
  const index = value as Partial<RegistryIndex> | null;
  if (typeof index !== 'object' || index === null || index.schema !== INDEX_SCHEMA) {
    throw damaged(where, `it is not a ${INDEX_SCHEMA} document`);
  }
  if (index.name !== name) throw damaged(where, `it is the index of '${String(index.name)}', not '${name}'`);
  if (!isCount(index.page_size) || index.page_size < 1)
    throw damaged(where, "'page_size' is not a positive integer");
  if (!isCount(index.last_claimed)) throw damaged(where, "'last_claimed' is not a version number");
  if (index.claim !== null && typeof index.claim !== 'string')
    throw damaged(where, "'claim' is not a string");
  const aliases = index.aliases;
  if (typeof aliases !== 'object' || aliases === null || Array.isArray(aliases)) {
    throw damaged(where, "'aliases' is not a map of alias to version");
  }
  for (const [alias, version] of Object.entries(aliases)) {
    if (!isCount(version) || version < 1) throw damaged(where, `alias '${alias}' names no version number`);
  }
  return index as RegistryIndex;
}

/** Checks a page and the fields of its records that the registry relies on. */
export function parsePage(value: unknown, where: string, name: string, first: number): RegistryPage {
  const page = value as Partial<RegistryPage> | null;
  if (typeof page !== 'object' || page === null || page.schema !== PAGE_SCHEMA) {
    throw damaged(where, `it is not a ${PAGE_SCHEMA} document`);
  }
  if (page.name !== name || page.first !== first) {
    throw damaged(
      where,
      `it holds versions of '${String(page.name)}' from ${String(page.first)}, not '${name}' from ${first}`,
    );
  }
  if (!Array.isArray(page.versions)) throw damaged(where, "'versions' is not a list");
  for (const version of page.versions as unknown[]) {
    const record = version as Partial<PagedVersion> | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      record.schema !== MODEL_VERSION_SCHEMA ||
      record.name !== name ||
      !isCount(record.version) ||
      record.version < first ||
      record.version > (page.last ?? first) ||
      typeof record.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(record.sha256) ||
      typeof record.url !== 'string' ||
      typeof record.release?.asset_id !== 'number'
    ) {
      throw damaged(where, `an entry is not a ${MODEL_VERSION_SCHEMA} record of this page with its release`);
    }
  }
  return page as RegistryPage;
}

export function damaged(where: string, detail: string, cause?: unknown): InputError {
  return new InputError(`registry file ${where} is damaged: ${detail}`, {
    hint: "restore it from the branch's history (git revert the commit that broke it); modelgate writes it only through the Contents API",
    ...(cause === undefined ? {} : { cause }),
  });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
