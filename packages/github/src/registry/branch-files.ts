/**
 * JSON files on one branch, read and written through the Contents API, with the blob `sha` as
 * compare-and-swap: a write names the version of the file it read, and GitHub refuses it (409,
 * or 422 for a file created meanwhile) when someone else wrote first. {@link BranchFiles.update}
 * then reads again and re-applies the change, with jittered backoff, a bounded number of times.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, type Logger } from '@modelgate/core';
import type { GitHubClient } from '../octokit.ts';
import { gitHubFailure, hasStatus, isAmbiguous, isWriteConflict } from './failures.ts';
import { damaged } from './layout.ts';

export interface BranchTarget {
  client: GitHubClient;
  owner: string;
  repo: string;
  branch: string;
  logger: Logger;
  /** `github:OWNER/REPO`, for messages. */
  location: string;
}

/** A file as read: its value and the blob sha a write must name to replace it. */
export interface FileVersion<T> {
  value: T;
  sha: string;
}

/** How a JSON document is checked when read and serialized when written. */
export interface Codec<T> {
  parse(value: unknown, where: string): T;
  encode(value: T): Uint8Array;
}

/** What an update does with the current file: write a new value, or leave it (and say why). */
export type Step<T, R> = { write: T; result: R; message: string } | { keep: R };

export interface Backoff {
  /** Writes tried before giving up (each after re-reading the file). */
  attempts: number;
  /** The first wait; each later one may be twice as long, up to `maxMs`, drawn at random below that. */
  baseMs: number;
  maxMs: number;
}

// Racing registers conflict once per winner before them; ten tries with waits up to 2 s outlast
// a burst of merges without hiding a writer that is stuck.
export const DEFAULT_BACKOFF: Backoff = { attempts: 10, baseMs: 100, maxMs: 2000 };

// The raw media type returns the file's bytes for files up to 100 MB (the JSON one stops at 1 MB).
const RAW = 'application/vnd.github.raw+json';

/** Why a failed write is worth reading again and retrying; undefined when retrying cannot help. */
function whyRetry(
  error: unknown,
): { kind: 'conflict' | 'ambiguous' | 'no-branch'; reason: string } | undefined {
  if (isWriteConflict(error)) return { kind: 'conflict', reason: 'another writer changed it first' };
  // The write may have landed: the next read tells, and every step recognises its own change.
  if (isAmbiguous(error)) {
    const { status } = error as { status: number };
    return { kind: 'ambiguous', reason: `GitHub failed (${status}) and the write may not have landed` };
  }
  if (hasStatus(error, 404, /^Branch .* not found/))
    return { kind: 'no-branch', reason: 'the branch does not exist' };
  return undefined;
}

