import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@modelgate/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminState, DATA, MODEL_A, MODEL_B, NAME, openFsRegistry, register, vet } from './deploy-helpers.ts';
import { cli, ROOT, runBuiltAction, tempDir } from './helpers.ts';

/**
 * The CLI and the deploy action decide the same thing on the same inputs. Two identical
 * projects (the same registry, the same .modelgate.yml, each with its own model server on
 * loopback speaking HTTP and gRPC): `modelgate deploy` runs in one, the built action in the
 * other, with the same options as flags and as inputs, one after another. Each decision (exit
 * code, headline or error, the steps taken) and the end state (what serves, what the alias
 * names) must be the same on both sides; only the servers' addresses and the option's spelling
 * (`--grpc-url` or `input 'grpc-url'`) differ.
 */
const TOKEN = 'parity-admin-token';
const ACTION = join(ROOT, 'actions', 'deploy');
const work = tempDir('modelgate-deploy-parity-');

interface Project {
  readonly dir: string;
  server: RunningServer;
}
const projects: { cli: Project; action: Project } = {
  cli: { dir: join(work, 'cli') } as Project,
  action: { dir: join(work, 'action') } as Project,
};
const versions = { good: 0, failed: 0, improved: 0 };

beforeAll(async () => {
  const { dir } = projects.cli;
  mkdirSync(dir, { recursive: true });
  const spec = `fs:${join(dir, 'registry')}`;
  const lenient = '  accuracy: { min: 0.5 }\n';
  versions.good = await register(spec, await vet(work, 'good', MODEL_A, lenient));
  versions.failed = await register(
    spec,
    await vet(work, 'failed', MODEL_A, '  accuracy: { min: 0.999 }\n', false),
    false,
  );
  versions.improved = await register(spec, await vet(work, 'improved', MODEL_B, lenient));
  copyFileSync(DATA, join(dir, 'smoke.csv'));
  // The registry and the smoke rows from the file, and the smoke check over gRPC.
  writeFileSync(
    join(dir, '.modelgate.yml'),
    `model: ${NAME}\nregistry: { backend: fs, path: registry }\ndeploy: { target: server, smoke_data: smoke.csv, wire: grpc }\n`,
  );
  cpSync(dir, projects.action.dir, { recursive: true });
  for (const project of Object.values(projects)) {
    project.server = await startServer({
      registry: openFsRegistry(join(project.dir, 'registry')),
      port: 0,
      grpcPort: 0,
      adminToken: TOKEN,
    });
  }
  writeFileSync(join(work, 'event.json'), JSON.stringify({ ref: 'refs/heads/main' }));
  expect(existsSync(join(ACTION, 'dist', 'index.js'))).toBe(true);
});

afterAll(async () => {
  for (const project of Object.values(projects)) await project.server?.close();
});

/** One decision, with what differs between the two projects taken out. */
interface Decision {
  /** 0 deployed, 1 refused or rolled back, 2 bad input (an action fails with 1 for both). */
  readonly failed: boolean;
  /** The headline, or the error. */
  readonly says: string;
  /** The steps as presented (`install: …`, `smoke: …`, `alias …`). */
  readonly steps: readonly string[];
}

function normalize(text: string, project: Project): string {
  return text
    .replaceAll(project.server.url, 'HTTP')
    .replaceAll(project.server.grpcUrl ?? 'grpc:', 'GRPC')
    .replace(/input '([a-z-]+)'/g, '--$1');
}

async function deployWithCli(options: Record<string, string>): Promise<Decision & { code: number }> {
  const project = projects.cli;
  // --allow-downgrade is a bare flag on the command line, `true` as an input.
  const flags = Object.entries(withAddresses(options, project)).flatMap(([name, value]) =>
    name === 'allow-downgrade' ? [`--${name}`] : [`--${name}`, value],
  );
  const run = await cli(['deploy', ...flags], project.dir, { MODELGATE_ADMIN_TOKEN: TOKEN });
  const stdout = run.stdout.trimEnd().split('\n');
  const failure = run.stderr.split('\n').find((line) => line.startsWith('modelgate: '));
  return {
    code: run.code,
    failed: run.code !== 0,
    says: normalize(failure?.replace(/^modelgate: (error: )?/, '') ?? (stdout.at(-1) as string), project),
    steps: stdout.filter((line) => line.startsWith('  ')).map((line) => normalize(line, project)),
  };
}

