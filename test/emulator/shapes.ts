/**
 * GitHub's JSON for the emulator's records. Each builder's return type is the schema from
 * @octokit/openapi-types, so the type check fails when a required field is missing or misnamed.
 */
import type { components } from '@octokit/openapi-types';
import { fullName, type StoredComment, type StoredIssue, type StoredRepo, type StoredUser } from './store.ts';

type Schemas = components['schemas'];
export type IssueComment = Schemas['issue-comment'];
export type PullRequest = Schemas['pull-request'];
export type Repository = Schemas['repository'];
export type SimpleUser = Schemas['simple-user'];

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
