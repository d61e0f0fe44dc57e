import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, parse as parsePath } from 'node:path';
import { createFsRegistry } from '@modelgate/core';
import { type RunningServer, startServer } from '@modelgate/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedRegistryUrl,
  packPinnedTarballs,
  startTestRegistry,
  type TestRegistry,
} from '../packages/github/src/runtime/testing.ts';
import { webhookExample } from './emulator/index.ts';
import { ROOT, runBuiltAction, tempDir } from './helpers.ts';

/**
 * The five actions as `uses: OWNER/REPO/actions/<step>@v1` delivers them: the committed files of
 * HEAD (`git archive`, so a bundle that is built but not committed does not count), in a folder
 * with no node_modules anywhere above it, each run through its action.yml `runs.main` with the
 * action.yml defaults and real inputs. They run the example project's pipeline end to end:
 * train → evaluate → compare-to-baseline (scoring two models) → register → deploy to a real model
 * server. The ONNX runtime comes the way a runner gets it: one download from a loopback npm
 * registry serving the real pinned tarballs into the runner's tool cache, then, on a fresh copy
 * with npm off PATH and the registry gone, from that tool cache.
 */
const work = tempDir('modelgate-tag-');
const toolCache = join(work, 'tool-cache');
const registryRoot = join(work, 'model-registry');
const ADMIN_TOKEN = 'tag-test-admin-token';
const NAME = 'breast-cancer';
let checkout: string;
let project: string;
let npmRegistry: TestRegistry;
let server: RunningServer;
let env: NodeJS.ProcessEnv;

/** Extracts HEAD's committed files, as GitHub checks out an action's tag, into `dir`. */
function archiveHead(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tar = join(work, `${parsePath(dir).name}.tar`);
  execFileSync('git', ['archive', '--format=tar', '-o', tar, 'HEAD'], { cwd: ROOT });
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  return dir;
}

/** Every folder from `dir` up to the root: none may hold a node_modules the bundles could fall back on. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) found.push(join(at, 'node_modules'));
    if (dirname(at) === at) return found;
  }
}

/** Runs actions/<step> of a checkout the way the runner does: node on action.yml's runs.main. */
function runStep(
  copy: string,
  step: string,
  inputs: Record<string, string>,
  extraEnv: NodeJS.ProcessEnv = {},
) {
  const actionYml = join(copy, 'actions', step, 'action.yml');
  const main = /^\s+main:\s*["']?([^"'\n]+)["']?\s*$/m.exec(readFileSync(actionYml, 'utf8'))?.[1];
  if (main === undefined) throw new Error(`${actionYml} has no runs.main`);
  return runBuiltAction(join(copy, 'actions', step, main), {
    cwd: project,
    actionYml,
    inputs,
    env: { ...env, ...extraEnv },
  });
}

