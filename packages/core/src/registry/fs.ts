import { randomBytes } from 'node:crypto';
import {
  chmod,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { mapLimit } from '../kernel/async.ts';
import { InputError } from '../kernel/errors.ts';
import { sha256 } from '../kernel/fs.ts';
import {
  AliasDowngradeError,
  checkAliasMove,
  parseRef,
  RegistryLookupError,
  unknownAlias,
  unknownModel,
  unknownVersion,
  validateAlias,
  validateModelName,
} from './names.ts';
import {
  findParentVersion,
  type PreparedRegistration,
  prepareRegistration,
  versionRecord,
} from './prepare.ts';
import {
  parseStoredAlias,
  parseStoredAliasMove,
  parseStoredVersion,
  type StoredAliasMove,
  type StoredVersion,
} from './stored.ts';
import type { AliasMoveOptions, ModelVersion, RegisterRequest, Registry } from './types.ts';

/** The default registry: a folder in the repository (CONTRACT.md). */
export const DEFAULT_FS_REGISTRY = '.modelgate/registry';

// Reading thousands of version files at once would run out of file descriptors.
const READ_CONCURRENCY = 64;
// Each retry means another writer took the number first; this many in a row means something is wrong.
const MAX_CLAIM_ATTEMPTS = 10_000;
// Temporary files older than this were left by a killed writer and are swept on the next register.
const STALE_TEMP_MS = 60 * 60 * 1000;
// Each retry of an alias move means another writer moved it first; a handful is normal with 8
// concurrent registers, this many in a row means something is wrong.
const MAX_ALIAS_ATTEMPTS = 1_000;
const ALIAS_MOVES_SUFFIX = '.moves';

/** The steps of a register at which a writer can be stopped: after each write, and halfway through the record. */
export type RegisterStep = 'after-blob' | 'after-claim' | 'mid-record' | 'after-record';

/**
 * A fault port, for tests only: the registry calls it as a register reaches each step, so a test
 * writer can SIGKILL itself there (no chance to clean up, exactly like a runner shut down
 * mid-step) and show that the registry still reads whole. With it, the record is first written
 * half, as a writer killed mid-write leaves it. Production passes none.
 */
export interface RegisterFaults {
  at(step: RegisterStep): void | Promise<void>;
}

/** How {@link createFsRegistry} opens a folder. */
export interface FsRegistryOptions {
  /** How messages name the registry; `fs:ROOT` by default. */
  readonly location?: string;
  readonly faults?: RegisterFaults;
}

/**
 * The filesystem registry (`fs:PATH`). Layout under PATH:
 *
 *     blobs/sha256/<hex>                 model files, content-addressed and read-only
 *     models/<name>/versions/<n>.json    one modelgate/model-version@1 record per version
 *     models/<name>/aliases/<alias>.json which version an alias names
 *     models/<name>/aliases/<alias>.moves/<seq>.json  every move of the alias, by link(2)
 *     models/<name>/claims/<n>           O_EXCL version claims
 *     tmp/                               files being written (renamed into place when whole)
 *
 * There is no index file to read, modify and write back: the directories are the index. That is
 * what makes it safe for many writers on one disk (self-hosted runners share disks) with no
 * lock to go stale: a version number is claimed by creating `claims/<n>` with O_EXCL, which
 * exactly one process can do, and every file appears by rename, whole. A writer killed at any
 * point leaves at worst an unused claim (a gap in the numbers) or a stray temporary file, and
 * the registry reads as before.
 *
 * An alias moves by compare-and-swap, because it may only move forward: a writer reads the
 * highest move `seq` and links its move as `seq + 1`, which link(2) does only if no other writer
 * did first (then it reads again and decides again). The highest move is the alias's value;
 * `<alias>.json` mirrors it for readers of the files (and registries written before moves
 * existed are read from it), and every writer brings the mirror up to the highest move after
 * its own.
 */
export function createFsRegistry(root: string, options: FsRegistryOptions = {}): Registry {
  return new FsRegistry(resolve(root), options.location ?? `fs:${root}`, options.faults);
}

class FsRegistry implements Registry {
  readonly location: string;
  readonly #root: string;
  readonly #faults: RegisterFaults | undefined;

  constructor(root: string, location: string, faults: RegisterFaults | undefined) {
    this.#root = root;
    this.location = location;
    this.#faults = faults;
  }

  async list(name: string): Promise<ModelVersion[]> {
    await this.#requireModel(validateModelName(name));
    const [numbers, aliases] = await Promise.all([this.#versionNumbers(name), this.#aliases(name)]);
    return mapLimit(numbers, READ_CONCURRENCY, async (version) =>
      this.#complete(await this.#readVersion(name, version, numbers), aliases),
    );
  }

  async resolve(name: string, ref: string): Promise<ModelVersion> {
    const parsed = parseRef(ref);
    await this.#requireModel(validateModelName(name));
    const aliases = await this.#aliases(name);
    let version: number;
    if (parsed.kind === 'alias') {
      const named = aliases[parsed.alias];
      if (named === undefined) throw unknownAlias(name, parsed.alias, aliases);
      version = named;
    } else if (parsed.kind === 'version') {
      version = parsed.version;
    } else {
      const numbers = await this.#versionNumbers(name);
      const latest = numbers.at(-1);
      if (latest === undefined)
        throw new RegistryLookupError('version', `model '${name}' has no versions yet`);
      version = latest;
    }
    const stored = await this.#readVersion(
      name,
      version,
      undefined,
      parsed.kind === 'alias' ? parsed.alias : undefined,
    );
    return this.#complete(stored, aliases);
  }

  async register(request: RegisterRequest): Promise<ModelVersion> {
    // Every refusal happens here, before the first write: a refused register leaves no trace.
    const prepared = await prepareRegistration(request);
    const { name } = prepared;
    const parent = prepared.lineage.parent_version ?? (await this.#parentOf(prepared));

    await this.#sweepTemporaries();
    await this.#writeBlob(prepared.bytes, prepared.sha256);
    await this.#faults?.at('after-blob');

    const dir = this.#modelDir(name);
    await Promise.all(
      ['versions', 'aliases', 'claims'].map((sub) => mkdir(join(dir, sub), { recursive: true })),
    );
    const version = await this.#claimVersion(name);
    await this.#faults?.at('after-claim');

    const stored: StoredVersion = versionRecord(prepared, version, parent);
    await this.#writeAtomic(
      this.#versionPath(name, version),
      `${JSON.stringify(stored, null, 2)}\n`,
      'mid-record',
    );
    await this.#faults?.at('after-record');
    if (prepared.alias !== undefined) {
      try {
        await this.#moveAlias(name, prepared.alias, version, request.allowDowngrade === true);
      } catch (error) {
        // A concurrent register moved the alias to a newer version first: it stays there, and
        // the version returned does not list it.
        if (!(error instanceof AliasDowngradeError)) throw error;
      }
    }
    return this.#complete(stored, await this.#aliases(name));
  }

  async setAlias(
    name: string,
    alias: string,
    version: number,
    move?: AliasMoveOptions,
  ): Promise<ModelVersion> {
    validateAlias(alias);
    await this.#requireModel(validateModelName(name));
    // The version must exist (and read cleanly) before anything points at it.
    const stored = await this.#readVersion(name, version);
    await this.#moveAlias(name, alias, version, move?.allowDowngrade === true);
    return this.#complete(stored, await this.#aliases(name));
  }

  async removeAlias(name: string, alias: string): Promise<void> {
    validateAlias(alias);
    await this.#requireModel(validateModelName(name));
    await this.#moveAlias(name, alias, null, true);
  }

  async fetchModel(version: ModelVersion): Promise<Uint8Array> {
    const path = this.#blobPath(version.sha256);
    const what = `the model file of ${version.name} v${version.version}`;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new InputError(`${what} is missing from the registry ${this.location}: ${path}`, {
          hint: 'restore it from a backup, or register the model again',
        });
      }
      throw registryIoError(this.location, error);
    }
    const actual = sha256(bytes);
    if (actual !== version.sha256) {
      throw new InputError(
        `${what} (${path}) has sha256 ${actual}, but the registry recorded ${version.sha256}: it was changed after it was registered`,
        { hint: 'do not use it; restore the file from a backup, or register the model again' },
      );
    }
    return bytes;
  }

  // --- paths -------------------------------------------------------------------------------

  #modelDir(name: string): string {
    return join(this.#root, 'models', name);
  }
  #versionPath(name: string, version: number): string {
    return join(this.#modelDir(name), 'versions', `${version}.json`);
  }
  #aliasPath(name: string, alias: string): string {
    return join(this.#modelDir(name), 'aliases', `${alias}.json`);
  }
  #aliasMovesDir(name: string, alias: string): string {
    return join(this.#modelDir(name), 'aliases', `${alias}${ALIAS_MOVES_SUFFIX}`);
  }
  #blobPath(digest: string): string {
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new InputError(`'${digest}' is not a sha256 digest`);
    return join(this.#root, 'blobs', 'sha256', digest);
  }
  #url(name: string, version: number): string {
    return this.#versionPath(name, version);
  }

  // --- reads -------------------------------------------------------------------------------

  async #requireModel(name: string): Promise<void> {
    try {
      if ((await stat(join(this.#modelDir(name), 'versions'))).isDirectory()) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw registryIoError(this.location, error);
    }
    throw unknownModel(this.location, name, await this.#modelNames());
  }

  async #modelNames(): Promise<string[]> {
    const entries = await readdirOrEmpty(join(this.#root, 'models'), this.location);
    return entries.filter((entry) => !entry.startsWith('.'));
  }

  /** The versions that exist (whole records), ascending. */
  async #versionNumbers(name: string): Promise<number[]> {
    return numbered(await readdirOrEmpty(join(this.#modelDir(name), 'versions'), this.location), '.json');
  }

  async #aliases(name: string): Promise<Record<string, number>> {
    const entries = await readdirOrEmpty(join(this.#modelDir(name), 'aliases'), this.location);
    const names = new Set<string>();
    for (const entry of entries) {
      if (entry.endsWith('.json')) names.add(entry.slice(0, -'.json'.length));
      else if (entry.endsWith(ALIAS_MOVES_SUFFIX)) names.add(entry.slice(0, -ALIAS_MOVES_SUFFIX.length));
    }
    const aliases: Record<string, number> = {};
    await Promise.all(
      [...names].map(async (alias) => {
        const { version } = await this.#currentAlias(name, alias);
        if (version !== null) aliases[alias] = version;
      }),
    );
    return aliases;
  }

  /** The alias's value: its highest move, else (a registry from before moves) its file; version null: none. */
  async #currentAlias(name: string, alias: string): Promise<{ seq: number; version: number | null }> {
    const dir = this.#aliasMovesDir(name, alias);
    const seq = numbered(await readdirOrEmpty(dir, this.location), '.json').at(-1);
    if (seq !== undefined) {
      const path = join(dir, `${seq}.json`);
      const text = await readText(path, this.location);
      // Moves are never deleted; a missing one was removed by hand.
      if (text === undefined) throw new InputError(`registry file ${path} vanished while it was read`);
      return parseStoredAliasMove(text, path, name, alias, seq);
    }
    const path = this.#aliasPath(name, alias);
    const text = await readText(path, this.location);
    // Removed between the listing and the read: the alias is gone, which is what it says.
    if (text === undefined) return { seq: 0, version: null };
    return { seq: 0, version: parseStoredAlias(text, path, name, alias).version };
  }

  async #readVersion(
    name: string,
    version: number,
    known?: number[],
    viaAlias?: string,
  ): Promise<StoredVersion> {
    const path = this.#versionPath(name, version);
    const text = await readText(path, this.location);
    if (text === undefined) {
      if (viaAlias !== undefined) {
        throw new InputError(
          `alias '${viaAlias}' of model '${name}' names version ${version}, whose record ${path} is missing: the registry ${this.location} is damaged`,
          {
            hint: `point the alias at a version that exists: modelgate registry alias ${name} ${viaAlias} VERSION`,
          },
        );
      }
      throw unknownVersion(name, version, known ?? (await this.#versionNumbers(name)));
    }
    return parseStoredVersion(text, path, name, version);
  }

  #complete(stored: StoredVersion, aliases: Record<string, number>): ModelVersion {
    const names = Object.keys(aliases)
      .filter((alias) => aliases[alias] === stored.version)
      .sort();
    return { ...stored, aliases: names, url: this.#url(stored.name, stored.version) };
  }

  async #parentOf(prepared: PreparedRegistration): Promise<number | null> {
    if (prepared.verdict?.baseline?.sha256 == null) return null;
    const numbers = await this.#versionNumbers(prepared.name);
    return findParentVersion(this, prepared.name, prepared.verdict, numbers.at(-1) ?? null);
  }

  // --- writes ------------------------------------------------------------------------------

  /**
   * Claims the next version number: the first `claims/<n>` above every claim and version that
   * this process can create with O_EXCL. Concurrent writers each get a different number.
   */
  async #claimVersion(name: string): Promise<number> {
    const dir = this.#modelDir(name);
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const [claims, versions] = await Promise.all([
        readdirOrEmpty(join(dir, 'claims'), this.location),
        readdirOrEmpty(join(dir, 'versions'), this.location),
      ]);
      const next = Math.max(0, ...numbered(claims, ''), ...numbered(versions, '.json')) + 1;
      try {
        const handle = await open(join(dir, 'claims', String(next)), 'wx');
        await handle.writeFile(
          `${JSON.stringify({ pid: process.pid, host: hostname(), claimed_at: new Date().toISOString() })}\n`,
        );
        await handle.close();
        return next;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw registryIoError(this.location, error);
      }
    }
    throw new Error(`could not claim a version of ${name} in ${MAX_CLAIM_ATTEMPTS} attempts`);
  }

  async #writeBlob(bytes: Buffer, digest: string): Promise<void> {
    const path = this.#blobPath(digest);
    try {
      // Content-addressed: the same model registered twice is stored once. A blob whose bytes
      // no longer match (tampered) is replaced by the verified ones.
      if (sha256(await readFile(path)) === digest) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw registryIoError(this.location, error);
    }
    await mkdir(join(this.#root, 'blobs', 'sha256'), { recursive: true });
    await this.#writeAtomic(path, bytes);
    // Read-only, so that an editor or a stray script does not change a registered model in place.
    await chmod(path, 0o444);
  }

  /**
   * Moves (or, with version null, removes) an alias by compare-and-swap on its moves: decide on
   * the value read, link the move as the next `seq`, and when another writer linked it first,
   * read again and decide again.
   */
  async #moveAlias(
    name: string,
    alias: string,
    version: number | null,
    allowDowngrade: boolean,
  ): Promise<void> {
    const dir = this.#aliasMovesDir(name, alias);
    await mkdir(dir, { recursive: true });
    for (let attempt = 0; attempt < MAX_ALIAS_ATTEMPTS; attempt++) {
      const current = await this.#currentAlias(name, alias);
      if (version === null) {
        if (current.version === null) throw unknownAlias(name, alias, await this.#aliases(name));
      } else {
        checkAliasMove(name, alias, current.version ?? undefined, version, allowDowngrade);
        if (current.version === version) return this.#mirrorAlias(name, alias);
      }
      const move: StoredAliasMove = {
        name,
        alias,
        version,
        seq: current.seq + 1,
        updated_at: new Date().toISOString(),
      };
      if (await this.#linkNew(join(dir, `${move.seq}.json`), `${JSON.stringify(move, null, 2)}\n`)) {
        return this.#mirrorAlias(name, alias);
      }
    }
    throw new Error(`could not move alias ${alias} of ${name} in ${MAX_ALIAS_ATTEMPTS} attempts`);
  }

  /**
   * Brings `<alias>.json` up to the alias's highest move. A writer that renames an older value
   * over a newer one reads the moves again afterwards and puts the newer back, so the last
   * writer to touch the file always leaves the highest move there.
   */
  async #mirrorAlias(name: string, alias: string): Promise<void> {
    const path = this.#aliasPath(name, alias);
    for (let attempt = 0; attempt < MAX_ALIAS_ATTEMPTS; attempt++) {
      const current = await this.#currentAlias(name, alias);
      const text = await readText(path, this.location);
      const mirrored = text === undefined ? undefined : mirrorSeq(text);
      if (current.version === null) {
        if (text === undefined) return;
        await unlink(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw registryIoError(this.location, error);
        });
        continue;
      }
      if (mirrored === current.seq) return;
      const record = {
        name,
        alias,
        version: current.version,
        seq: current.seq,
        updated_at: new Date().toISOString(),
      };
      await this.#writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
    }
  }

  /** Creates `path` whole with `content` unless it exists: false when another writer made it first. */
  async #linkNew(path: string, content: string): Promise<boolean> {
    const tmp = join(this.#root, 'tmp');
    await mkdir(tmp, { recursive: true });
    const temporary = join(tmp, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, content);
      await link(temporary, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw registryIoError(this.location, error);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** Writes into tmp/ and renames into place, so readers see the whole file or none of it. */
  async #writeAtomic(path: string, content: string | Buffer, midway?: RegisterStep): Promise<void> {
    const tmp = join(this.#root, 'tmp');
    await mkdir(tmp, { recursive: true });
    const temporary = join(tmp, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if (midway !== undefined && this.#faults !== undefined) {
        await writeFile(temporary, content.slice(0, Math.floor(content.length / 2)));
        await this.#faults.at(midway);
      }
      await writeFile(temporary, content);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw registryIoError(this.location, error);
    }
  }

  async #sweepTemporaries(): Promise<void> {
    const tmp = join(this.#root, 'tmp');
    const now = Date.now();
    for (const file of await readdirOrEmpty(tmp, this.location)) {
      const path = join(tmp, file);
      try {
        if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      } catch {
        // Another writer swept it first.
      }
    }
  }
}

/** The move `seq` an alias file mirrors; 0 for a file from before moves, or one that does not parse. */
function mirrorSeq(text: string): number {
  try {
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    return typeof seq === 'number' ? seq : 0;
  } catch {
    return 0;
  }
}

/** The numbers among `<n><suffix>` file names, ascending; anything else in the folder is ignored. */
function numbered(files: readonly string[], suffix: string): number[] {
  const numbers: number[] = [];
  for (const file of files) {
    if (!file.endsWith(suffix)) continue;
    const stem = file.slice(0, file.length - suffix.length);
    if (/^[1-9]\d{0,8}$/.test(stem)) numbers.push(Number(stem));
  }
  return numbers.sort((a, b) => a - b);
}

async function readdirOrEmpty(dir: string, location: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw registryIoError(location, error);
  }
}

/** A file's text, or undefined when it does not exist. */
async function readText(path: string, location: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw registryIoError(location, error);
  }
}

/** A filesystem failure (permissions, a full disk) is the user's to fix: say where. */
function registryIoError(location: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  return new InputError(`the registry ${location} cannot be used: ${(error as Error).message}`, {
    cause: error,
  });
}
