/**
 * The emulator's state: users, repositories, issues and pull requests (one numbering per
 * repository, as on GitHub), issue comments, each repository's git data (commits, refs, blobs)
 * and its releases with their assets. Plain records; `shapes.ts` turns them into GitHub's JSON.
 */
import { createHash, randomBytes } from 'node:crypto';

export type UserType = 'User' | 'Bot' | 'Organization';

export interface StoredUser {
  id: number;
  login: string;
  type: UserType;
}

export interface StoredRepo {
  id: number;
  owner: StoredUser;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** The repository this one was forked from, by full name. */
  forkOf: string | undefined;
  createdAt: Date;
}

export interface StoredPullRequest {
  head: { ref: string; sha: string; repo: StoredRepo | null };
  base: { ref: string; sha: string };
  draft: boolean;
  merged: boolean;
}

export interface StoredIssue {
  id: number;
  number: number;
  repo: StoredRepo;
  title: string;
  body: string | null;
  user: StoredUser;
  state: 'open' | 'closed';
  createdAt: Date;
  updatedAt: Date;
  /** Set when the issue is a pull request. */
  pullRequest: StoredPullRequest | undefined;
}

/** A `workflow_dispatch` the API accepted: GitHub starts no run here, the test reads what was asked. */
export interface StoredDispatch {
  repo: StoredRepo;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  at: Date;
}

export interface StoredComment {
  id: number;
  issue: StoredIssue;
  user: StoredUser;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A commit. Its tree is flat (path → blob sha): enough for the Contents API, which is all the
 * emulator serves of trees.
 */
export interface StoredCommit {
  sha: string;
  files: ReadonlyMap<string, string>;
  parents: string[];
  message: string;
  author: StoredUser;
  date: Date;
}

/** A repository's git data. Every repository starts with one commit (a README) on its default branch. */
export interface StoredGit {
  /** Full ref name (`refs/heads/main`, `refs/tags/v1`) → commit sha. */
  refs: Map<string, string>;
  commits: Map<string, StoredCommit>;
  blobs: Map<string, Buffer>;
}

export interface StoredAsset {
  id: number;
  release: StoredRelease;
  name: string;
  label: string | null;
  contentType: string;
  bytes: Buffer;
  uploader: StoredUser;
  createdAt: Date;
  updatedAt: Date;
  downloads: number;
  /** The secret in the storage URL a download redirects to (GitHub's are signed and expire). */
  storageKey: string;
}

export interface StoredRelease {
  id: number;
  repo: StoredRepo;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: StoredUser;
  createdAt: Date;
  /** Null while a draft. */
  publishedAt: Date | null;
  assets: StoredAsset[];
}

/** The states a deployment status can have (GitHub's enum). */
export type DeploymentState =
  | 'error'
  | 'failure'
  | 'inactive'
  | 'pending'
  | 'success'
  | 'queued'
  | 'in_progress';

export interface StoredDeploymentStatus {
  id: number;
  state: DeploymentState;
  creator: StoredUser;
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  createdAt: Date;
}

export interface StoredDeployment {
  id: number;
  repo: StoredRepo;
  /** The commit the ref resolved to when the deployment was created. */
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  description: string | null;
  creator: StoredUser;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Oldest first. */
  statuses: StoredDeploymentStatus[];
}

/** Git's object id of a blob: sha1 of `blob <size>\0<bytes>`, which is what the Contents API calls `sha`. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The real ids of the workflow token's bot, so payloads and comments look as on github.com. */
const GITHUB_ACTIONS_BOT: StoredUser = { id: 41898282, login: 'github-actions[bot]', type: 'Bot' };

export class Store {
  readonly users = new Map<string, StoredUser>();
  readonly repos = new Map<string, StoredRepo>();
  readonly issues: StoredIssue[] = [];
  readonly comments: StoredComment[] = [];
  readonly releases: StoredRelease[] = [];
  readonly deployments: StoredDeployment[] = [];
  readonly dispatches: StoredDispatch[] = [];
  private readonly gits = new Map<StoredRepo, StoredGit>();
  private nextId = 1000;
  private clock: number;

  constructor(now: Date = new Date('2026-01-05T09:00:00Z')) {
    this.clock = now.getTime();
    this.users.set(GITHUB_ACTIONS_BOT.login.toLowerCase(), GITHUB_ACTIONS_BOT);
  }

  /** A fresh id; one sequence for everything, so ids grow with creation time as GitHub's do. */
  id(): number {
    return ++this.nextId;
  }

