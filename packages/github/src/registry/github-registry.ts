/**
 * The GitHub registry (`github:OWNER/REPO`): model files are release assets, one release per
 * version; the index (version counter, aliases) and the version records are JSON on a branch of
 * their own, written through the Contents API with compare-and-swap. See layout.ts for the files.
 *
 * A register, in order:
 *   1. every refusal (core's prepareRegistration), before any call to GitHub;
 *   2. claim the next number: a compare-and-swap write of the index (racing registers retry and
 *      get distinct numbers);
 *   3. a draft release, its asset (checked against the sha256), then publish it (the tag appears);
 *   4. the record joins its page (compare-and-swap again): only now can a reader see the version,
 *      so no reader ever sees a version without its model;
 *   5. the alias, if one was asked for (compare-and-swap of the index).
 * If 3 or 4 fails, the record, release and tag are removed and the claim is handed back when no
 * later register took a number meanwhile; otherwise the number stays unused (a gap), as it does
 * when a register is killed mid-way. A number is never given twice.
 */
import { randomUUID } from 'node:crypto';
import {
  AliasDowngradeError,
  type AliasMoveOptions,
  checkAliasMove,
  findParentVersion,
  InputError,
  type Logger,
  type ModelVersion,
  type PreparedRegistration,
  parseRef,
  prepareRegistration,
  type RegisterRequest,
  type Registry,
  sha256,
  unknownAlias,
  validateAlias,
  validateModelName,
  versionRecord,
} from '@modelgate/core';
import type { GitHubClient } from '../octokit.ts';
import { type Backoff, BranchFiles, DEFAULT_BACKOFF, type FileVersion } from './branch-files.ts';
import {
  assetName,
  DEFAULT_REGISTRY_BRANCH,
  emptyIndex,
  emptyPage,
  indexPath,
  type PagedVersion,
  pagePath,
  pageRange,
  type RegistryIndex,
  type RegistryPage,
  releaseTag,
} from './layout.ts';
import { releaseNotes } from './release-notes.ts';
import { type DraftRelease, Releases } from './releases.ts';
import { indexCodec, ModelSnapshot, pageCodec } from './snapshot.ts';

export interface GitHubRegistryOptions {
  owner: string;
  repo: string;
  /** From createGitHubClient: it retries 5xx answers and waits out short rate limits. */
  client: GitHubClient;
  logger: Logger;
  /** The branch that holds the index and the records (default `modelgate-registry`). */
  branch?: string;
  /** How compare-and-swap conflicts are retried (default: 10 attempts, jittered waits up to 2 s). */
  backoff?: Backoff;
}

/** Opens the registry kept in a GitHub repository (`github:OWNER/REPO`). */
export function createGitHubRegistry(options: GitHubRegistryOptions): Registry {
  return new GitHubRegistry(options);
}

// Pages read at once by `list`: enough to hide latency, few enough not to trip GitHub's
// secondary rate limit on concurrent requests.
const LIST_CONCURRENCY = 8;

/** How far a register got after its claim, so that a failure undoes exactly that. */
interface Progress {
  draft: DraftRelease | undefined;
  published: boolean;
  recordWritten: boolean;
}

class GitHubRegistry implements Registry {
  readonly location: string;
  readonly #branch: string;
  readonly #logger: Logger;
  readonly #files: BranchFiles;
  readonly #releases: Releases;
  /** Asset ids of the versions read so far, so that fetchModel needs one call, not two. */
  readonly #assets = new Map<string, number>();

  constructor(options: GitHubRegistryOptions) {
    this.location = `github:${options.owner}/${options.repo}`;
    this.#branch = options.branch ?? DEFAULT_REGISTRY_BRANCH;
    this.#logger = options.logger;
    const target = {
      client: options.client,
      owner: options.owner,
      repo: options.repo,
      location: this.location,
    };
    this.#files = new BranchFiles(
      { ...target, branch: this.#branch, logger: options.logger },
      options.backoff ?? DEFAULT_BACKOFF,
    );
    this.#releases = new Releases(target);
  }

  async list(name: string): Promise<ModelVersion[]> {
    const snapshot = await this.#snapshot(validateModelName(name));
    await snapshot.existing();
    return snapshot.list(LIST_CONCURRENCY);
  }

  async resolve(name: string, ref: string): Promise<ModelVersion> {
    const parsed = parseRef(ref);
    const snapshot = await this.#snapshot(validateModelName(name));
    await snapshot.existing();
    return snapshot.resolve(parsed);
  }

