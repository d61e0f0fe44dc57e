/**
 * Releases and their assets. As on GitHub: a draft has no tag until it is published, and only
 * writers see drafts; a published release's tag is created at `target_commitish` when missing;
 * assets are uploaded to a separate host (`upload_url`, here under /uploads on the emulator
 * itself), and downloading one through the API answers 302 to a signed storage URL.
 */
import { invalidRequest, notFound, validationFailed } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { release, releaseAsset } from '../shapes.ts';
import type { StoredRelease, StoredRepo } from '../store.ts';
import { paginated, repoOf } from './common.ts';

const DOCS = 'https://docs.github.com/rest/releases';

/** A release by the id in the path; a draft only for those who may write. */
function releaseOf(context: RouteContext, repo: StoredRepo, docs: string): StoredRelease {
  const found = context.store.release(repo, Number(context.params.release_id));
  if (found === undefined || (found.draft && context.actor?.access !== 'write')) throw notFound(docs);
  return found;
}

function assetOf(context: RouteContext, repo: StoredRepo, docs: string) {
  const asset = context.store.asset(Number(context.params.asset_id), repo);
  if (asset === undefined || (asset.release.draft && context.actor?.access !== 'write')) throw notFound(docs);
  return asset;
}

/** The optional fields a create or update may set, type-checked as GitHub's schema does. */
function releaseFields(context: RouteContext, docs: string) {
  const body = (context.body ?? {}) as Record<string, unknown>;
  const fields: Partial<
    Pick<StoredRelease, 'tagName' | 'targetCommitish' | 'name' | 'body' | 'draft' | 'prerelease'>
  > = {};
  const text = (key: string) => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw invalidRequest(docs, `For 'properties/${key}', ${JSON.stringify(value)} is not a string.`);
    }
    return value;
  };
  const flag = (key: string) => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      throw invalidRequest(docs, `For 'properties/${key}', ${JSON.stringify(value)} is not a boolean.`);
    }
    return value;
  };
  const tagName = text('tag_name');
  const target = text('target_commitish');
  const name = text('name');
  const notes = text('body');
  const draft = flag('draft');
  const prerelease = flag('prerelease');
  if (tagName !== undefined) fields.tagName = tagName;
  if (target !== undefined) fields.targetCommitish = target;
  if (name !== undefined) fields.name = name;
  if (notes !== undefined) fields.body = notes;
  if (draft !== undefined) fields.draft = draft;
  if (prerelease !== undefined) fields.prerelease = prerelease;
  return fields;
}

/** One published release per tag; the tag is made at `target_commitish` when it does not exist. */
function publish(context: RouteContext, target: StoredRelease, docs: string): void {
  const other = context.store.releaseByTag(target.repo, target.tagName);
  if (other !== undefined && other !== target) {
    throw validationFailed(docs, { resource: 'Release', code: 'already_exists', field: 'tag_name' });
  }
  const git = context.store.git(target.repo);
  const tagRef = `refs/tags/${target.tagName}`;
  if (!git.refs.has(tagRef)) {
    const commit = context.store.resolveCommit(target.repo, target.targetCommitish);
    if (commit === undefined) {
      throw validationFailed(docs, { resource: 'Release', code: 'invalid', field: 'target_commitish' });
    }
    git.refs.set(tagRef, commit.sha);
  }
  target.draft = false;
  target.publishedAt = context.store.tick();
}