beforeAll(async () => {
  checkout = archiveHead(join(work, 'action-checkout'));
  project = join(checkout, 'examples', 'breast-cancer');
  npmRegistry = await startTestRegistry(packPinnedTarballs(work));
  server = await startServer({ registry: createFsRegistry(registryRoot), port: 0, adminToken: ADMIN_TOKEN });
  const payload = webhookExample('push');
  const eventPath = join(work, 'push.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  const home = join(work, 'home');
  mkdirSync(home);
  env = {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: payload.repository.full_name,
    GITHUB_SHA: payload.after,
    GITHUB_REF: payload.ref,
    GITHUB_WORKSPACE: project,
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: join(work, 'runner-temp'),
    RUNNER_TOOL_CACHE: toolCache,
    HOME: home,
    // The runner's npm configuration names the registry; no path is given, nothing is cached yet.
    npm_config_registry: npmRegistry.url,
    MODELGATE_ONNXRUNTIME_PATH: undefined,
    MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  mkdirSync(env.RUNNER_TEMP as string);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await npmRegistry?.close();
});

describe('the actions from the tag (git archive HEAD, no node_modules, no install step)', () => {
  it('the archive holds every action’s runs.main and its worker, and no node_modules above it', () => {
    expect(nodeModulesAbove(project)).toEqual([]);
    const steps = readdirSync(join(checkout, 'actions')).sort();
    expect(steps).toEqual([
      'compare-to-baseline',
      'deploy',
      'evaluate',
      'merge',
      'monitor',
      'register',
      'select',
      'train',
    ]);
    for (const step of steps) {
      expect(existsSync(join(checkout, 'actions', step, 'dist', 'index.js')), step).toBe(true);
      expect(existsSync(join(checkout, 'actions', step, 'dist', 'worker.js')), step).toBe(true);
    }
  });

  it('train runs a training command and returns the model it wrote, with its params recorded', async () => {
    // The example's train.mjs needs this repository's dev dependencies (onnx-proto), which a
    // checkout of the action does not have; a user's own training script stands in.
    const run = await runStep(checkout, 'train', {
      command: 'cp model.onnx "$MODELGATE_MODEL_PATH"',
      params: '@params/improved.yml',
      'model-path': 'candidate.onnx',
      gpus: 'none',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs.model).toMatch(/candidate\.onnx$/);
    expect(run.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(project, 'candidate.onnx'))).toBe(true);
  });

  it('evaluate downloads the pinned runtime once into the tool cache, with no npm, and evaluates', async () => {
    const run = await runStep(checkout, 'evaluate', {
      model: 'candidate.onnx',
      out: 'eval.json',
      bootstrap: '200',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(npmRegistry.requests.map((r) => r.path).sort()).toEqual([
      '/onnxruntime-common/-/onnxruntime-common-1.30.0.tgz',
      '/onnxruntime-node/-/onnxruntime-node-1.30.0.tgz',
    ]);
    const cached = join(toolCache, 'modelgate-onnxruntime', '1.30.0', `${process.platform}-${process.arch}`);
    expect(existsSync(join(cached, 'node_modules', 'onnxruntime-node', 'package.json'))).toBe(true);
    expect(readdirSync(join(cached, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'))).toEqual([
      process.platform,
    ]);
    const record = JSON.parse(readFileSync(join(project, 'eval.json'), 'utf8'));
    expect(record.schema).toBe('modelgate/evaluation@1');
    expect(record.data.rows).toBeGreaterThan(100);
    expect(record.metrics.accuracy.value).toBeGreaterThan(0.9);
    expect(JSON.parse(run.outputs.metrics as string).accuracy).toBe(record.metrics.accuracy.value);
  });

  it('compare-to-baseline scores the candidate and the baseline model on the same rows, from the tool cache', async () => {
    const before = npmRegistry.requests.length;
    const run = await runStep(checkout, 'compare-to-baseline', {
      name: NAME,
      model: 'candidate.onnx',
      'baseline-model': 'baseline.onnx',
      comment: 'false',
      'verdict-path': 'verdict.json',
      'report-path': 'report.md',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(npmRegistry.requests.length).toBe(before);
    expect(run.outputs.passed).toBe('true');
    const verdict = JSON.parse(readFileSync(join(project, 'verdict.json'), 'utf8'));
    expect(verdict.paired).toBe(true);
    expect(verdict.baseline.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(verdict.rules.some((rule: { status: string }) => rule.status === 'pass')).toBe(true);
    expect(readFileSync(join(project, 'report.md'), 'utf8')).toContain(
      `<!-- modelgate:report model=${NAME} -->`,
    );
  });

  it('register stores the vetted candidate and moves production to it', async () => {
    const run = await runStep(checkout, 'register', {
      name: NAME,
      model: 'candidate.onnx',
      evaluation: 'eval.json',
      verdict: 'verdict.json',
      alias: 'production',
      registry: `fs:${registryRoot}`,
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs.version).toBe('1');
  });

  it('deploy puts production on the model server, smoke-checked with the runtime from the tool cache', async () => {
    const run = await runStep(checkout, 'deploy', {
      name: NAME,
      ref: 'production',
      target: 'server',
      url: server.url,
      registry: `fs:${registryRoot}`,
      'smoke-data': 'data/eval.csv',
      'github-token': '',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs.deployed).toBe('true');
    const live = await fetch(`${server.url}/v2/models/${NAME}`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ name: NAME, versions: ['1'] });
  });

  it('a fresh copy on a runner without npm, and with the registry gone, evaluates from the tool cache', async () => {
    const fresh = archiveHead(join(work, 'second-checkout'));
    expect(existsSync(join(fresh, 'actions', 'evaluate', 'dist', 'node_modules'))).toBe(false);
    // PATH holds node and nothing else: no npm to fall back on.
    const bin = join(work, 'node-only-bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    expect(spawnSync('/bin/sh', ['-c', 'command -v npm'], { env: { PATH: bin } }).status).not.toBe(0);
    const run = await runStep(
      fresh,
      'evaluate',
      { model: 'candidate.onnx', out: 'eval-again.json', bootstrap: '200' },
      { PATH: bin, npm_config_registry: await closedRegistryUrl() },
    );
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    const first = JSON.parse(readFileSync(join(project, 'eval.json'), 'utf8'));
    const again = JSON.parse(readFileSync(join(project, 'eval-again.json'), 'utf8'));
    expect(again.metrics.accuracy).toEqual(first.metrics.accuracy);
    expect(again.metrics.roc_auc).toEqual(first.metrics.roc_auc);
  });

  it('merge joins two shards evaluated from the tag into the record the whole evaluate wrote', async () => {
    for (const shard of ['1/2', '2/2']) {
      const part = await runStep(checkout, 'evaluate', {
        model: 'candidate.onnx',
        out: `part-${shard[0]}.json`,
        bootstrap: '200',
        shard,
      });
      expect(part.log).not.toMatch(/::error::/);
      expect(part.code).toBe(0);
    }
    const run = await runStep(checkout, 'merge', {
      parts: 'part-1.json\npart-2.json',
      out: 'eval-merged.json',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    const whole = JSON.parse(readFileSync(join(project, 'eval.json'), 'utf8'));
    const merged = JSON.parse(readFileSync(join(project, 'eval-merged.json'), 'utf8'));
    expect(merged.metrics.accuracy).toEqual(whole.metrics.accuracy);
    expect(merged.metrics.roc_auc).toEqual(whole.metrics.roc_auc);
  });

  it('select picks the candidate that passes the bounds, from the tag', async () => {
    const run = await runStep(checkout, 'select', {
      evaluations: 'eval.json',
      metric: 'roc_auc',
      out: 'selection.json',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs.model).toMatch(/candidate\.onnx$/);
    expect(existsSync(join(project, 'selection.json'))).toBe(true);
  });

  it('monitor compares a dataset with itself from the tag and finds no drift', async () => {
    const run = await runStep(checkout, 'monitor', {
      reference: 'data/eval.csv',
      current: 'data/eval.csv',
      issue: 'false',
      out: 'drift.json',
      report: 'drift.md',
      'github-token': '',
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs.drifted).toBe('false');
    expect(JSON.parse(readFileSync(join(project, 'drift.json'), 'utf8')).schema).toBe('modelgate/drift@1');
  });

  it('with no path, nothing cached and no registry, evaluate fails with one line naming onnxruntime-path', async () => {
    const run = await runStep(
      checkout,
      'evaluate',
      { model: 'candidate.onnx', out: 'never.json' },
      { RUNNER_TOOL_CACHE: join(work, 'empty-tool-cache'), npm_config_registry: await closedRegistryUrl() },
    );
    expect(run.code).toBe(1);
    const errors = run.log.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/onnxruntime-path/);
    expect(run.log).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(project, 'never.json'))).toBe(false);
  });
});
