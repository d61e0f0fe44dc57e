import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIXTURES, ROOT, runBuiltAction, tempDir } from './helpers.ts';

/** The inputs and outputs CONTRACT.md promises for each action ("at least"). */
const PROMISED: Record<string, { inputs: string[]; outputs: string[] }> = {
  train: {
    inputs: [
      'command',
      'working-directory',
      'params',
      'gpus',
      'require-gpu',
      'model-path',
      'metrics-file',
      'cache-paths',
      'cache-key',
      'timeout-minutes',
      'allow-fork-prs',
    ],
    outputs: ['model', 'sha256', 'duration-seconds', 'gpu-count', 'gpu-summary'],
  },
  evaluate: {
    inputs: [
      'model',
      'predictions',
      'data',
      'label',
      'classes',
      'task',
      'features',
      'output',
      'slice-by',
      'bootstrap',
      'seed',
      'provider',
      'out',
    ],
    outputs: ['evaluation', 'metrics'],
  },
  'compare-to-baseline': {
    inputs: [
      'candidate',
      'model',
      'data',
      'baseline',
      'baseline-model',
      'gates',
      'name',
      'comment',
      'fail-on-regression',
      'github-token',
      'registry',
    ],
    outputs: ['passed', 'verdict', 'report', 'comment-url'],
  },
  register: {
    inputs: ['name', 'model', 'evaluation', 'verdict', 'alias', 'registry', 'require-passed'],
    outputs: ['version', 'sha256', 'url'],
  },
  deploy: {
    inputs: [
      'name',
      'ref',
      'target',
      'url',
      'environment',
      'strategy',
      'canary-percent',
      'smoke-data',
      'require-gate',
      'registry',
      'github-token',
    ],
    outputs: ['deployed', 'version', 'deployment-id', 'url'],
  },
};

interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description?: string; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

function readAction(step: string): ActionYml {
  return parse(readFileSync(join(ROOT, 'actions', step, 'action.yml'), 'utf8')) as ActionYml;
}

describe('action.yml files', () => {
  for (const [step, promised] of Object.entries(PROMISED)) {
    it(`${step} runs on node24 from its bundle and documents every promised input and output`, () => {
      const action = readAction(step);
      expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
      expect(existsSync(join(ROOT, 'actions', step, 'main.ts'))).toBe(true);
      // A data worker thread starts from the file beside the bundle (packages/core/src/data/parallel.ts).
      expect(existsSync(join(ROOT, 'actions', step, 'dist', 'worker.js')), step).toBe(true);
      for (const input of promised.inputs) expect(Object.keys(action.inputs), step).toContain(input);
      for (const output of promised.outputs) expect(Object.keys(action.outputs), step).toContain(output);
      for (const [name, input] of Object.entries(action.inputs)) {
        expect(input.description?.length ?? 0, `${step} input ${name}`).toBeGreaterThan(10);
        expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
      }
      for (const [name, output] of Object.entries(action.outputs)) {
        expect(output.description?.length ?? 0, `${step} output ${name}`).toBeGreaterThan(5);
      }
    });
  }
});

describe('the evaluate action', () => {
  it('installs onnxruntime-node into its own dist on first use, evaluates, and sets outputs and the job summary', async () => {
    const work = tempDir();
    // A fresh copy of the built action, as a runner checks it out: no node_modules anywhere near it.
    cpSync(join(ROOT, 'actions', 'evaluate', 'dist'), join(work, 'action', 'dist'), { recursive: true });
    expect(existsSync(join(work, 'action', 'dist', 'node_modules'))).toBe(false);
    const data = join(FIXTURES, 'binary-sigmoid');
    const run = await runBuiltAction(join(work, 'action', 'dist', 'index.js'), {
      cwd: work,
      actionYml: join(ROOT, 'actions', 'evaluate', 'action.yml'),
      inputs: {
        model: join(data, 'model.onnx'),
        data: join(data, 'data.csv'),
        label: 'target',
        'slice-by': 'size',
        bootstrap: '200',
        out: 'eval.json',
      },
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(existsSync(join(work, 'action', 'dist', 'node_modules', 'onnxruntime-node'))).toBe(true);
    expect(run.outputs.evaluation).toBe('eval.json');
    const record = JSON.parse(readFileSync(join(work, 'eval.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(data, 'expected.json'), 'utf8'));
    expect(record.metrics.accuracy.value).toBeCloseTo(expected.metrics.accuracy, 9);
    expect(record.metrics.accuracy.ci).toHaveLength(2);
    expect(JSON.parse(run.outputs.metrics as string).roc_auc).toBeCloseTo(expected.metrics.roc_auc, 9);
    expect(run.summary).toMatch(/\| *roc_auc *\|/);
    expect(run.summary).toContain('95% CI');
  });

  it('fails the step with one clear message on bad input', async () => {
    const work = tempDir();
    const run = await runBuiltAction(join(ROOT, 'actions', 'evaluate', 'dist', 'index.js'), {
      cwd: work,
      inputs: {
        model: join(work, 'missing.onnx'),
        data: join(FIXTURES, 'binary-sigmoid', 'data.csv'),
        label: 'target',
      },
    });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/::error::model file not found: .*missing\.onnx/);
    expect(run.outputs).toEqual({});
  });
});
