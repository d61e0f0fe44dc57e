import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../registry/types.ts';
import { renderInferenceService, serviceNameFor, validateInferenceService } from './manifest.ts';

const VERSION = { name: 'Churn_Model.v2', version: 7, sha256: 'c'.repeat(64) } as ModelVersion;
const OPTIONS = {
  storageUri: 'gs://bucket/{name}/{version}/{sha256}',
  protocolVersion: 'v2' as const,
  gpus: 0,
};

describe('the KServe InferenceService', () => {
  it('is rendered with the ONNX model format, the storage URI for this version, and no canary by default', () => {
    const manifest = renderInferenceService(VERSION, OPTIONS, undefined);
    expect(validateInferenceService(manifest)).toEqual([]);
    expect(manifest.metadata.name).toBe('churn-model-v2');
    expect(manifest.spec.predictor).toEqual({
      model: {
        modelFormat: { name: 'onnx' },
        protocolVersion: 'v2',
        storageUri: `gs://bucket/Churn_Model.v2/7/${'c'.repeat(64)}`,
      },
    });
  });

  it('carries canaryTrafficPercent for a canary step, and GPUs as an nvidia.com/gpu limit', () => {
    const manifest = renderInferenceService(
      VERSION,
      {
        ...OPTIONS,
        gpus: 2,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      },
      10,
    );
    expect(validateInferenceService(manifest)).toEqual([]);
    expect(manifest.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(manifest.spec.predictor.model.resources).toEqual({
      limits: { memory: '2Gi', 'nvidia.com/gpu': '2' },
      requests: { cpu: '500m', memory: '1Gi' },
    });
  });

  it('fails validation with the field named: a bad quantity, a bad name, an out-of-range percent, an unknown field', () => {
    const good = renderInferenceService(VERSION, OPTIONS, 10);
    const bad = structuredClone(good) as unknown as {
      metadata: { name: string };
      spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } };
    };
    bad.metadata.name = 'Churn_Model';
    bad.spec.predictor.model.resources = { limits: { memory: '4GB' } };
    expect(validateInferenceService(bad)).toEqual([
      "metadata.name: 'Churn_Model' is not a valid InferenceService name: lower case letters, digits and '-', starting with a letter, at most 45 characters",
      'spec.predictor.model.resources.limits.memory: must be number',
      'spec.predictor.model.resources.limits.memory: must match format "quantity"',
    ]);
    bad.spec.predictor.canaryTrafficPercent = 150;
    bad.spec.predictor.model.modelFormats = { name: 'onnx' };
    expect(validateInferenceService(bad)).toEqual([
      'spec.predictor.canaryTrafficPercent: Too big: expected number to be <=100',
      'spec.predictor.model: unknown field(s) modelFormats',
    ]);
  });

  it('turns any registry name into a DNS label that starts with a letter', () => {
    expect(serviceNameFor('churn')).toBe('churn');
    expect(serviceNameFor('7-day.churn')).toBe('model-7-day-churn');
    expect(serviceNameFor('x'.repeat(80))).toHaveLength(45);
  });
});
