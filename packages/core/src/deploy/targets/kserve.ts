import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../kernel/errors.ts';
import { shortDigest } from '../../kernel/format.ts';
import { writeFileAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import { findKubeconfig, findOnPath, type Kubectl, kubectlAt } from '../kserve/kubectl.ts';
import {
  type InferenceService,
  type KServeOptions,
  renderInferenceService,
  serviceNameFor,
  validateInferenceService,
} from '../kserve/manifest.ts';
import { oipEndpoint } from '../oip.ts';
import {
  DeployCheckError,
  type DeployTarget,
  type ModelToDeploy,
  type Serving,
  type TargetPlan,
} from '../types.ts';

/** How long KServe gets to bring a revision to Ready (image pulls and model downloads are slow). */
const READY_TIMEOUT = '600s';

export interface KServeTargetOptions extends KServeOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** An explicit kubeconfig; else KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** The InferenceService's external URL, for the smoke check after promotion. */
  readonly url?: string;
  readonly logger: Logger;
  /** Stands in for kubectl (tests); default: the kubectl on PATH, when there is one. */
  readonly kubectl?: Kubectl;
}

/**
 * KServe: renders an InferenceService for the version, checks it against the schema, and applies
 * it with kubectl when there is a cluster to apply to (a kubeconfig and kubectl). Without one it
 * writes the manifest and says that nothing was applied: it never claims a deploy it did not do.
 * Canary steps set `canaryTrafficPercent` (KServe keeps the last ready revision serving the
 * rest); a rollback applies the spec that was there before, or deletes a service this deploy
 * created.
 */