  async register(request: RegisterRequest): Promise<ModelVersion> {
    // Every refusal happens here, before the first call to GitHub: a refused register writes nothing.
    const prepared = await prepareRegistration(request);
    const { name } = prepared;
    const snapshot = await this.#snapshot(name);
    const parent = prepared.lineage.parent_version ?? (await this.#parentOf(snapshot, prepared));

    const claimId = randomUUID();
    const claim = await this.#files.update<RegistryIndex, number>(
      indexPath(name),
      indexCodec(name),
      (current) => {
        const index = current ?? emptyIndex(name);
        // A claim whose answer was lost (a 5xx after it landed) is recognised on the re-read.
        if (index.claim === claimId) return { keep: index.last_claimed };
        const version = index.last_claimed + 1;
        return {
          write: { ...index, last_claimed: version, claim: claimId },
          result: version,
          message: `modelgate: claim ${name} v${version}`,
        };
      },
      snapshot.index,
    );
    const version = claim.result;
    const claimed = claim.file as FileVersion<RegistryIndex>;
    this.#logger.info(`claimed ${name} v${version} in ${this.location}`);
    const record = await this.#publish(snapshot, prepared, version, claimed, claimId, claim.commit, parent);

    let aliases = claimed.value.aliases;
    if (prepared.alias !== undefined) {
      try {
        aliases = (
          await this.#moveAlias(name, prepared.alias, version, claimed, request.allowDowngrade === true)
        ).aliases;
      } catch (error) {
        if (!(error instanceof AliasDowngradeError)) {
          throw new InputError(
            `registered ${name} v${version} in ${this.location}, but could not move alias '${prepared.alias}' to it: ${(error as Error).message}`,
            { cause: error, hint: `run 'modelgate registry alias ${name} ${prepared.alias} ${version}'` },
          );
        }
        // A concurrent register moved the alias to a newer version first: it stays there, and
        // the version returned does not list it.
        aliases = { ...aliases, [prepared.alias]: error.current };
      }
    }
    this.#logger.info(`registered ${name} v${version}: ${record.url}`);
    return snapshot.complete(record, aliases);
  }

  async setAlias(
    name: string,
    alias: string,
    version: number,
    options: AliasMoveOptions = {},
  ): Promise<ModelVersion> {
    validateAlias(alias);
    const snapshot = await this.#snapshot(validateModelName(name));
    const index = await snapshot.existing();
    // The version must exist before anything points at it.
    const record = await snapshot.find(version);
    if (record === undefined) throw snapshot.noVersion(version);
    const moved = await this.#moveAlias(name, alias, version, index, options.allowDowngrade === true);
    return snapshot.complete(record, moved.aliases);
  }

