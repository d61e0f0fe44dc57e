/**
 * GitHub's JSON for the emulator's records. Each builder's return type is the schema from
 * @octokit/openapi-types, so the type check fails when a required field is missing or misnamed.
 */
import { createHash } from 'node:crypto';
import type { components } from '@octokit/openapi-types';
import {
  fullName,
  type StoredAsset,
  type StoredComment,
  type StoredCommit,
  type StoredDeployment,
  type StoredDeploymentStatus,
  type StoredIssue,
  type StoredRelease,
  type StoredRepo,
  type StoredUser,
} from './store.ts';

type Schemas = components['schemas'];
export type IssueComment = Schemas['issue-comment'];
export type PullRequest = Schemas['pull-request'];
export type Repository = Schemas['repository'];
export type SimpleUser = Schemas['simple-user'];
export type Release = Schemas['release'];
export type ReleaseAsset = Schemas['release-asset'];
export type ContentFile = Schemas['content-file'];
export type ContentDirectory = Schemas['content-directory'];
export type FileCommit = Schemas['file-commit'];
export type GitRef = Schemas['git-ref'];
export type Deployment = Schemas['deployment'];
export type DeploymentStatus = Schemas['deployment-status'];
export type Issue = Schemas['issue'];

/** The two roots every URL in a response hangs from. */
export interface Urls {
  /** The REST API root: the emulator's own address, so URLs in responses can be followed. */
  api: string;
  /** The web root, e.g. https://github.com. */
  web: string;
}

/** GitHub's legacy global node id: base64 of "0<type length>:<Type><id>" (e.g. MDQ6VXNlcjE= for user 1). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

/** GitHub's timestamps: ISO 8601 in UTC, to the second. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function simpleUser(user: StoredUser, urls: Urls): SimpleUser {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  const bot = user.type === 'Bot';
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: bot
      ? 'https://avatars.githubusercontent.com/in/15368?v=4'
      : `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: bot ? `${urls.web}/apps/${user.login.replace(/\[bot\]$/, '')}` : `${urls.web}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function repository(repo: StoredRepo, urls: Urls): Repository {
  const name = fullName(repo);
  const api = `${urls.api}/repos/${name}`;
  const created = timestamp(repo.createdAt);
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: name,
    license: null,
    forks: 0,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    owner: simpleUser(repo.owner, urls),
    private: repo.private,
    html_url: `${urls.web}/${name}`,
    description: null,
    fork: repo.forkOf !== undefined,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${new URL(urls.web).host}/${name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(urls.web).host}:${name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${urls.web}/${name}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${urls.web}/${name}`,
    homepage: null,
    language: 'Python',
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: created,
    created_at: created,
    updated_at: created,
    allow_forking: true,
    web_commit_signoff_required: false,
    open_issues: 0,
    watchers: 0,
  };
}

/** Who the author is to the repository, as GitHub says it next to their comment. */
function association(user: StoredUser, repo: StoredRepo): components['schemas']['author-association'] {
  if (user.id === repo.owner.id) return 'OWNER';
  return user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR';
}

function issueHtmlUrl(issue: StoredIssue, urls: Urls): string {
  return `${urls.web}/${fullName(issue.repo)}/${issue.pullRequest === undefined ? 'issues' : 'pull'}/${issue.number}`;
}

export function issueComment(comment: StoredComment, urls: Urls): IssueComment {
  const repo = comment.issue.repo;
  const api = `${urls.api}/repos/${fullName(repo)}`;
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${issueHtmlUrl(comment.issue, urls)}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(comment.user, urls),
    created_at: timestamp(comment.createdAt),
    updated_at: timestamp(comment.updatedAt),
    issue_url: `${api}/issues/${comment.issue.number}`,
    author_association: association(comment.user, repo),
    performed_via_github_app: null,
    reactions: {
      url: `${api}/issues/comments/${comment.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  };
}

/** An issue (or a pull request seen as an issue, with its `pull_request` links). */
export function issueShape(issue: StoredIssue, comments: number, urls: Urls): Issue {
  const repo = issue.repo;
  const api = `${urls.api}/repos/${fullName(repo)}`;
  const self = `${api}/issues/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId(issue.pullRequest === undefined ? 'Issue' : 'PullRequest', issue.id),
    url: self,
    repository_url: api,
    labels_url: `${self}/labels{/name}`,
    comments_url: `${self}/comments`,
    events_url: `${self}/events`,
    html_url: issueHtmlUrl(issue, urls),
    number: issue.number,
    state: issue.state,
    state_reason: null,
    title: issue.title,
    body: issue.body,
    user: simpleUser(issue.user, urls),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments,
    ...(issue.pullRequest === undefined
      ? {}
      : {
          pull_request: {
            merged_at: null,
            diff_url: `${issueHtmlUrl(issue, urls)}.diff`,
            html_url: issueHtmlUrl(issue, urls),
            patch_url: `${issueHtmlUrl(issue, urls)}.patch`,
            url: `${api}/pulls/${issue.number}`,
          },
        }),
    closed_at: null,
    created_at: timestamp(issue.createdAt),
    updated_at: timestamp(issue.updatedAt),
    author_association: association(issue.user, repo),
  };
}

