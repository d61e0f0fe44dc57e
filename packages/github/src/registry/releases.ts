/**
 * A version's release: made as a draft, given its model file, then published. A draft has no tag
 * and is seen only by writers, so nobody sees a release without its model, and the order also
 * works where immutable releases are on (assets cannot be added once published).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '@modelgate/core';
import type { GitHubClient } from '../octokit.ts';
import { gitHubFailure, hasStatus, isAmbiguous } from './failures.ts';

// Creating a release is not retried blindly (a lost answer would leave two drafts): this many
// tries, each after looking for the draft the previous one may have made.
const CREATE_ATTEMPTS = 3;
const CREATE_RETRY_MS = 500;

export interface ReleaseTarget {
  client: GitHubClient;
  owner: string;
  repo: string;
  location: string;
}

export interface DraftRelease {
  id: number;
  /** GitHub's upload address template (another host: uploads.github.com), used as given. */
  uploadUrl: string;
}

export interface UploadedAsset {
  id: number;
  name: string;
}

interface AssetAnswer {
  id: number;
  name: string;
  size: number;
  digest?: string | null;
}

export class Releases {
  readonly #target: ReleaseTarget;

  constructor(target: ReleaseTarget) {
    this.#target = target;
  }

  /**
   * Creates the version's draft release, once: after a 5xx the draft may exist all the same (the
   * answer was lost), so it is looked for among the newest releases before trying again. A draft
   * with this tag can only be this register's, since its version number was claimed.
   */
  async createDraft(fields: {
    tag: string;
    target: string;
    name: string;
    body: string;
  }): Promise<DraftRelease> {
    const { client, owner, repo, location } = this.#target;
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await client.rest.repos.createRelease({
          owner,
          repo,
          tag_name: fields.tag,
          target_commitish: fields.target,
          name: fields.name,
          body: fields.body,
          draft: true,
          request: { retries: 0 },
        });
        return { id: data.id, uploadUrl: data.upload_url };
      } catch (error) {
        if (!isAmbiguous(error) || attempt >= CREATE_ATTEMPTS) {
          throw gitHubFailure(error, `creating the release ${fields.tag}`, location);
        }
        const made = await this.#findDraft(fields.tag);
        if (made !== undefined) return made;
        await sleep(CREATE_RETRY_MS * attempt);
      }
    }
  }

  /**
   * Uploads the model file and checks what GitHub stored against its sha256. The client retries
   * a failed upload; when the failed attempt had in fact landed, the retry meets "already_exists",
   * and the asset already there is kept if it is the same file.
   */
  async upload(draft: DraftRelease, name: string, bytes: Uint8Array, sha256: string): Promise<UploadedAsset> {
    const { location } = this.#target;
    let asset: AssetAnswer;
    try {
      asset = await this.#post(draft, name, bytes);
    } catch (error) {
      if (!hasStatus(error, 422)) throw gitHubFailure(error, `uploading ${name}`, location);
      const existing = (await this.#assets(draft.id)).find((candidate) => candidate.name === name);
      if (existing === undefined) throw gitHubFailure(error, `uploading ${name}`, location);
      if (sameFile(existing, bytes, sha256)) return { id: existing.id, name };
      await this.deleteAsset(existing.id);
      asset = await this.#post(draft, name, bytes).catch((again: unknown) => {
        throw gitHubFailure(again, `uploading ${name}`, location);
      });
    }
    if (!sameFile(asset, bytes, sha256)) {
      await this.deleteAsset(asset.id);
      throw new InputError(
        `GitHub stored ${name} as ${asset.size} bytes with digest ${String(asset.digest)}, not the ${bytes.length} bytes with sha256 ${sha256} that were sent`,
        { hint: 'the upload was damaged on the way; re-run the job' },
      );
    }
    return { id: asset.id, name };
  }

  /** Publishes a draft: GitHub creates its tag then. Returns the release page. */
  async publish(id: number, tag: string): Promise<string> {
    const { client, owner, repo, location } = this.#target;
    try {
      const { data } = await client.rest.repos.updateRelease({
        owner,
        repo,
        release_id: id,
        draft: false,
      });
      return data.html_url;
    } catch (error) {
      throw gitHubFailure(error, `publishing the release ${tag}`, location);
    }
  }

  async delete(id: number): Promise<void> {
    await this.#target.client.rest.repos.deleteRelease({ ...this.#repository, release_id: id });
  }

  async deleteTag(tag: string): Promise<void> {
    await this.#target.client.rest.git.deleteRef({ ...this.#repository, ref: `tags/${tag}` });
  }

  async deleteAsset(id: number): Promise<void> {
    await this.#target.client.rest.repos.deleteReleaseAsset({ ...this.#repository, asset_id: id });
  }

  /** The repository, as every request names it. */
  get #repository(): { owner: string; repo: string } {
    return { owner: this.#target.owner, repo: this.#target.repo };
  }

  /** The id of a published release's asset; undefined when the release or the asset is gone. */
  async findAsset(tag: string, name: string): Promise<number | undefined> {
    const { client, owner, repo, location } = this.#target;
    try {
      const { data } = await client.rest.repos.getReleaseByTag({
        owner,
        repo,
        tag,
      });
      return data.assets.find((asset) => asset.name === name)?.id;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw gitHubFailure(error, `reading the release ${tag}`, location);
    }
  }

  /**
   * An asset's bytes. GitHub answers the API call with a redirect to its storage host, which
   * fetch follows (dropping the token, as the host is another origin).
   */
  async download(id: number): Promise<Uint8Array | undefined> {
    const { client, owner, repo, location } = this.#target;
    try {
      const response = await client.rest.repos.getReleaseAsset({
        owner,
        repo,
        asset_id: id,
        headers: { accept: 'application/octet-stream' },
        // The bytes as stored, whatever content type the storage host labels them with.
        request: { parseSuccessResponseBody: false },
      });
      return new Uint8Array(await new Response(response.data as unknown as ReadableStream).arrayBuffer());
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw gitHubFailure(error, `downloading release asset ${id}`, location);
    }
  }

  /** A draft with this tag among the newest releases (drafts are listed to writers, newest first). */
  async #findDraft(tag: string): Promise<DraftRelease | undefined> {
    const { client, owner, repo, location } = this.#target;
    try {
      const { data } = await client.rest.repos.listReleases({
        owner,
        repo,
        per_page: 30,
      });
      const draft = data.find((release) => release.draft && release.tag_name === tag);
      return draft === undefined ? undefined : { id: draft.id, uploadUrl: draft.upload_url };
    } catch (error) {
      throw gitHubFailure(error, `looking for the draft release ${tag}`, location);
    }
  }

  async #post(draft: DraftRelease, name: string, bytes: Uint8Array): Promise<AssetAnswer> {
    // A plain request, not rest.repos.uploadReleaseAsset: that method assumes the host
    // uploads.github.com, while the release's upload_url names the right one (another on GHES,
    // and in the emulator), and it types the body as a string where this sends bytes.
    const { data } = await this.#target.client.request(`POST ${draft.uploadUrl}`, {
      name,
      data: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    return data as AssetAnswer;
  }

  async #assets(id: number): Promise<AssetAnswer[]> {
    const { client, owner, repo } = this.#target;
    const { data } = await client.rest.repos.listReleaseAssets({
      owner,
      repo,
      release_id: id,
      per_page: 100,
    });
    return data;
  }
}

/** GitHub reports `sha256:<hex>` for uploads since 2025; older servers (GHES) only the size. */
function sameFile(asset: AssetAnswer, bytes: Uint8Array, sha256: string): boolean {
  if (asset.size !== bytes.length) return false;
  return asset.digest === undefined || asset.digest === null || asset.digest === `sha256:${sha256}`;
}
