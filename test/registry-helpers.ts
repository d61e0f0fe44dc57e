import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, FIXTURES, ROOT } from './helpers.ts';

/** The two real ONNX models the registry tests store: a logistic regression and an MLP. */
export const MODEL_A = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
export const MODEL_B = join(ROOT, 'examples', 'breast-cancer', 'model.onnx');
export const DATA = join(FIXTURES, 'binary-sigmoid', 'data.csv');
export const EVALUATE_FLAGS = [
  '--data',
  DATA,
  '--label',
  'target',
  '--slice-by',
  'size',
  '--bootstrap',
  '100',
];

/** Evaluation records and verdicts made by the CLI itself, as a workflow makes them. */
export interface RegistryRecords {
  evalA: string;
  evalB: string;
  /** A passing verdict for MODEL_A (first model, bounds only). */
  passA: string;
  /** A failing verdict for MODEL_A (a bound it cannot meet). */
  failA: string;
  /** A passing verdict for MODEL_B, gated paired against MODEL_A. */
  passB: string;
  /** A gate spec that passes both models; names the model `cancer`. */
  gates: string;
}

async function run(args: string[], allowed = [0]): Promise<void> {
  const result = await cli(args);
  expect(allowed, `${args.join(' ')}\n${result.stderr}`).toContain(result.code);
}

export async function makeRecords(dir: string): Promise<RegistryRecords> {
  const path = (name: string) => join(dir, name);
  const gates = path('gates.yml');
  writeFileSync(gates, 'model: cancer\ngates:\n  accuracy: { min: 0.9, max_drop: 0.05 }\n');
  writeFileSync(path('strict.yml'), 'model: cancer\ngates:\n  accuracy: { min: 0.999 }\n');
  await run(['evaluate', '--model', MODEL_A, ...EVALUATE_FLAGS, '--out', path('eval-a.json')]);
  await run(['evaluate', '--model', MODEL_B, ...EVALUATE_FLAGS, '--out', path('eval-b.json')]);
  await run([
    'compare',
    '--candidate',
    path('eval-a.json'),
    '--baseline',
    'none',
    '--gates',
    gates,
    '--out',
    path('pass-a.json'),
  ]);
  await run(
    [
      'compare',
      '--candidate',
      path('eval-a.json'),
      '--baseline',
      'none',
      '--gates',
      path('strict.yml'),
      '--out',
      path('fail-a.json'),
    ],
    [1],
  );
  await run([
    'compare',
    '--model',
    MODEL_B,
    '--baseline-model',
    MODEL_A,
    ...EVALUATE_FLAGS,
    '--gates',
    gates,
    '--out',
    path('pass-b.json'),
  ]);
  return {
    evalA: path('eval-a.json'),
    evalB: path('eval-b.json'),
    passA: path('pass-a.json'),
    failA: path('fail-a.json'),
    passB: path('pass-b.json'),
    gates,
  };
}
