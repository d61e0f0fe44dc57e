import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ONNXRUNTIME_PIN } from '../packages/github/src/runtime/pin.ts';
import { packPinnedTarballs, startTestRegistry } from '../packages/github/src/runtime/testing.ts';
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
  it('downloads onnxruntime-node once from a clean copy of the action into the tool cache, evaluates, and sets outputs and the job summary', async () => {
    const work = tempDir();
    // A fresh copy of the built action, as a runner checks it out: no node_modules anywhere near it.
    cpSync(join(ROOT, 'actions', 'evaluate', 'dist'), join(work, 'action', 'dist'), { recursive: true });
    // The runner's npm registry: the real tarballs, served on loopback.
    const packed = join(work, 'packed');
    mkdirSync(packed);
    const registry = await startTestRegistry(packPinnedTarballs(packed));
    const toolCache = join(work, 'tool-cache');
    const data = join(FIXTURES, 'binary-sigmoid');
    let run: Awaited<ReturnType<typeof runBuiltAction>>;
    try {
      run = await runBuiltAction(join(work, 'action', 'dist', 'index.js'), {
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
        env: {
          MODELGATE_ONNXRUNTIME_PATH: undefined,
          RUNNER_TOOL_CACHE: toolCache,
          RUNNER_TEMP: join(work, 'temp'),
          npm_config_registry: registry.url,
        },
      });
    } finally {
      await registry.close();
    }
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(registry.requests.map((r) => r.path)).toEqual([
      `/onnxruntime-node/-/onnxruntime-node-${ONNXRUNTIME_PIN.version}.tgz`,
      `/onnxruntime-common/-/onnxruntime-common-${ONNXRUNTIME_PIN.version}.tgz`,
    ]);
    const entry = join(
      toolCache,
      'modelgate-onnxruntime',
      ONNXRUNTIME_PIN.version,
      `${process.platform}-${process.arch}`,
    );
    expect(existsSync(join(entry, 'node_modules', 'onnxruntime-node', 'package.json'))).toBe(true);
    expect(existsSync(join(work, 'action', 'dist', 'node_modules'))).toBe(false);
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

describe('the compare-to-baseline action', () => {
  it('scores the candidate and the baseline model from a clean copy with the onnxruntime-node its onnxruntime-path input names', async () => {
    const work = tempDir();
    cpSync(join(ROOT, 'actions', 'compare-to-baseline', 'dist'), join(work, 'action', 'dist'), {
      recursive: true,
    });
    writeFileSync(join(work, 'gates.yml'), 'model: cancer\ngates:\n  accuracy: { min: 0.5 }\n');
    writeFileSync(join(work, 'push.json'), JSON.stringify({ ref: 'refs/heads/main' }));
    const data = join(FIXTURES, 'binary-sigmoid');
    const run = await runBuiltAction(join(work, 'action', 'dist', 'index.js'), {
      cwd: work,
      actionYml: join(ROOT, 'actions', 'compare-to-baseline', 'action.yml'),
      inputs: {
        model: join(ROOT, 'examples', 'breast-cancer', 'model.onnx'),
        'baseline-model': join(data, 'model.onnx'),
        data: join(data, 'data.csv'),
        label: 'target',
        'slice-by': 'size',
        gates: 'gates.yml',
        bootstrap: '100',
        comment: 'false',
        'onnxruntime-path': ROOT,
      },
      // Only the input may answer: no variable, an empty tool cache, a registry nobody serves.
      env: {
        MODELGATE_ONNXRUNTIME_PATH: undefined,
        RUNNER_TOOL_CACHE: join(work, 'tool-cache'),
        npm_config_registry: 'http://127.0.0.1:9/',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: join(work, 'push.json'),
        GITHUB_REPOSITORY: 'octo-org/octo-repo',
        GITHUB_SHA: 'c'.repeat(40),
        GITHUB_REF: 'refs/heads/main',
      },
    });
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.log).toContain(`(input 'onnxruntime-path')`);
    const verdict = JSON.parse(readFileSync(join(work, run.outputs.verdict as string), 'utf8'));
    expect(verdict.paired).toBe(true);
    expect(verdict.passed).toBe(true);
  });
});