export const releaseRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}/releases#list-releases`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const visible = context.store
        .releasesOf(repo)
        .filter((r) => !r.draft || context.actor?.access === 'write')
        .map((r) => release(r, context.urls));
      return paginated(context, repo, visible);
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/releases',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}/releases#create-a-release`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const fields = releaseFields(context, this.docs);
      if (fields.tagName === undefined) throw invalidRequest(this.docs, '"tag_name" wasn\'t supplied.');
      if (fields.tagName.trim() === '') {
        throw validationFailed(this.docs, { resource: 'Release', code: 'missing_field', field: 'tag_name' });
      }
      const draft = fields.draft ?? false;
      if (!draft && context.store.releaseByTag(repo, fields.tagName) !== undefined) {
        throw validationFailed(this.docs, { resource: 'Release', code: 'already_exists', field: 'tag_name' });
      }
      const created = context.store.addRelease(repo, {
        tagName: fields.tagName,
        targetCommitish: fields.targetCommitish ?? repo.defaultBranch,
        name: fields.name ?? null,
        body: fields.body ?? null,
        draft: true,
        prerelease: fields.prerelease ?? false,
        author: context.store.user(context.actor?.login ?? 'ghost'),
      });
      if (!draft) {
        try {
          publish(context, created, this.docs);
        } catch (error) {
          context.store.releases.splice(context.store.releases.indexOf(created), 1);
          throw error;
        }
      }
      const body = release(created, context.urls);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/tags/{tag}',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}/releases#get-a-release-by-tag-name`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const found = context.store.releaseByTag(repo, context.params.tag ?? '');
      if (found === undefined) throw notFound(this.docs);
      return { status: 200, body: release(found, context.urls) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/assets/{asset_id}',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}/assets#get-a-release-asset`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const asset = assetOf(context, repo, this.docs);
      if (/application\/octet-stream/.test(String(context.headers.accept ?? ''))) {
        const location = `${context.urls.api}/_storage/release-assets/${asset.id}?key=${asset.storageKey}`;
        return { status: 302, headers: { location } };
      }
      return { status: 200, body: releaseAsset(asset, context.urls) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/releases/assets/{asset_id}',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}/assets#delete-a-release-asset`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const asset = assetOf(context, repo, this.docs);
      asset.release.assets.splice(asset.release.assets.indexOf(asset), 1);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/{release_id}',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}/releases#get-a-release`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      return { status: 200, body: release(releaseOf(context, repo, this.docs), context.urls) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/releases/{release_id}',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}/releases#update-a-release`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = releaseOf(context, repo, this.docs);
      const fields = releaseFields(context, this.docs);
      const before = { ...target };
      if (fields.tagName !== undefined && target.draft) target.tagName = fields.tagName;
      if (fields.targetCommitish !== undefined) target.targetCommitish = fields.targetCommitish;
      if (fields.name !== undefined) target.name = fields.name;
      if (fields.body !== undefined) target.body = fields.body;
      if (fields.prerelease !== undefined) target.prerelease = fields.prerelease;
      if (fields.draft === false && target.draft) {
        try {
          publish(context, target, this.docs);
        } catch (error) {
          Object.assign(target, before);
          throw error;
        }
      }
      return { status: 200, body: release(target, context.urls) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/releases/{release_id}',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}/releases#delete-a-release`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = releaseOf(context, repo, this.docs);
      // As on GitHub, the tag stays.
      context.store.releases.splice(context.store.releases.indexOf(target), 1);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/{release_id}/assets',
    access: 'read',
    permission: 'contents=read',
    docs: `${DOCS}/assets#list-release-assets`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = releaseOf(context, repo, this.docs);
      return paginated(
        context,
        repo,
        target.assets.map((asset) => releaseAsset(asset, context.urls)),
      );
    },
  },
  {
    // uploads.github.com/repos/{owner}/{repo}/releases/{release_id}/assets on github.com.
    method: 'POST',
    path: '/uploads/repos/{owner}/{repo}/releases/{release_id}/assets',
    access: 'write',
    permission: 'contents=write',
    docs: `${DOCS}/assets#upload-a-release-asset`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = releaseOf(context, repo, this.docs);
      const name = context.query.get('name');
      if (name === null || name === '') {
        throw validationFailed(this.docs, { resource: 'ReleaseAsset', code: 'missing_field', field: 'name' });
      }
      if (target.assets.some((asset) => asset.name === name)) {
        throw validationFailed(this.docs, {
          resource: 'ReleaseAsset',
          code: 'already_exists',
          field: 'name',
        });
      }
      const asset = context.store.addAsset(target, {
        name,
        label: context.query.get('label'),
        contentType: String(context.headers['content-type'] ?? 'application/octet-stream'),
        bytes: context.rawBody,
        uploader: context.store.user(context.actor?.login ?? 'ghost'),
      });
      return { status: 201, body: releaseAsset(asset, context.urls) };
    },
  },
  {
    // The storage host a download redirects to (release-assets.githubusercontent.com on
    // github.com). The signed key in the URL is the credential, so it needs no token.
    method: 'GET',
    path: '/_storage/release-assets/{asset_id}',
    access: 'read',
    permission: 'none',
    docs: `${DOCS}/assets#get-a-release-asset`,
    handle(context) {
      const asset = context.store.asset(Number(context.params.asset_id));
      if (asset === undefined || context.query.get('key') !== asset.storageKey) throw notFound(this.docs);
      asset.downloads++;
      return {
        status: 200,
        body: asset.bytes,
        headers: {
          'content-type': 'application/octet-stream',
          'content-disposition': `attachment; filename=${asset.name}`,
        },
      };
    },
  },
];