/** Git's object id of a blob, which is the `sha` the Contents API compares writes against. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export class BranchFiles {
  readonly #target: BranchTarget;
  readonly #backoff: Backoff;
  /** Set when a read found no branch: the next write creates it first. */
  #branchMissing = false;

  constructor(target: BranchTarget, backoff: Backoff = DEFAULT_BACKOFF) {
    this.#target = target;
    this.#backoff = backoff;
  }

  /** The Contents API's answer for `path` on the branch; `options` as the request takes them. */
  #getContent(
    path: string,
    options: { headers?: { accept: string }; request?: { parseSuccessResponseBody: boolean } } = {},
  ) {
    const { client, owner, repo, branch } = this.#target;
    return client.rest.repos.getContent({ owner, repo, path, ref: branch, ...options });
  }

  /** Where a file is, for messages: `models/churn/index.json on branch modelgate-registry of o/r`. */
  where(path: string): string {
    const { owner, repo, branch } = this.#target;
    return `${path} on branch ${branch} of ${owner}/${repo}`;
  }

  /** The file's bytes and blob sha; undefined when the file (or the branch) does not exist. */
  async read(path: string): Promise<{ bytes: Uint8Array; sha: string } | undefined> {
    const { branch, location } = this.#target;
    try {
      // The bytes exactly as stored: their blob sha is what a write must name.
      const response = await this.#getContent(path, {
        headers: { accept: RAW },
        request: { parseSuccessResponseBody: false },
      });
      const bytes = new Uint8Array(
        await new Response(response.data as unknown as ReadableStream).arrayBuffer(),
      );
      return { bytes, sha: gitBlobSha(bytes) };
    } catch (error) {
      if (hasStatus(error, 404, /No commit found for the ref/)) {
        this.#branchMissing = true;
        return undefined;
      }
      if (hasStatus(error, 404)) return undefined;
      throw gitHubFailure(error, `reading ${path} from branch ${branch}`, location);
    }
  }

  async readJson<T>(path: string, codec: Codec<T>): Promise<FileVersion<T> | undefined> {
    const file = await this.read(path);
    if (file === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(file.bytes).toString('utf8'));
    } catch (error) {
      throw damaged(this.where(path), `it is not valid JSON (${(error as Error).message})`, error);
    }
    return { value: codec.parse(value, this.where(path)), sha: file.sha };
  }

  /** Lists a folder's entry names; empty when it (or the branch) does not exist. */
  async listFolder(path: string): Promise<string[]> {
    const { branch, location } = this.#target;
    try {
      const response = await this.#getContent(path);
      return Array.isArray(response.data) ? response.data.map((entry) => entry.name) : [];
    } catch (error) {
      if (hasStatus(error, 404)) return [];
      throw gitHubFailure(error, `listing ${path} on branch ${branch}`, location);
    }
  }

  /**
   * Applies `step` to the file and writes the result with compare-and-swap, reading again and
   * re-applying it when another writer got there first. `start` is the file as already read (or
   * null: known not to exist), which saves the first read; a stale one costs a conflict and a
   * read. Returns the step's result, the file as now stored, and the commit that stored it.
   */
  async update<T, R>(
    path: string,
    codec: Codec<T>,
    step: (current: T | undefined) => Step<T, R>,
    start?: FileVersion<T> | null,
  ): Promise<{ result: R; file: FileVersion<T> | undefined; commit: string | undefined }> {
    let current = start ?? undefined;
    let known = start !== undefined;
    for (let attempt = 1; ; attempt++) {
      if (!known) current = await this.readJson(path, codec);
      known = false;
      const decision = step(current?.value);
      if ('keep' in decision) return { result: decision.keep, file: current, commit: undefined };
      if (this.#branchMissing) await this.#createBranch();
      try {
        const written = await this.#write(path, codec.encode(decision.write), current?.sha, decision.message);
        return {
          result: decision.result,
          file: { value: decision.write, sha: written.sha },
          commit: written.commit,
        };
      } catch (error) {
        const failure = whyRetry(error);
        if (failure === undefined) {
          throw gitHubFailure(
            error,
            `writing ${path} to branch ${this.#target.branch}`,
            this.#target.location,
          );
        }
        if (attempt >= this.#backoff.attempts) {
          throw new InputError(
            `gave up writing ${this.where(path)} after ${attempt} attempts: ${failure.reason}`,
            {
              cause: error,
              hint: 'many registers ran at once, or something else keeps writing that branch; re-run the job',
            },
          );
        }
        if (failure.kind === 'no-branch') {
          this.#branchMissing = true;
          continue;
        }
        this.#target.logger.info(
          `${this.where(path)}: ${failure.reason}; reading it again (attempt ${attempt + 1})`,
        );
        await sleep(this.#delay(attempt));
      }
    }
  }

  /** Full jitter: a random wait below an exponentially growing cap, so racing writers spread out. */
  #delay(attempt: number): number {
    const cap = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** (attempt - 1));
    return Math.random() * cap;
  }

  async #write(path: string, bytes: Uint8Array, sha: string | undefined, message: string) {
    const { client, owner, repo, branch } = this.#target;
    const response = await client.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      branch,
      // Pushes made with a PAT or an app token would start every `on: push` workflow on the
      // registry branch (the workflow token's do not); GitHub skips them for this instruction.
      message: `${message}\n\n[skip ci]`,
      content: Buffer.from(bytes).toString('base64'),
      ...(sha === undefined ? {} : { sha }),
      // A conflict must come back here to be re-read, not be re-sent unchanged by the client's
      // retry plugin; a 5xx is also handled here, because the write may have landed.
      request: { retries: 0 },
    });
    return { sha: response.data.content?.sha ?? gitBlobSha(bytes), commit: response.data.commit.sha };
  }

  /**
   * Creates the branch from the default branch's head, as `git branch` would. Another register
   * creating it at the same moment is fine ("Reference already exists").
   */
  async #createBranch(): Promise<void> {
    const { client, owner, repo, branch, logger, location } = this.#target;
    const doing = `creating branch ${branch}`;
    try {
      const { data: repository } = await client.rest.repos.get({ owner, repo });
      const base = repository.default_branch;
      const { data: head } = await client.rest.git.getRef({
        owner,
        repo,
        ref: `heads/${base}`,
      });
      try {
        await client.rest.git.createRef({
          owner,
          repo,
          ref: `refs/heads/${branch}`,
          sha: head.object.sha,
        });
        logger.info(`created branch ${branch} in ${owner}/${repo} (from ${base}) to hold the model registry`);
      } catch (error) {
        if (!hasStatus(error, 422, /Reference already exists/)) throw error;
      }
      this.#branchMissing = false;
    } catch (error) {
      if (hasStatus(error, 409)) {
        throw new InputError(
          `${owner}/${repo} has no commits yet, so the registry branch ${branch} cannot be made`,
          {
            cause: error,
            hint: 'push a first commit to the repository',
          },
        );
      }
      throw gitHubFailure(error, doing, location);
    }
  }
}
