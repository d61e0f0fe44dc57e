import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { z } from 'zod';
import { InputError } from '../../kernel/errors.ts';
import type { ModelVersion } from '../../registry/types.ts';

/** The KServe API the manifest is written for. */
export const KSERVE_API_VERSION = 'serving.kserve.io/v1beta1';
/** The extended resource the NVIDIA device plugin advertises: how a pod asks for GPUs. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** A quantity as Kubernetes takes it: `2`, `500m`, `4Gi`. */
export type Quantity = string | number;

export interface ResourceList {
  readonly [resource: string]: Quantity;
}

/** What the `kserve` target needs beyond the model: where KServe finds it and how to run it. */
export interface KServeOptions {
  /** The InferenceService's name; default: the model name made into a DNS label. */
  readonly serviceName?: string;
  readonly namespace?: string;
  /**
   * Where KServe's storage initializer downloads the model (`s3://…`, `gs://…`, `pvc://…`,
   * `https://…`). `{name}`, `{version}` and `{sha256}` are replaced, so one setting serves
   * every version.
   */
  readonly storageUri?: string;
  /** A ServingRuntime to use; KServe picks one that supports ONNX when unset. */
  readonly runtime?: string;
  /** `v2` (the Open Inference Protocol, which the built-in server speaks too) by default. */
  readonly protocolVersion: 'v1' | 'v2' | 'grpc-v1' | 'grpc-v2';
  /** GPUs per replica (`nvidia.com/gpu` limit); 0 for none. */
  readonly gpus: number;
  readonly resources?: { readonly limits?: ResourceList; readonly requests?: ResourceList };
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  /** Where the manifest is written. */
  readonly manifest?: string;
}

/** The InferenceService this module writes: the part of KServe's v1beta1 API that modelgate sets. */
export interface InferenceService {
  apiVersion: typeof KSERVE_API_VERSION;
  kind: 'InferenceService';
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    predictor: {
      canaryTrafficPercent?: number;
      minReplicas?: number;
      maxReplicas?: number;
      model: {
        modelFormat: { name: 'onnx' };
        runtime?: string;
        protocolVersion: KServeOptions['protocolVersion'];
        storageUri: string;
        resources?: { limits?: Record<string, Quantity>; requests?: Record<string, Quantity> };
      };
    };
  };
}

// KServe's own rule for InferenceService names (pkg/apis/serving/v1beta1): a DNS-1035 label.
const ISVC_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// Knative appends "-predictor-00001-deployment-…" to the name; names past this length break routes.
const MAX_ISVC_NAME = 45;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_DNS_LABEL = 63;

/** The default InferenceService name for a model: its registry name as a DNS label. */
export function serviceNameFor(model: string): string {
  let name = model
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `model-${name}`;
  return name.slice(0, MAX_ISVC_NAME).replace(/-+$/, '');
}

/** `{name}`, `{version}` and `{sha256}` in a storage URI, replaced for this version. */
export function expandStorageUri(template: string, version: ModelVersion): string {
  return template
    .replaceAll('{name}', version.name)
    .replaceAll('{version}', String(version.version))
    .replaceAll('{sha256}', version.sha256);
}

/**
 * Renders the InferenceService for a version: ONNX model format, the storage URI, resources with
 * the GPUs asked for, and `canaryTrafficPercent` when it goes out as a canary (KServe then keeps
 * the last ready revision serving the rest). Labels and annotations say which registered version
 * and digest it is, so `kubectl get isvc -o yaml` answers "what is serving?".
 */
export function renderInferenceService(
  version: ModelVersion,
  options: KServeOptions,
  canaryPercent: number | undefined,
): InferenceService {
  if (options.storageUri === undefined || options.storageUri.trim() === '') {
    throw new InputError('the kserve target needs storage-uri: where KServe downloads the model from', {
      hint: 'e.g. s3://models/{name}/{version}/ (the registered file must be there: KServe cannot read the modelgate registry)',
    });
  }
  const limits: Record<string, Quantity> = { ...(options.resources?.limits ?? {}) };
  const requests: Record<string, Quantity> = { ...(options.resources?.requests ?? {}) };
  if (options.gpus > 0) {
    // Extended resources are limits only: Kubernetes sets the request to the limit and
    // rejects a different one.
    limits[GPU_RESOURCE] = String(options.gpus);
    delete requests[GPU_RESOURCE];
  }
  const resources =
    Object.keys(limits).length === 0 && Object.keys(requests).length === 0
      ? undefined
      : {
          ...(Object.keys(limits).length === 0 ? {} : { limits }),
          ...(Object.keys(requests).length === 0 ? {} : { requests }),
        };
  return {
    apiVersion: KSERVE_API_VERSION,
    kind: 'InferenceService',
    metadata: {
      name: options.serviceName ?? serviceNameFor(version.name),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels: {
        'app.kubernetes.io/managed-by': 'modelgate',
        'modelgate/version': String(version.version),
      },
      annotations: {
        'modelgate/model': version.name,
        'modelgate/version': String(version.version),
        'modelgate/sha256': version.sha256,
      },
    },
    spec: {
      predictor: {
        ...(canaryPercent === undefined || canaryPercent >= 100
          ? {}
          : { canaryTrafficPercent: canaryPercent }),
        ...(options.minReplicas === undefined ? {} : { minReplicas: options.minReplicas }),
        ...(options.maxReplicas === undefined ? {} : { maxReplicas: options.maxReplicas }),
        model: {
          modelFormat: { name: 'onnx' },
          ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
          protocolVersion: options.protocolVersion,
          storageUri: expandStorageUri(options.storageUri, version),
          ...(resources === undefined ? {} : { resources }),
        },
      },
    },
  };
}