export function pullRequest(issue: StoredIssue, comments: number, urls: Urls): PullRequest {
  const pr = issue.pullRequest;
  if (pr === undefined) throw new Error(`emulator: #${issue.number} is an issue, not a pull request`);
  const repo = issue.repo;
  const api = `${urls.api}/repos/${fullName(repo)}`;
  const self = `${api}/pulls/${issue.number}`;
  const html = issueHtmlUrl(issue, urls);
  const headRepo = pr.head.repo;
  const headOwner = headRepo?.owner ?? issue.user;
  const link = (href: string) => ({ href });
  return {
    url: self,
    id: issue.id,
    node_id: nodeId('PullRequest', issue.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${issue.number}`,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    statuses_url: `${api}/statuses/${pr.head.sha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: simpleUser(issue.user, urls),
    body: issue.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: timestamp(issue.createdAt),
    updated_at: timestamp(issue.updatedAt),
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headOwner.login}:${pr.head.ref}`,
      ref: pr.head.ref,
      // GitHub sends null here when the fork was deleted; the schema has not caught up.
      repo: (headRepo === null ? null : repository(headRepo, urls)) as Repository,
      sha: pr.head.sha,
      user: simpleUser(headOwner, urls),
    },
    base: {
      label: `${repo.owner.login}:${pr.base.ref}`,
      ref: pr.base.ref,
      repo: repository(repo, urls),
      sha: pr.base.sha,
      user: simpleUser(repo.owner, urls),
    },
    _links: {
      self: link(self),
      html: link(html),
      issue: link(`${api}/issues/${issue.number}`),
      comments: link(`${api}/issues/${issue.number}/comments`),
      review_comments: link(`${self}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${self}/commits`),
      statuses: link(`${api}/statuses/${pr.head.sha}`),
    },
    author_association: association(issue.user, repo),
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function releaseAsset(asset: StoredAsset, urls: Urls): ReleaseAsset {
  const repo = asset.release.repo;
  const created = timestamp(asset.createdAt);
  return {
    url: `${urls.api}/repos/${fullName(repo)}/releases/assets/${asset.id}`,
    browser_download_url: `${urls.web}/${fullName(repo)}/releases/download/${asset.release.tagName}/${asset.name}`,
    id: asset.id,
    node_id: nodeId('ReleaseAsset', asset.id),
    name: asset.name,
    label: asset.label,
    state: 'uploaded',
    content_type: asset.contentType,
    size: asset.bytes.length,
    // GitHub has computed this since 2025; clients can check an upload without downloading it.
    digest: `sha256:${createHash('sha256').update(asset.bytes).digest('hex')}`,
    download_count: asset.downloads,
    created_at: created,
    updated_at: timestamp(asset.updatedAt),
    uploader: simpleUser(asset.uploader, urls),
  };
}

export function release(release: StoredRelease, urls: Urls): Release {
  const name = fullName(release.repo);
  const api = `${urls.api}/repos/${name}/releases/${release.id}`;
  // A draft has no tag yet, so its page is addressed by a placeholder.
  const page = release.draft
    ? `untagged-${createHash('sha1').update(String(release.id)).digest('hex').slice(0, 20)}`
    : release.tagName;
  return {
    url: api,
    html_url: `${urls.web}/${name}/releases/tag/${page}`,
    assets_url: `${api}/assets`,
    // GitHub uploads to another host (uploads.github.com); the emulator serves that host under /uploads.
    upload_url: `${urls.api}/uploads/repos/${name}/releases/${release.id}/assets{?name,label}`,
    tarball_url: release.draft ? null : `${urls.api}/repos/${name}/tarball/${release.tagName}`,
    zipball_url: release.draft ? null : `${urls.api}/repos/${name}/zipball/${release.tagName}`,
    id: release.id,
    node_id: nodeId('Release', release.id),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: false,
    created_at: timestamp(release.createdAt),
    published_at: release.publishedAt === null ? null : timestamp(release.publishedAt),
    updated_at: timestamp(release.publishedAt ?? release.createdAt),
    author: simpleUser(release.author, urls),
    assets: release.assets.map((asset) => releaseAsset(asset, urls)),
  };
}

function contentLinks(repo: StoredRepo, path: string, blob: string, ref: string, urls: Urls) {
  const name = fullName(repo);
  const self = `${urls.api}/repos/${name}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${urls.api}/repos/${name}/git/blobs/${blob}`;
  const html = `${urls.web}/${name}/blob/${ref}/${path}`;
  return { self, git, html, download: `${urls.web}/${name}/raw/${ref}/${path}` };
}

/** A file as GET contents serves it: base64 in lines of 60 characters, as GitHub wraps it. */
export function contentFile(
  repo: StoredRepo,
  path: string,
  blob: string,
  bytes: Buffer,
  ref: string,
  urls: Urls,
): ContentFile {
  const links = contentLinks(repo, path, blob, ref, urls);
  return {
    type: 'file',
    encoding: 'base64',
    size: bytes.length,
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    content: `${(bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n')}\n`,
    sha: blob,
    url: links.self,
    git_url: links.git,
    html_url: links.html,
    download_url: links.download,
    _links: { git: links.git, html: links.html, self: links.self },
  };
}

/** One entry of a directory listing (no content). */
export function contentEntry(
  repo: StoredRepo,
  entry: { path: string; type: 'file' | 'dir'; sha: string; size: number },
  ref: string,
  urls: Urls,
): ContentDirectory[number] {
  const links = contentLinks(repo, entry.path, entry.sha, ref, urls);
  const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  const git = entry.type === 'dir' ? `${urls.api}/repos/${fullName(repo)}/git/trees/${entry.sha}` : links.git;
  const html = entry.type === 'dir' ? `${urls.web}/${fullName(repo)}/tree/${ref}/${entry.path}` : links.html;
  return {
    type: entry.type,
    size: entry.size,
    name,
    path: entry.path,
    sha: entry.sha,
    url: links.self,
    git_url: git,
    html_url: html,
    download_url: entry.type === 'dir' ? null : links.download,
    _links: { git, html, self: links.self },
  };
}

/** What PUT contents answers: the file as now stored, and the commit that stored it. */
export function fileCommit(
  repo: StoredRepo,
  path: string,
  blob: string,
  size: number,
  branch: string,
  commit: StoredCommit,
  urls: Urls,
): FileCommit {
  const name = fullName(repo);
  const links = contentLinks(repo, path, blob, branch, urls);
  const tree = createHash('sha1')
    .update([...commit.files].map(([file, sha]) => `${file} ${sha}`).join('\n'))
    .digest('hex');
  const person = {
    name: commit.author.login,
    email: `${commit.author.id}+${commit.author.login}@users.noreply.github.com`,
    date: timestamp(commit.date),
  };
  return {
    content: {
      name: path.slice(path.lastIndexOf('/') + 1),
      path,
      sha: blob,
      size,
      url: links.self,
      html_url: links.html,
      git_url: links.git,
      download_url: links.download,
      type: 'file',
      _links: { self: links.self, git: links.git, html: links.html },
    },
    commit: {
      sha: commit.sha,
      node_id: nodeId('Commit', Number.parseInt(commit.sha.slice(0, 8), 16)),
      url: `${urls.api}/repos/${name}/git/commits/${commit.sha}`,
      html_url: `${urls.web}/${name}/commit/${commit.sha}`,
      author: person,
      committer: person,
      message: commit.message,
      tree: { url: `${urls.api}/repos/${name}/git/trees/${tree}`, sha: tree },
      parents: commit.parents.map((sha) => ({
        url: `${urls.api}/repos/${name}/git/commits/${sha}`,
        html_url: `${urls.web}/${name}/commit/${sha}`,
        sha,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
  };
}

export function gitRef(repo: StoredRepo, ref: string, sha: string, urls: Urls): GitRef {
  const api = `${urls.api}/repos/${fullName(repo)}/git`;
  return {
    ref,
    node_id: Buffer.from(`04:Ref${ref}`).toString('base64'),
    url: `${api}/${ref}`,
    object: { type: 'commit', sha, url: `${api}/commits/${sha}` },
  };
}

export function deployment(stored: StoredDeployment, urls: Urls): Deployment {
  const repoApi = `${urls.api}/repos/${fullName(stored.repo)}`;
  const url = `${repoApi}/deployments/${stored.id}`;
  return {
    url,
    id: stored.id,
    node_id: nodeId('Deployment', stored.id),
    sha: stored.sha,
    ref: stored.ref,
    task: stored.task,
    payload: stored.payload,
    original_environment: stored.environment,
    environment: stored.environment,
    description: stored.description,
    creator: simpleUser(stored.creator, urls),
    created_at: timestamp(stored.createdAt),
    updated_at: timestamp(stored.updatedAt),
    statuses_url: `${url}/statuses`,
    repository_url: repoApi,
    transient_environment: stored.transientEnvironment,
    production_environment: stored.productionEnvironment,
    performed_via_github_app: null,
  };
}

export function deploymentStatus(
  stored: StoredDeploymentStatus,
  of: StoredDeployment,
  urls: Urls,
): DeploymentStatus {
  const repoApi = `${urls.api}/repos/${fullName(of.repo)}`;
  const deploymentUrl = `${repoApi}/deployments/${of.id}`;
  return {
    url: `${deploymentUrl}/statuses/${stored.id}`,
    id: stored.id,
    node_id: nodeId('DeploymentStatus', stored.id),
    state: stored.state,
    creator: simpleUser(stored.creator, urls),
    description: stored.description,
    environment: stored.environment,
    // GitHub keeps the legacy target_url equal to log_url.
    target_url: stored.logUrl,
    created_at: timestamp(stored.createdAt),
    updated_at: timestamp(stored.createdAt),
    deployment_url: deploymentUrl,
    repository_url: repoApi,
    environment_url: stored.environmentUrl,
    log_url: stored.logUrl,
    performed_via_github_app: null,
  };
}