export function kserveTarget(options: KServeTargetOptions): DeployTarget {
  let kubectl: Kubectl | undefined;
  let before: Record<string, unknown> | null = null;
  let existed = false;

  const serviceName = (model: ModelToDeploy) => options.serviceName ?? serviceNameFor(model.version.name);
  const namespaceArgs = options.namespace === undefined ? [] : ['--namespace', options.namespace];
  const manifestPath = (model: ModelToDeploy) =>
    resolve(
      options.cwd,
      options.manifest ??
        join('.modelgate', 'kserve', `${serviceName(model)}-v${model.version.version}.yaml`),
    );

  const render = (model: ModelToDeploy, canaryPercent: number | undefined): InferenceService => {
    const manifest = renderInferenceService(
      model.version,
      { ...options, serviceName: serviceName(model) },
      canaryPercent,
    );
    const problems = validateInferenceService(manifest);
    if (problems.length > 0) {
      throw new InputError(
        `the InferenceService for ${model.version.name} v${model.version.version} is not valid: ${problems.join('; ')}`,
        {
          hint: 'check the kserve settings (service name, namespace, resources)',
        },
      );
    }
    return manifest;
  };

  const write = async (model: ModelToDeploy, manifest: InferenceService) => {
    const path = manifestPath(model);
    const header = `# Rendered by modelgate for ${model.version.name} v${model.version.version} (sha256 ${model.version.sha256})\n`;
    await writeFileAtomic(path, `${header}${stringify(manifest)}`);
    return path;
  };

  const run = async (args: string[], what: string) => {
    if (kubectl === undefined) throw new Error('kubectl used before prepare');
    const result = await kubectl(args);
    if (result.code !== 0) {
      throw new DeployCheckError(
        `kubectl ${what} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    return result.stdout;
  };

  const apply = async (model: ModelToDeploy, canaryPercent: number | undefined) => {
    const path = await write(model, render(model, existed ? canaryPercent : undefined));
    await run(['apply', '-f', path, ...namespaceArgs], `apply -f ${path}`);
    await run(
      [
        'wait',
        '--for=condition=Ready',
        `--timeout=${READY_TIMEOUT}`,
        `inferenceservice/${serviceName(model)}`,
        ...namespaceArgs,
      ],
      `wait for inferenceservice/${serviceName(model)} to be Ready`,
    );
  };

  return {
    kind: 'kserve',

    async prepare(model): Promise<TargetPlan> {
      const manifest = render(model, undefined);
      const kubeconfig = findKubeconfig(options.kubeconfig, options.env);
      const binary = options.kubectl === undefined ? findOnPath('kubectl', options.env) : 'kubectl';
      if (kubeconfig === undefined || binary === undefined) {
        const path = await write(model, manifest);
        const why =
          kubeconfig === undefined
            ? 'there is no kubeconfig (KUBECONFIG is unset and ~/.kube/config does not exist)'
            : 'kubectl is not on PATH';
        return {
          mode: 'render-only',
          artifact: path,
          reason: `NOTHING WAS APPLIED: ${why}. The InferenceService manifest is in ${path}; apply it with 'kubectl apply -f ${path}' or commit it for your GitOps tool`,
        };
      }
      kubectl = options.kubectl ?? kubectlAt(binary, kubeconfig, options.env);
      const name = serviceName(model);
      const found = await kubectl(['get', 'inferenceservice', name, '-o', 'json', ...namespaceArgs]);
      let serving: Serving = { primary: null, canary: null };
      if (found.code === 0) {
        existed = true;
        before = JSON.parse(found.stdout) as Record<string, unknown>;
        const annotations =
          (before.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
        const version = Number(annotations['modelgate/version']);
        serving = {
          primary: Number.isInteger(version)
            ? { version, sha256: annotations['modelgate/sha256'] ?? '' }
            : null,
          canary: null,
        };
      } else if (!/NotFound|not found/i.test(found.stderr)) {
        throw new InputError(`kubectl cannot read inferenceservice/${name}: ${found.stderr.trim()}`, {
          hint: 'check the kubeconfig, the namespace and that KServe is installed in the cluster',
        });
      }
      options.logger.info(`kserve: applying with kubectl (kubeconfig ${kubeconfig})`);
      return { mode: 'live', serving, url: options.url, canary: existed, staging: false };
    },

    install: (model, canaryPercent) => apply(model, canaryPercent),
    setCanary: (model, percent) => apply(model, percent),
    promote: (model) => apply(model, undefined),

    async rollback(model) {
      const name = serviceName(model);
      if (before === null) {
        await run(['delete', 'inferenceservice', name, ...namespaceArgs], `delete inferenceservice/${name}`);
        return `inferenceservice/${name}, which this deploy created, was deleted`;
      }
      const dir = await mkdtemp(join(tmpdir(), 'modelgate-kserve-'));
      try {
        const path = join(dir, 'previous.json');
        await writeFile(path, JSON.stringify(restorable(before)));
        await run(['apply', '-f', path, ...namespaceArgs], `apply the previous inferenceservice/${name}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const annotations =
        (before.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
      return `inferenceservice/${name} is back to its previous spec (v${annotations['modelgate/version'] ?? '?'}, sha256 ${shortDigest(annotations['modelgate/sha256'])})`;
    },

    async verify(model) {
      const name = serviceName(model);
      const stdout = await run(
        ['get', 'inferenceservice', name, '-o', 'json', ...namespaceArgs],
        `get inferenceservice/${name}`,
      );
      const live = JSON.parse(stdout) as {
        metadata?: { annotations?: Record<string, string> };
        status?: { conditions?: Array<{ type?: string; status?: string; message?: string }> };
      };
      const annotations = live.metadata?.annotations ?? {};
      if (annotations['modelgate/sha256'] !== model.version.sha256) {
        throw new DeployCheckError(
          `inferenceservice/${name} carries sha256 ${shortDigest(annotations['modelgate/sha256'])}, not ${shortDigest(model.version.sha256)}`,
        );
      }
      const ready = live.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') {
        throw new DeployCheckError(
          `inferenceservice/${name} is not Ready${ready?.message ? `: ${ready.message}` : ''}`,
        );
      }
    },

    endpoint(model, canary) {
      // A canary revision cannot be addressed alone without KServe's tag routing: the smoke check
      // runs once the version takes all the traffic.
      if (canary || options.url === undefined) return undefined;
      return oipEndpoint(options.url, serviceName(model));
    },
  };
}

/** An object as `kubectl get -o json` gave it, without the fields the API server owns. */
function restorable(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = object;
  const metadata = { ...((rest.metadata as Record<string, unknown> | undefined) ?? {}) };
  for (const field of [
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'generation',
    'managedFields',
    'selfLink',
  ]) {
    delete metadata[field];
  }
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  metadata.annotations = annotations;
  return { ...rest, metadata };
}