// The KServe v1beta1 fields modelgate writes, with the types and bounds of KServe's API
// (ComponentExtensionSpec, ModelSpec, ModelFormat). Strict: a misspelt field is an error here
// rather than a field the API server silently prunes. The Kubernetes types inside (ObjectMeta,
// ResourceRequirements) are checked against the Kubernetes OpenAPI schema by kubernetes-models.
const int64 = z.number().int();
const predictorShape = z
  .object({
    canaryTrafficPercent: int64.min(0).max(100).optional(),
    minReplicas: int64.min(0).optional(),
    maxReplicas: int64.min(0).optional(),
    model: z
      .object({
        modelFormat: z.object({ name: z.string().min(1), version: z.string().optional() }).strict(),
        runtime: z.string().min(1).optional(),
        protocolVersion: z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']).optional(),
        storageUri: z.string().min(1),
        resources: z.unknown().optional(),
      })
      .strict(),
  })
  .strict()
  .refine(
    (p) =>
      p.minReplicas === undefined ||
      p.maxReplicas === undefined ||
      p.maxReplicas === 0 ||
      p.minReplicas <= p.maxReplicas,
    { message: "'MinReplicas' cannot be greater than MaxReplicas", path: ['minReplicas'] },
  );
const inferenceServiceShape = z
  .object({
    apiVersion: z.literal(KSERVE_API_VERSION),
    kind: z.literal('InferenceService'),
    metadata: z.record(z.string(), z.unknown()),
    spec: z.object({ predictor: predictorShape }).strict(),
  })
  .strict();

/**
 * Checks a manifest against the schema: KServe's v1beta1 InferenceService fields, and the
 * Kubernetes ObjectMeta and ResourceRequirements schemas (via kubernetes-models). Returns the
 * problems, each naming the field; empty when it is valid.
 */
export function validateInferenceService(manifest: unknown): string[] {
  const problems: string[] = [];
  const parsed = inferenceServiceShape.safeParse(manifest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.join('.');
      const detail =
        issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
      problems.push(`${where === '' ? 'the manifest' : where}: ${detail}`);
    }
    return problems;
  }
  const { metadata, spec } = parsed.data;
  problems.push(...kubernetesProblems('metadata', () => new ObjectMeta(metadata).validate()));
  const name = metadata.name;
  if (typeof name !== 'string' || !ISVC_NAME.test(name) || name.length > MAX_ISVC_NAME) {
    problems.push(
      `metadata.name: '${String(name)}' is not a valid InferenceService name: lower case letters, digits and '-', starting with a letter, at most ${MAX_ISVC_NAME} characters`,
    );
  }
  const namespace = metadata.namespace;
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || !DNS_LABEL.test(namespace) || namespace.length > MAX_DNS_LABEL)
  ) {
    problems.push(`metadata.namespace: '${String(namespace)}' is not a valid namespace (a DNS label)`);
  }
  const resources = spec.predictor.model.resources;
  if (resources !== undefined) {
    problems.push(
      ...kubernetesProblems('spec.predictor.model.resources', () =>
        new ResourceRequirements(
          resources as ConstructorParameters<typeof ResourceRequirements>[0],
        ).validate(),
      ),
    );
  }
  return problems;
}

/** Runs a kubernetes-models validation, turning its error into lines that name the field. */
function kubernetesProblems(prefix: string, validate: () => void): string[] {
  try {
    validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string; keyword: string }> })
      .errors;
    if (!Array.isArray(errors)) throw error;
    // oneOf reports each branch and then itself; the branch messages say what was wrong.
    return errors
      .filter((e) => e.keyword !== 'oneOf')
      .map((e) => `${prefix}${e.instancePath.replaceAll('/', '.')}: ${e.message ?? e.keyword}`);
  }
}
