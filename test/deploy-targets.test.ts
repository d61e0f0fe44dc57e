import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deploy,
  type Kubectl,
  kserveTarget,
  type ModelVersion,
  silentLogger,
  validateInferenceService,
} from '@modelgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DATA, MODEL_A, MODEL_B, NAME, openFsRegistry, register, vet } from './deploy-helpers.ts';
import { cli, tempDir } from './helpers.ts';

/**
 * The `command` and `kserve` targets: a user's script gets the checked model and its identity
 * in the environment; KServe gets a schema-valid InferenceService, applied only when there is a
 * cluster to apply it to.
 */
const dir = tempDir('modelgate-deploy-targets-');
const root = join(dir, 'registry');
const spec = `fs:${root}`;
let v1: number;
let v2: number;

beforeAll(async () => {
  const lenient = '  accuracy: { min: 0.5 }\n';
  v1 = await register(spec, await vet(dir, 'a', MODEL_A, lenient));
  v2 = await register(spec, await vet(dir, 'b', MODEL_B, lenient));
});

async function alias(name: string): Promise<number | undefined> {
  try {
    return (await openFsRegistry(root).resolve(NAME, name)).version;
  } catch {
    return undefined;
  }
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the command target', () => {
  const work = join(dir, 'command');
  const out = join(work, 'out');
  // Records what it was given, keeps a copy of the model, and fails for FAIL_VERSION.
  const script = [
    'set -e',
    'env | grep ^MODELGATE_ | sort > "$OUT/$MODELGATE_DEPLOY_ACTION-v$MODELGATE_MODEL_VERSION.env"',
    'cp "$MODELGATE_MODEL_PATH" "$OUT/$MODELGATE_DEPLOY_ACTION-v$MODELGATE_MODEL_VERSION.onnx"',
    'echo "deploying $MODELGATE_MODEL_NAME v$MODELGATE_MODEL_VERSION"',
    'if [ "$MODELGATE_MODEL_VERSION" = "$FAIL_VERSION" ]; then echo "no capacity left" >&2; exit 3; fi',
  ].join('\n');
  const run = (ref: number, env: Record<string, string> = {}) =>
    cli(
      [
        'deploy',
        '--name',
        NAME,
        '--ref',
        String(ref),
        '--target',
        'command',
        '--command',
        'sh deploy.sh',
        '--registry',
        spec,
      ],
      work,
      { PATH: process.env.PATH, OUT: out, ...env },
    );

  beforeAll(() => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(work, 'deploy.sh'), `${script}\n`);
  });

  it('runs the script with the checked model file and its name, version and sha256 in the environment', async () => {
    const result = await run(v1);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`\\| deploying ${NAME} v${v1}`));
    const record = (await openFsRegistry(root).resolve(NAME, String(v1))) as ModelVersion;
    const env = readFileSync(join(out, `deploy-v${v1}.env`), 'utf8');
    expect(env).toContain(`MODELGATE_MODEL_NAME=${NAME}\n`);
    expect(env).toContain(`MODELGATE_MODEL_VERSION=${v1}\n`);
    expect(env).toContain(`MODELGATE_MODEL_SHA256=${record.sha256}\n`);
    expect(env).toContain('MODELGATE_ENVIRONMENT=production\n');
    expect(env).toMatch(/^MODELGATE_MODEL_PATH=\/.*\.onnx$/m);
    // The file it was handed holds exactly the registered bytes, and is gone afterwards.
    expect(sha(readFileSync(join(out, `deploy-v${v1}.onnx`)))).toBe(record.sha256);
    expect(existsSync(/^MODELGATE_MODEL_PATH=(.*)$/m.exec(env)?.[1] ?? '')).toBe(false);
    expect(await alias('production')).toBe(v1);
  });

  it('a failing script is rolled back by running it again with the version that served before', async () => {
    const result = await run(v2, { FAIL_VERSION: String(v2) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^modelgate: rolled back: the deploy of ${NAME} v${v2} failed: the deploy command exited with code 3 \\(deploy v${v2}\\): no capacity left`,
        'm',
      ),
    );
    const rollback = readFileSync(join(out, `rollback-v${v1}.env`), 'utf8');
    expect(rollback).toContain('MODELGATE_DEPLOY_ACTION=rollback\n');
    expect(await alias('production')).toBe(v1);
  });

  it('refuses a canary: a script deploys in one step', async () => {
    const result = await cli(
      [
        'deploy',
        '--name',
        NAME,
        '--target',
        'command',
        '--command',
        'true',
        '--strategy',
        'canary',
        '--registry',
        spec,
      ],
      work,
      {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^modelgate: error: the command target deploys in one step: use strategy replace/,
    );
  });
});

describe('the kserve target', () => {
  it('without a cluster, writes a schema-valid InferenceService, says nothing was applied, and moves no alias', async () => {
    const work = join(dir, 'kserve');
    mkdirSync(work, { recursive: true });
    const home = join(work, 'home');
    mkdirSync(home);
    const result = await cli(
      [
        'deploy',
        '--name',
        NAME,
        '--ref',
        String(v2),
        '--target',
        'kserve',
        '--storage-uri',
        's3://models/{name}/{version}/',
        '--namespace',
        'ml',
        '--gpus',
        '1',
        '--environment',
        'staging',
        '--manifest',
        'isvc.yaml',
        '--smoke-data',
        DATA,
        '--registry',
        spec,
      ],
      work,
      { HOME: home, PATH: '/nonexistent' },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /rendered cancer v\d+, not deployed: NOTHING WAS APPLIED: there is no kubeconfig \(KUBECONFIG is unset and ~\/\.kube\/config does not exist\)/,
    );
    expect(result.stdout).not.toMatch(/\bdeployed cancer/);
    const manifest = parse(readFileSync(join(work, 'isvc.yaml'), 'utf8'));
    expect(validateInferenceService(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'cancer', namespace: 'ml', annotations: { 'modelgate/version': String(v2) } },
      spec: {
        predictor: {
          model: {
            modelFormat: { name: 'onnx' },
            protocolVersion: 'v2',
            storageUri: `s3://models/cancer/${v2}/`,
            resources: { limits: { 'nvidia.com/gpu': '1' } },
          },
        },
      },
    });
    expect(await alias('staging')).toBeUndefined();
  });

  it('with a cluster, applies with kubectl, waits for Ready, and re-applies the previous spec when a canary fails', async () => {
    // No cluster runs here, so a small stand-in plays the API server: it stores what is applied
    // and answers get/wait the way kubectl does. It fails `wait` for the version told to fail.
    const cluster = new Map<string, Record<string, unknown>>();
    const calls: string[] = [];
    const percents: Array<number | undefined> = [];
    let failVersion: string | undefined;
    const kubectl: Kubectl = async (args) => {
      calls.push(args.slice(0, 2).join(' '));
      const [verb] = args;
      if (verb === 'get') {
        const found = cluster.get(args[2] as string);
        return found === undefined
          ? {
              code: 1,
              stdout: '',
              stderr: `Error from server (NotFound): inferenceservices.serving.kserve.io "${args[2]}" not found`,
            }
          : {
              code: 0,
              stdout: JSON.stringify({
                ...found,
                status: { conditions: [{ type: 'Ready', status: 'True' }] },
              }),
              stderr: '',
            };
      }
      if (verb === 'apply') {
        const text = readFileSync(args[2] as string, 'utf8');
        const object = (args[2] as string).endsWith('.json') ? JSON.parse(text) : parse(text);
        cluster.set(object.metadata.name, object);
        percents.push(object.spec.predictor.canaryTrafficPercent);
        return { code: 0, stdout: 'configured', stderr: '' };
      }
      if (verb === 'wait') {
        const object = cluster.get('cancer') as { metadata: { annotations: Record<string, string> } };
        return object.metadata.annotations['modelgate/version'] === failVersion
          ? {
              code: 1,
              stdout: '',
              stderr: 'error: timed out waiting for the condition on inferenceservices/cancer',
            }
          : { code: 0, stdout: 'condition met', stderr: '' };
      }
      return { code: 0, stdout: '', stderr: '' };
    };
    const registry = openFsRegistry(root);
    const work = join(dir, 'kserve-cluster');
    mkdirSync(work, { recursive: true });
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    const target = () =>
      kserveTarget({
        storageUri: 's3://models/{name}/{version}/',
        protocolVersion: 'v2',
        gpus: 0,
        cwd: work,
        env: { KUBECONFIG: kubeconfig },
        logger: silentLogger,
        kubectl,
      });
    const request = {
      name: NAME,
      strategy: 'canary' as const,
      canarySteps: [25, 100],
      canaryWaitMs: 0,
      smokeData: undefined,
      requireGate: true,
      allowDowngrade: false,
      alias: 'kserve',
      environment: 'kserve',
    };

    const first = await deploy(
      { ...request, ref: String(v1) },
      { registry, target: target(), logger: silentLogger },
    );
    expect(first.kind).toBe('deployed');
    // A new service has nothing to split traffic with: one apply, no canaryTrafficPercent.
    expect(calls).toEqual([
      'get inferenceservice',
      'apply -f',
      'wait --for=condition=Ready',
      'get inferenceservice',
    ]);
    expect(
      (cluster.get('cancer') as { spec: { predictor: Record<string, unknown> } }).spec.predictor
        .canaryTrafficPercent,
    ).toBeUndefined();

    calls.length = 0;
    failVersion = String(v2);
    const second = await deploy(
      { ...request, ref: String(v2) },
      { registry, target: target(), logger: silentLogger },
    );
    expect(second.kind).toBe('rolled-back');
    if (second.kind !== 'rolled-back') return;
    expect(second.reason).toMatch(
      /kubectl wait for inferenceservice\/cancer to be Ready failed \(exit 1\): error: timed out/,
    );
    expect(second.rollback.ok && second.rollback.serving).toMatch(
      new RegExp(`^inferenceservice/cancer is back to its previous spec \\(v${v1}, sha256 [0-9a-f]{12}\\)$`),
    );
    expect(percents).toEqual([undefined, 25, undefined]);
    const restored = cluster.get('cancer') as {
      metadata: { annotations: Record<string, string> };
      spec: { predictor: Record<string, unknown> };
    };
    expect(restored.metadata.annotations['modelgate/version']).toBe(String(v1));
    expect(restored.spec.predictor.canaryTrafficPercent).toBeUndefined();
    expect(calls).toEqual(['get inferenceservice', 'apply -f', 'wait --for=condition=Ready', 'apply -f']);
    expect(await alias('kserve')).toBe(v1);
  });
});
