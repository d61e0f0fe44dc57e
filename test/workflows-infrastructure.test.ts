import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelVersion, renderInferenceService, validateInferenceService } from '@modelgate/core';
import { Ajv } from 'ajv';
import { PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers.ts';

/**
 * The infrastructure examples for growing past one machine: the GPU runner scale set values
 * (actions-runner-controller) and the KServe InferenceService, each validated against its schema,
 * and each tied to what the rest of modelgate expects of it.
 */
const ARC = join(ROOT, 'infrastructure', 'arc');
const values = parse(readFileSync(join(ARC, 'gpu-runner-scale-set.values.yaml'), 'utf8')) as {
  runnerScaleSetName: string;
  scaleSetLabels: string[];
  minRunners: number;
  maxRunners: number;
  template: {
    spec: { containers: Array<{ name: string; resources?: { limits?: Record<string, unknown> } }> };
  };
};
const schema = JSON.parse(readFileSync(join(ARC, 'values.schema.json'), 'utf8')) as object;
const validateValues = new Ajv({ allErrors: true }).compile(schema);

/** Problems with a values document: the chart's schema, its template rules, and the Kubernetes pod template schema. */
function valuesProblems(document: unknown): string[] {
  const problems = validateValues(document)
    ? []
    : (validateValues.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  const v = document as typeof values;
  // The chart's own checks (templates/autoscalingrunnerset.yaml `fail`s).
  if (typeof v.minRunners === 'number' && typeof v.maxRunners === 'number' && v.minRunners > v.maxRunners) {
    problems.push('maxRunners has to be greater or equal to minRunners');
  }
  try {
    new PodTemplateSpec(v.template as ConstructorParameters<typeof PodTemplateSpec>[0]).validate();
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!Array.isArray(errors)) throw error;
    problems.push(...errors.map((e) => `template${e.instancePath.replaceAll('/', '.')} ${e.message ?? ''}`));
  }
  return problems;
}

/** The labels every GPU job of the workflows asks for. */
function gpuJobLabels(): string[][] {
  const reusable = parse(readFileSync(join(ROOT, 'workflows', 'modelgate.yml'), 'utf8'));
  const labels = [JSON.parse(reusable.on.workflow_call.inputs['runner-labels'].default) as string[]];
  for (const template of ['model-pr-report', 'model-gated-deploy', 'model-retrain']) {
    const workflow = parse(readFileSync(join(ROOT, 'action-templates', `${template}.yml`), 'utf8'));
    labels.push(workflow.jobs.train['runs-on'] as string[]);
  }
  return labels;
}

describe('the GPU runner scale set (actions-runner-controller values)', () => {
  it('is valid against the chart values schema and the Kubernetes PodTemplateSpec schema', () => {
    expect(valuesProblems(values)).toEqual([]);
  });

  it('catches what helm or Kubernetes would refuse', () => {
    const broken = structuredClone(values) as Record<string, unknown> & typeof values;
    broken.minRunners = 5;
    broken.runnerScaleSetName = 'Modelgate GPU';
    (broken.template.spec.containers[0] as Record<string, unknown>).resources = { limits: { cpu: 'eight' } };
    broken.scaleSetLabel = ['gpu'];
    const problems = valuesProblems(broken);
    expect(problems).toContain('maxRunners has to be greater or equal to minRunners');
    expect(problems).toContainEqual(expect.stringMatching(/^\/runnerScaleSetName must match pattern/));
    expect(problems).toContain('/ must NOT have additional properties');
    expect(problems).toContainEqual(
      expect.stringMatching(/^template\.spec\.containers\.0\.resources\.limits\.cpu/),
    );
  });

  it('asks Kubernetes for a GPU for every runner pod', () => {
    const runner = values.template.spec.containers.find((c) => c.name === 'runner');
    expect(Number(runner?.resources?.limits?.['nvidia.com/gpu'])).toBeGreaterThanOrEqual(1);
  });

  it('carries every label the workflows and templates ask their GPU jobs to run on', () => {
    const offered = new Set([values.runnerScaleSetName, ...values.scaleSetLabels]);
    for (const asked of gpuJobLabels()) {
      expect(
        asked.filter((label) => !offered.has(label)),
        `runs-on: ${JSON.stringify(asked)}`,
      ).toEqual([]);
    }
  });
});

describe('the KServe InferenceService example', () => {
  const manifest = parse(
    readFileSync(join(ROOT, 'infrastructure', 'kserve', 'inferenceservice.yaml'), 'utf8'),
  );

  it('is valid against the KServe v1beta1 fields and the Kubernetes schemas', () => {
    expect(validateInferenceService(manifest)).toEqual([]);
  });

  it('is exactly what the kserve deploy target renders for the example model on one GPU', () => {
    const model = readFileSync(join(ROOT, 'examples', 'breast-cancer', 'model.onnx'));
    const version = {
      name: 'breast-cancer',
      version: 2,
      sha256: createHash('sha256').update(model).digest('hex'),
    } as ModelVersion;
    const rendered = renderInferenceService(
      version,
      {
        namespace: 'ml',
        storageUri: 's3://models/{name}/{version}/',
        protocolVersion: 'v2',
        gpus: 1,
        minReplicas: 1,
        maxReplicas: 4,
        resources: { limits: { cpu: '4', memory: '8Gi' }, requests: { cpu: '2', memory: '4Gi' } },
      },
      undefined,
    );
    expect(manifest).toEqual(rendered);
  });

  it('catches a misspelt field and a malformed quantity', () => {
    const broken = structuredClone(manifest);
    broken.spec.predictor.model.storageURI = broken.spec.predictor.model.storageUri;
    broken.spec.predictor.model.resources.limits.memory = '8GB';
    expect(validateInferenceService(broken)).toEqual(['spec.predictor.model: unknown field(s) storageURI']);
    delete broken.spec.predictor.model.storageURI;
    expect(validateInferenceService(broken)).toContainEqual(
      expect.stringMatching(/^spec\.predictor\.model\.resources\.limits\.memory/),
    );
  });
});