async function deployWithAction(options: Record<string, string>): Promise<Decision & { deployed: string }> {
  const project = projects.action;
  const run = await runBuiltAction(join(ACTION, 'dist', 'index.js'), {
    cwd: project.dir,
    actionYml: join(ACTION, 'action.yml'),
    inputs: withAddresses(options, project),
    env: {
      MODELGATE_ADMIN_TOKEN: TOKEN,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(work, 'event.json'),
      GITHUB_REPOSITORY: 'octo/models',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
    },
  });
  const log = run.log.split('\n');
  // The runner's annotation: the hint follows on an escaped newline.
  const error = log.find((line) => line.startsWith('::error::'))?.split('%0A')[0];
  const steps = log.filter((line) => line.startsWith('  '));
  const headline = log.filter((line) => /^(deployed|rendered) /.test(line)).at(-1);
  return {
    deployed: run.outputs.deployed ?? '',
    failed: run.code !== 0,
    says: normalize(error?.slice('::error::'.length) ?? headline ?? '', project),
    steps: steps.map((line) => normalize(line, project)),
  };
}

/** The server addresses are each project's own; `url` and `grpc-url` stand for them. */
function withAddresses(options: Record<string, string>, project: Project): Record<string, string> {
  const given: Record<string, string> = { url: project.server.url, ...options };
  if (given['grpc-url'] === 'GRPC') given['grpc-url'] = project.server.grpcUrl ?? '';
  return given;
}

async function endState(project: Project) {
  const alias = await openFsRegistry(join(project.dir, 'registry'))
    .resolve(NAME, 'production')
    .then((v) => v.version)
    .catch(() => null);
  const state = await adminState(project.server.url, TOKEN);
  return { alias, primary: state.primary?.version ?? null, canary: state.canary };
}

describe('modelgate deploy and the deploy action decide the same', () => {
  const cases: Array<[string, () => Record<string, string>, 'deployed' | 'refused' | 'bad input']> = [
    [
      'a version whose verdict failed is refused',
      () => ({ ref: String(versions.failed), 'grpc-url': 'GRPC' }),
      'refused',
    ],
    [
      'gRPC (from the config file) with no address to send it to is bad input',
      () => ({ ref: String(versions.good) }),
      'bad input',
    ],
    [
      'a vetted version goes live, smoke-checked over gRPC',
      () => ({ ref: String(versions.good), 'grpc-url': 'GRPC' }),
      'deployed',
    ],
    [
      'a newer one goes live through a canary',
      () => ({
        ref: String(versions.improved),
        'grpc-url': 'GRPC',
        strategy: 'canary',
        'canary-percent': '50,100',
      }),
      'deployed',
    ],
    [
      'going back is refused as a downgrade',
      () => ({ ref: String(versions.good), 'grpc-url': 'GRPC' }),
      'refused',
    ],
    [
      'going back on purpose is deployed',
      () => ({ ref: String(versions.good), 'grpc-url': 'GRPC', 'allow-downgrade': 'true' }),
      'deployed',
    ],
  ];

  // One after another: each case starts from the state the one before left in both projects.
  it.each(cases)('%s', async (_, options, expected) => {
    const given = options();
    const fromCli = await deployWithCli(given);
    const fromAction = await deployWithAction(given);
    expect(fromCli.code).toBe({ deployed: 0, refused: 1, 'bad input': 2 }[expected]);
    expect(fromAction.deployed).toBe(
      expected === 'deployed' ? 'true' : expected === 'refused' ? 'false' : '',
    );
    expect({ ...fromAction, deployed: undefined }).toEqual({
      ...fromCli,
      code: undefined,
      deployed: undefined,
    });
    expect(fromCli.says).not.toBe('');
    if (expected === 'deployed')
      expect(fromCli.steps.join('\n')).toMatch(/smoke: 200 rows through GRPC ModelInfer/);
    expect(await endState(projects.action)).toEqual(await endState(projects.cli));
  });
});
