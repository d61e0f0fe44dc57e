/**
 * The emulator's state: users, repositories, issues and pull requests (one numbering per
 * repository, as on GitHub), and issue comments. Plain records; `shapes.ts` turns them into
 * GitHub's JSON.
 */

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

export interface StoredComment {
  id: number;
  issue: StoredIssue;
  user: StoredUser;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The real ids of the workflow token's bot, so payloads and comments look as on github.com. */
const GITHUB_ACTIONS_BOT: StoredUser = { id: 41898282, login: 'github-actions[bot]', type: 'Bot' };

export class Store {
  readonly users = new Map<string, StoredUser>();
  readonly repos = new Map<string, StoredRepo>();
  readonly issues: StoredIssue[] = [];
  readonly comments: StoredComment[] = [];
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