  /** The emulator's time: one second later on every call, so creation order is visible in timestamps. */
  tick(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  user(login: string, type?: UserType): StoredUser {
    const key = login.toLowerCase();
    const existing = this.users.get(key);
    if (existing !== undefined) return existing;
    const user: StoredUser = {
      id: this.id(),
      login,
      type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
    };
    this.users.set(key, user);
    return user;
  }

  addRepo(
    fullName: string,
    options: { private?: boolean; defaultBranch?: string; forkOf?: string } = {},
  ): StoredRepo {
    const [owner, name] = splitFullName(fullName);
    const existing = this.repos.get(fullName.toLowerCase());
    if (existing !== undefined) return existing;
    const repo: StoredRepo = {
      id: this.id(),
      owner: this.user(owner),
      name,
      private: options.private ?? false,
      defaultBranch: options.defaultBranch ?? 'main',
      forkOf: options.forkOf,
      createdAt: this.tick(),
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /** GitHub matches owner and repository names without regard to case. */
  repo(owner: string, name: string): StoredRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): StoredRepo | undefined {
    return [...this.repos.values()].find((repo) => repo.id === id);
  }

  issue(repo: StoredRepo, number: number): StoredIssue | undefined {
    return this.issues.find((issue) => issue.repo === repo && issue.number === number);
  }

  addIssue(
    repo: StoredRepo,
    fields: {
      number?: number;
      title: string;
      body?: string | null;
      author: string;
      pullRequest?: StoredPullRequest;
    },
  ): StoredIssue {
    const number = fields.number ?? 1 + Math.max(0, ...this.issuesOf(repo).map((issue) => issue.number));
    if (this.issue(repo, number) !== undefined) {
      throw new Error(`emulator: ${fullName(repo)} already has an issue or PR #${number}`);
    }
    const now = this.tick();
    const issue: StoredIssue = {
      id: this.id(),
      number,
      repo,
      title: fields.title,
      body: fields.body ?? null,
      user: this.user(fields.author),
      state: 'open',
      createdAt: now,
      updatedAt: now,
      pullRequest: fields.pullRequest,
    };
    this.issues.push(issue);
    return issue;
  }

  issuesOf(repo: StoredRepo): StoredIssue[] {
    return this.issues.filter((issue) => issue.repo === repo);
  }

  addComment(issue: StoredIssue, author: StoredUser, body: string, createdAt?: Date): StoredComment {
    const at = createdAt ?? this.tick();
    const comment: StoredComment = { id: this.id(), issue, user: author, body, createdAt: at, updatedAt: at };
    this.comments.push(comment);
    return comment;
  }

  /** An issue's comments in GitHub's order: oldest first. */
  commentsOf(issue: StoredIssue): StoredComment[] {
    return this.comments
      .filter((comment) => comment.issue === issue)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  }

  comment(repo: StoredRepo, id: number): StoredComment | undefined {
    return this.comments.find((comment) => comment.id === id && comment.issue.repo === repo);
  }

  /** The repository's git data, made on first use with an initial commit on the default branch. */
  git(repo: StoredRepo): StoredGit {
    let git = this.gits.get(repo);
    if (git === undefined) {
      git = { refs: new Map(), commits: new Map(), blobs: new Map() };
      this.gits.set(repo, git);
      const readme = Buffer.from(`# ${repo.name}\n`);
      const blob = gitBlobSha(readme);
      git.blobs.set(blob, readme);
      const initial = this.addCommit(git, new Map([['README.md', blob]]), [], 'Initial commit', repo.owner);
      git.refs.set(`refs/heads/${repo.defaultBranch}`, initial.sha);
    }
    return git;
  }

  /**
   * The commit a `ref` query names, as GitHub resolves it: a branch, a tag, a full ref
   * (`refs/heads/x`, `heads/x`), or a commit sha.
   */
  resolveCommit(repo: StoredRepo, ref: string): StoredCommit | undefined {
    const git = this.git(repo);
    const sha =
      git.refs.get(`refs/heads/${ref}`) ??
      git.refs.get(`refs/tags/${ref}`) ??
      git.refs.get(ref.startsWith('refs/') ? ref : `refs/${ref}`) ??
      (/^[0-9a-f]{40}$/.test(ref) ? ref : undefined);
    return sha === undefined ? undefined : git.commits.get(sha);
  }

  /**
   * Commits file changes (path → bytes, or null to delete) on top of `branch` and moves the
   * branch, as one push would. Seeds tests too. Undefined when the branch does not exist.
   */
  commitFiles(
    repo: StoredRepo,
    branch: string,
    changes: Record<string, Uint8Array | null>,
    message: string,
    author: StoredUser,
  ): StoredCommit | undefined {
    const git = this.git(repo);
    const ref = `refs/heads/${branch}`;
    const head = git.refs.get(ref);
    const parent = head === undefined ? undefined : git.commits.get(head);
    if (parent === undefined) return undefined;
    const files = new Map(parent.files);
    for (const [path, bytes] of Object.entries(changes)) {
      if (bytes === null) {
        files.delete(path);
        continue;
      }
      const blob = gitBlobSha(bytes);
      git.blobs.set(blob, Buffer.from(bytes));
      files.set(path, blob);
    }
    const commit = this.addCommit(git, files, [parent.sha], message, author);
    git.refs.set(ref, commit.sha);
    return commit;
  }

  private addCommit(
    git: StoredGit,
    files: ReadonlyMap<string, string>,
    parents: string[],
    message: string,
    author: StoredUser,
  ): StoredCommit {
    const date = this.tick();
    // Not git's encoding of a commit, but as unique: the parents and a random salt fix it.
    const sha = createHash('sha1')
      .update(`${parents.join(',')}\n${message}\n${randomBytes(8).toString('hex')}`)
      .digest('hex');
    const commit: StoredCommit = { sha, files, parents, message, author, date };
    git.commits.set(sha, commit);
    return commit;
  }

  addRelease(
    repo: StoredRepo,
    fields: Pick<
      StoredRelease,
      'tagName' | 'targetCommitish' | 'name' | 'body' | 'draft' | 'prerelease' | 'author'
    >,
  ): StoredRelease {
    const now = this.tick();
    const release: StoredRelease = {
      ...fields,
      id: this.id(),
      repo,
      createdAt: now,
      publishedAt: fields.draft ? null : now,
      assets: [],
    };
    this.releases.push(release);
    return release;
  }

  release(repo: StoredRepo, id: number): StoredRelease | undefined {
    return this.releases.find((release) => release.id === id && release.repo === repo);
  }

  /** The published release of a tag (drafts have no tag yet). */
  releaseByTag(repo: StoredRepo, tag: string): StoredRelease | undefined {
    return this.releases.find(
      (release) => release.repo === repo && !release.draft && release.tagName === tag,
    );
  }

  /** A repository's releases, newest first, as GitHub lists them. */
  releasesOf(repo: StoredRepo): StoredRelease[] {
    return this.releases
      .filter((release) => release.repo === repo)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
  }

  addAsset(
    release: StoredRelease,
    fields: Pick<StoredAsset, 'name' | 'label' | 'contentType' | 'bytes' | 'uploader'>,
  ): StoredAsset {
    const now = this.tick();
    const asset: StoredAsset = {
      ...fields,
      id: this.id(),
      release,
      createdAt: now,
      updatedAt: now,
      downloads: 0,
      storageKey: randomBytes(16).toString('hex'),
    };
    release.assets.push(asset);
    return asset;
  }

  /** An asset by id; any repository when `repo` is left out (the storage host knows only the id). */
  asset(id: number, repo?: StoredRepo): StoredAsset | undefined {
    for (const release of this.releases) {
      if (repo !== undefined && release.repo !== repo) continue;
      const found = release.assets.find((asset) => asset.id === id);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  addDeployment(
    repo: StoredRepo,
    fields: Omit<StoredDeployment, 'id' | 'repo' | 'createdAt' | 'updatedAt' | 'statuses'>,
  ): StoredDeployment {
    const now = this.tick();
    const deployment: StoredDeployment = {
      ...fields,
      id: this.id(),
      repo,
      createdAt: now,
      updatedAt: now,
      statuses: [],
    };
    this.deployments.push(deployment);
    return deployment;
  }

  deployment(repo: StoredRepo, id: number): StoredDeployment | undefined {
    return this.deployments.find((deployment) => deployment.id === id && deployment.repo === repo);
  }

  /** A repository's deployments, newest first, as GitHub lists them. */
  deploymentsOf(repo: StoredRepo): StoredDeployment[] {
    return this.deployments
      .filter((deployment) => deployment.repo === repo)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
  }

  addDeploymentStatus(
    deployment: StoredDeployment,
    fields: Omit<StoredDeploymentStatus, 'id' | 'createdAt'>,
  ): StoredDeploymentStatus {
    const now = this.tick();
    const status: StoredDeploymentStatus = { ...fields, id: this.id(), createdAt: now };
    deployment.statuses.push(status);
    deployment.updatedAt = now;
    return status;
  }
}

export function fullName(repo: StoredRepo): string {
  return `${repo.owner.login}/${repo.name}`;
}

export function splitFullName(name: string): [string, string] {
  const [owner, repo, ...rest] = name.split('/');
  if (owner === undefined || repo === undefined || owner === '' || repo === '' || rest.length > 0) {
    throw new Error(`emulator: "${name}" is not an owner/repo name`);
  }
  return [owner, repo];
}
