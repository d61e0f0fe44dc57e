import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context as runnerContext } from '@actions/github';
import { InputError } from '@modelgate/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { webhookExample as example } from '../../../test/emulator/index.ts';
import { readGitHubContext } from './context.ts';
import { lineageFromContext } from './registry/access.ts';
import { runnerFacts } from './train-ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelgate-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The example PR's head repository (null only for a deleted fork, which the examples do not have). */
function headRepo<R>(payload: { pull_request: { head: { repo: R | null } } }): R {
  const repo = payload.pull_request.head.repo;
  if (repo === null) throw new Error('this webhook example has no head repository');
  return repo;
}

let files = 0;
function env(eventName: string, payload: unknown, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = join(dir, `event-${++files}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/pull/2/merge',
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_ENVIRONMENT: 'github-hosted',
    ...extra,
  };
}

describe('readGitHubContext', () => {
  it('reads a pull_request "opened" run: the repository, the PR and its head commit', () => {
    const payload = example('pull_request', 'opened');
    expect(readGitHubContext(env('pull_request', payload))).toEqual({
      eventName: 'pull_request',
      owner: 'Codertocat',
      repo: 'Hello-World',
      sha: 'a'.repeat(40),
      ref: 'refs/pull/2/merge',
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/1234',
      runnerEnvironment: 'github-hosted',
      pullRequest: {
        number: 2,
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        headRepoFullName: 'Codertocat/Hello-World',
        isFork: false,
        baseRef: 'master',
      },
    });
  });

  it('reads a pull_request "synchronize" run the same way', () => {
    const context = readGitHubContext(env('pull_request', example('pull_request', 'synchronize')));
    expect(context.pullRequest).toMatchObject({ number: 2, isFork: false, baseRef: 'master' });
  });

  it('says isFork when the head branch lives in another owner’s repository', () => {
    const payload = example('pull_request', 'opened');
    headRepo(payload).full_name = 'forker/Hello-World';
    headRepo(payload).owner.login = 'forker';
    expect(readGitHubContext(env('pull_request', payload)).pullRequest).toMatchObject({
      headRepoFullName: 'forker/Hello-World',
      isFork: true,
    });
  });

  it('treats a PR whose fork was deleted (head.repo null) as a fork', () => {
    const payload = example('pull_request', 'opened');
    payload.pull_request.head.repo = null;
    expect(readGitHubContext(env('pull_request_target', payload)).pullRequest).toMatchObject({
      headRepoFullName: null,
      isFork: true,
    });
  });

  it('compares repository names without regard to case, as GitHub does', () => {
    const payload = example('pull_request', 'opened');
    headRepo(payload).full_name = 'codertocat/hello-world';
    expect(readGitHubContext(env('pull_request', payload)).pullRequest?.isFork).toBe(false);
  });

  it('has no pull request on a push, and links the re-run attempt and the GHES roots', () => {
    const context = readGitHubContext(
      env('push', example('push'), {
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
        RUNNER_ENVIRONMENT: 'self-hosted',
      }),
    );
    expect(context).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/main',
      apiUrl: 'https://ghe.example.com/api/v3',
      serverUrl: 'https://ghe.example.com',
      runUrl: 'https://ghe.example.com/Codertocat/Hello-World/actions/runs/1234/attempts/2',
      runnerEnvironment: 'self-hosted',
    });
    expect(context.pullRequest).toBeUndefined();
  });

  it('defaults the API and web roots to github.com and leaves runUrl unset without a run id', () => {
    const base = env('push', example('push'));
    const { GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID, RUNNER_ENVIRONMENT, ...rest } = base;
    const context = readGitHubContext(rest);
    expect(context).toMatchObject({ apiUrl: 'https://api.github.com', serverUrl: 'https://github.com' });
    expect(context.runUrl).toBeUndefined();
    expect(context.runnerEnvironment).toBeUndefined();
  });

  it('finds the PR of a workflow_run run when GitHub lists one', () => {
    const payload = example('workflow_run', 'completed');
    const helloWorld = {
      id: 186853002,
      url: 'https://api.github.com/repos/Codertocat/Hello-World',
      name: 'Hello-World',
    };
    payload.workflow_run.pull_requests = [
      {
        url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/5',
        id: 5000,
        number: 5,
        head: { ref: 'feature', sha: 'b'.repeat(40), repo: helloWorld },
        base: { ref: 'main', sha: 'c'.repeat(40), repo: helloWorld },
      },
    ];
    payload.workflow_run.head_repository.full_name = 'Codertocat/Hello-World';
    expect(readGitHubContext(env('workflow_run', payload)).pullRequest).toEqual({
      number: 5,
      headSha: payload.workflow_run.head_sha,
      headRepoFullName: 'Codertocat/Hello-World',
      isFork: false,
      baseRef: 'main',
    });
  });

  it('has no PR for a workflow_run whose pull_requests list is empty (as for fork PRs)', () => {
    expect(
      readGitHubContext(env('workflow_run', example('workflow_run', 'completed'))).pullRequest,
    ).toBeUndefined();
  });

  describe('real runs, read through @actions/github', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('reads a pull_request from a fork: the PR, its head commit and a fork the train step refuses', () => {
      const payload = example('pull_request', 'opened');
      headRepo(payload).full_name = 'forker/Hello-World';
      headRepo(payload).owner.login = 'forker';
      const context = readGitHubContext(env('pull_request', payload, { GITHUB_SHA: 'b'.repeat(40) }));
      expect(context).toMatchObject({
        eventName: 'pull_request',
        owner: 'Codertocat',
        repo: 'Hello-World',
        sha: 'b'.repeat(40),
        pullRequest: {
          number: payload.pull_request.number,
          headSha: payload.pull_request.head.sha,
          headRepoFullName: 'forker/Hello-World',
          isFork: true,
          baseRef: payload.pull_request.base.ref,
        },
      });
      expect(runnerFacts(context).pullRequest).toEqual({
        number: 2,
        headRepoFullName: 'forker/Hello-World',
        isFork: true,
      });
    });

    it('reads a push: no pull request, the pushed commit and ref as lineage', () => {
      const payload = example('push');
      const context = readGitHubContext(
        env('push', payload, { GITHUB_SHA: payload.after, GITHUB_REF: payload.ref }),
      );
      expect(context.pullRequest).toBeUndefined();
      expect(lineageFromContext(context)).toEqual({
        commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        ref: 'refs/tags/simple-tag',
        run_url: 'https://github.com/Codertocat/Hello-World/actions/runs/1234',
        pr: null,
      });
    });

    it('reads a workflow_dispatch retrain: its repository and ref, and no pull request', () => {
      const payload = example('workflow_dispatch');
      const context = readGitHubContext(
        env('workflow_dispatch', payload, {
          GITHUB_REPOSITORY: payload.repository.full_name,
          GITHUB_REF: payload.ref,
          GITHUB_RUN_ATTEMPT: '3',
        }),
      );
      expect(context).toMatchObject({
        eventName: 'workflow_dispatch',
        owner: 'octo-org',
        repo: 'octo-repo',
        ref: 'refs/heads/main',
        runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/1234/attempts/3',
      });
      expect(context.pullRequest).toBeUndefined();
    });

    it('agrees with the Context @actions/github builds from process.env for the same run', () => {
      const environment = env('pull_request', example('pull_request', 'synchronize'));
      for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
      const Context = runnerContext.constructor as new () => typeof runnerContext;
      const actions = new Context();
      const ours = readGitHubContext(process.env);
      expect(ours).toMatchObject({
        eventName: actions.eventName,
        sha: actions.sha,
        ref: actions.ref,
        apiUrl: actions.apiUrl,
        serverUrl: actions.serverUrl,
        ...actions.repo,
      });
      expect(ours.pullRequest?.number).toBe(actions.issue.number);
    });

    it('leaves process.env as it was, also when the payload cannot be read', () => {
      const before = process.env;
      const names = Object.keys(process.env).sort();
      readGitHubContext(env('push', example('push')));
      const path = join(dir, 'broken.json');
      writeFileSync(path, '{');
      expect(() => readGitHubContext(env('push', {}, { GITHUB_EVENT_PATH: path }))).toThrow(InputError);
      expect(process.env).toBe(before);
      expect(Object.keys(process.env).sort()).toEqual(names);
      expect(process.env.GITHUB_EVENT_PATH).not.toBe(path);
    });

    it('takes the repository from the payload when GITHUB_REPOSITORY is unset, as Context does', () => {
      const { GITHUB_REPOSITORY, ...rest } = env('workflow_dispatch', example('workflow_dispatch'));
      expect(readGitHubContext(rest)).toMatchObject({ owner: 'octo-org', repo: 'octo-repo' });
    });
  });

  describe('errors name the variable', () => {
    const fails = (environment: NodeJS.ProcessEnv, message: string | RegExp) => {
      expect(() => readGitHubContext(environment)).toThrow(InputError);
      expect(() => readGitHubContext(environment)).toThrow(message);
    };

    it('GITHUB_EVENT_PATH unset', () => {
      const { GITHUB_EVENT_PATH, ...rest } = env('push', {});
      fails(rest, 'GITHUB_EVENT_PATH is not set; it is one of the variables the GitHub Actions runner sets');
    });

    it('GITHUB_EVENT_PATH naming a missing file', () => {
      fails(
        env('push', {}, { GITHUB_EVENT_PATH: join(dir, 'nope.json') }),
        `GITHUB_EVENT_PATH names ${join(dir, 'nope.json')}, which cannot be read`,
      );
    });

    it('GITHUB_EVENT_PATH naming a file that is not JSON', () => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, '{ "action": ');
      fails(
        env('push', {}, { GITHUB_EVENT_PATH: path }),
        new RegExp(`^GITHUB_EVENT_PATH names ${path}, which is not JSON`),
      );
    });

    it('a pull_request payload without its pull_request object', () => {
      fails(
        env('pull_request', { action: 'opened' }),
        /^the pull_request payload in GITHUB_EVENT_PATH \(.*\) has no pull_request object$/,
      );
    });

    it('GITHUB_REPOSITORY not in the owner/repo form', () => {
      fails(
        env('push', {}, { GITHUB_REPOSITORY: 'just-a-name' }),
        'GITHUB_REPOSITORY is "just-a-name"; expected the format {owner}/{repo}',
      );
    });

    it('GITHUB_REPOSITORY with more than owner and repo', () => {
      fails(
        env('push', {}, { GITHUB_REPOSITORY: 'octo/models/extra' }),
        'GITHUB_REPOSITORY is "octo/models/extra"; expected the format {owner}/{repo}',
      );
    });

    it('GITHUB_REPOSITORY unset and no repository in the payload', () => {
      const { GITHUB_REPOSITORY, ...rest } = env('push', {});
      fails(rest, /^GITHUB_REPOSITORY is not set; .*, and the payload names no repository$/);
    });

    it('a payload that is not a JSON object', () => {
      fails(env('push', [1, 2]), /which holds no JSON object \(a webhook payload\)$/);
    });

    it('GITHUB_EVENT_NAME unset', () => {
      fails(env('', {}), 'GITHUB_EVENT_NAME is not set');
    });
  });
});