  async removeAlias(name: string, alias: string): Promise<void> {
    validateAlias(alias);
    const snapshot = await this.#snapshot(validateModelName(name));
    // Set once a removal was sent: if its answer was lost, the alias found gone on the re-read is ours.
    let sent = false;
    await this.#files.update<RegistryIndex, undefined>(
      indexPath(name),
      indexCodec(name),
      (current) => {
        const index = current ?? emptyIndex(name);
        if (index.aliases[alias] === undefined) {
          if (sent) return { keep: undefined };
          throw unknownAlias(name, alias, index.aliases);
        }
        sent = true;
        const { [alias]: _removed, ...aliases } = index.aliases;
        return {
          write: { ...index, aliases },
          result: undefined,
          message: `modelgate: remove alias ${alias} of ${name}`,
        };
      },
      await snapshot.existing(),
    );
  }

  async fetchModel(version: ModelVersion): Promise<Uint8Array> {
    const name = validateModelName(version.name);
    const tag = releaseTag(name, version.version);
    const file = assetName(name, version.version);
    const what = `the model file of ${name} v${version.version}`;
    const cached = this.#assets.get(`${name}@${version.version}`);
    let bytes = cached === undefined ? undefined : await this.#releases.download(cached);
    if (bytes === undefined) {
      // Not read through this registry, or the asset was replaced since: look it up by its tag.
      const id = await this.#releases.findAsset(tag, file);
      if (id !== undefined) bytes = await this.#releases.download(id);
    }
    if (bytes === undefined) {
      throw new InputError(`${what} is missing from ${this.location}: release ${tag} has no asset ${file}`, {
        hint: 'the release or its asset was deleted; register the model again',
      });
    }
    const actual = sha256(bytes);
    if (actual !== version.sha256) {
      throw new InputError(
        `${what} (asset ${file} of release ${tag} in ${this.location}) has sha256 ${actual}, but the registry recorded ${version.sha256}: it was changed after it was registered`,
        { hint: 'do not use it; delete that release and register the model again' },
      );
    }
    return bytes;
  }

  // --- register, step by step --------------------------------------------------------------

  #snapshot(name: string): Promise<ModelSnapshot> {
    return ModelSnapshot.read(this.#files, this.location, name, (record) =>
      this.#assets.set(`${record.name}@${record.version}`, record.release.asset_id),
    );
  }

  /** Steps 3 and 4: the release with its model, then the record. Undone if either fails. */
  async #publish(
    snapshot: ModelSnapshot,
    prepared: PreparedRegistration,
    version: number,
    claimed: FileVersion<RegistryIndex>,
    claimId: string,
    claimCommit: string | undefined,
    parent: number | null,
  ): Promise<PagedVersion> {
    const { name } = prepared;
    const pageSize = claimed.value.page_size;
    const path = pagePath(name, version, pageSize);
    const tag = releaseTag(name, version);
    const progress: Progress = { draft: undefined, published: false, recordWritten: false };
    try {
      progress.draft = await this.#releases.createDraft({
        tag,
        // The tag marks the registry commit that claimed the version (the branch, if a lost answer hid it).
        target: claimCommit ?? this.#branch,
        name: `${name} v${version}`,
        body: releaseNotes(prepared, version, parent, path, this.#branch),
      });
      const asset = await this.#releases.upload(
        progress.draft,
        assetName(name, version),
        prepared.bytes,
        prepared.sha256,
      );
      const url = await this.#releases.publish(progress.draft.id, tag);
      progress.published = true;

      const record: PagedVersion = {
        ...versionRecord(prepared, version, parent),
        url,
        release: { id: progress.draft.id, tag, asset_id: asset.id, asset_name: asset.name },
      };
      const known = await snapshot.pageIfRead(path);
      progress.recordWritten = true;
      await this.#files.update<RegistryPage, undefined>(
        path,
        pageCodec(name, pageRange(version, pageSize).first),
        (current) => {
          const page = current ?? emptyPage(name, version, pageSize);
          if (page.versions.some((stored) => stored.version === version)) return { keep: undefined };
          const versions = [...page.versions, record].sort((a, b) => a.version - b.version);
          return {
            write: { ...page, versions },
            result: undefined,
            message: `modelgate: register ${name} v${version}`,
          };
        },
        known,
      );
      return record;
    } catch (error) {
      await this.#rollback(name, version, pageSize, claimId, tag, progress);
      throw error;
    }
  }

  /**
   * Undoes a register that failed after its claim, as far as it safely can: the record, then the
   * release and its tag, then the claim. Each step is skipped once an earlier one failed, so that
   * nothing a reader may see loses its model; a number that cannot be handed back stays unused.
   */
  async #rollback(
    name: string,
    version: number,
    pageSize: number,
    claimId: string,
    tag: string,
    progress: Progress,
  ): Promise<void> {
    const leave = (what: string, error: unknown) =>
      this.#logger.warning(
        `the register of ${name} v${version} failed, and ${what} could not be undone (${(error as Error).message}); v${version} stays unused`,
      );
    if (progress.recordWritten) {
      try {
        await this.#files.update(
          pagePath(name, version, pageSize),
          pageCodec(name, pageRange(version, pageSize).first),
          (current) =>
            current?.versions.some((stored) => stored.version === version)
              ? {
                  write: {
                    ...current,
                    versions: current.versions.filter((stored) => stored.version !== version),
                  },
                  result: undefined,
                  message: `modelgate: undo ${name} v${version} (its register failed)`,
                }
              : { keep: undefined },
        );
      } catch (error) {
        return leave('its record', error);
      }
    }
    try {
      if (progress.draft !== undefined) await this.#releases.delete(progress.draft.id);
      if (progress.published) await this.#releases.deleteTag(tag);
    } catch (error) {
      return leave(`its release ${tag}`, error);
    }
    try {
      await this.#files.update(indexPath(name), indexCodec(name), (current) =>
        current !== undefined && current.last_claimed === version && current.claim === claimId
          ? {
              write: { ...current, last_claimed: version - 1, claim: null },
              result: undefined,
              message: `modelgate: hand back ${name} v${version} (its register failed)`,
            }
          : { keep: undefined },
      );
    } catch (error) {
      leave('its claim', error);
    }
  }

  async #moveAlias(
    name: string,
    alias: string,
    version: number,
    start: FileVersion<RegistryIndex>,
    allowDowngrade: boolean,
  ): Promise<RegistryIndex> {
    const moved = await this.#files.update<RegistryIndex, RegistryIndex>(
      indexPath(name),
      indexCodec(name),
      (current) => {
        const index = current ?? emptyIndex(name);
        if (index.aliases[alias] === version) return { keep: index };
        // Decided on the index as read; a conflicting write makes update() read it again and ask again.
        checkAliasMove(name, alias, index.aliases[alias], version, allowDowngrade);
        const aliases = Object.fromEntries(
          Object.entries({ ...index.aliases, [alias]: version }).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        );
        const next = { ...index, aliases };
        return { write: next, result: next, message: `modelgate: ${name} alias ${alias} → v${version}` };
      },
      start,
    );
    return moved.result;
  }

  /** The version the verdict's baseline was (core's rule), looked up through this call's snapshot. */
  async #parentOf(snapshot: ModelSnapshot, prepared: PreparedRegistration): Promise<number | null> {
    if (snapshot.index === null || prepared.verdict?.baseline?.sha256 == null) return null;
    const view: Registry = {
      location: this.location,
      list: (name) => this.list(name),
      resolve: (_name, ref) => snapshot.resolve(parseRef(ref)),
      register: (request) => this.register(request),
      setAlias: (name, alias, version, options) => this.setAlias(name, alias, version, options),
      removeAlias: (name, alias) => this.removeAlias(name, alias),
      fetchModel: (version) => this.fetchModel(version),
    };
    return findParentVersion(view, prepared.name, prepared.verdict, snapshot.index.value.last_claimed);
  }
}
