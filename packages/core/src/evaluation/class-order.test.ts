import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linearClassifier } from '../inference/__fixtures__/onnx-writer.ts';
import type { Logger } from '../kernel/ports.ts';
import { evaluate } from './evaluate.ts';
import type { EvaluateSettings } from './settings.ts';

const MODELS = new URL('../../../../test/fixtures/models', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'modelgate-class-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function run(settings: Partial<EvaluateSettings> & { label: string }) {
  const warnings: string[] = [];
  const logger: Logger = { info() {}, warning: (message) => warnings.push(message) };
  const { record } = await evaluate(
    { sliceBy: [], bootstrap: 200, confidence: 0.95, seed: 1, provider: 'cpu', batchSize: 8192, ...settings },
    logger,
  );
  return { record, warnings };
}

/** The breast-cancer fixture with its 0/1 target written as text: 1 → 'benign', 0 → 'malignant'. */
function textTargets(): string {
  const lines = readFileSync(join(MODELS, 'binary-sigmoid', 'data.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const header = (lines[0] as string).split(',');
  const target = header.indexOf('target');
  return `${lines
    .map((line, i) => {
      if (i === 0) return line;
      const cells = line.split(',');
      cells[target] = cells[target] === '1' ? 'benign' : 'malignant';
      return cells.join(',');
    })
    .join('\n')}\n`;
}

describe('the class order of text labels', () => {
  it('warns, naming --classes, when sorted text labels score worse than chance', async () => {
    // The model's columns are virginica, setosa, versicolor; sorted, the labels are setosa, versicolor, virginica.
    const folder = join(MODELS, 'string-labels');
    const { record, warnings } = await run({
      model: join(folder, 'model.onnx'),
      data: join(folder, 'data.csv'),
      label: 'species',
    });
    expect(record.metrics.accuracy?.value).toBeCloseTo(1 / 60, 12);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^scores are worse than chance \(accuracy 0\.0167 where guessing with the same class frequencies gets 0\.333; ROC AUC 0\.303, its interval up to 0\.\d+, under chance's 0\.5\): the class order setosa, versicolor, virginica was sorted from the text labels and may not be the model's; pass --classes \(the evaluate action's 'classes' input\) in the order of the model's output columns$/,
    );
    expect(record.notes).toContain(warnings[0]);
  });

  it('says nothing once --classes gives the order', async () => {
    const folder = join(MODELS, 'string-labels');
    const { record, warnings } = await run({
      model: join(folder, 'model.onnx'),
      data: join(folder, 'data.csv'),
      label: 'species',
      classes: ['virginica', 'setosa', 'versicolor'],
    });
    expect(record.metrics.accuracy?.value).toBeCloseTo(58 / 60, 12);
    expect(warnings).toEqual([]);
  });

  it('warns on a binary model whose two text classes are read swapped (ROC AUC 0.005)', async () => {
    const { record, warnings } = await run({
      model: join(MODELS, 'binary-sigmoid', 'model.onnx'),
      data: write('text-target.csv', textTargets()),
      label: 'target',
      sliceBy: ['size'],
    });
    expect(record.data.classes).toEqual(['benign', 'malignant']);
    expect(record.metrics.roc_auc?.value).toBeLessThan(0.01);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^scores are worse than chance \(accuracy 0\.03 where .*; ROC AUC 0\.00\d+, its interval up to 0\.0\d+, under chance's 0\.5\): the class order benign, malignant was sorted/,
    );
  });

  it("does not warn on numeric labels, whose order is the model's by contract", async () => {
    const { warnings } = await run({
      model: join(MODELS, 'binary-sigmoid', 'model.onnx'),
      data: join(MODELS, 'binary-sigmoid', 'data.csv'),
      label: 'target',
      sliceBy: ['size'],
    });
    expect(warnings).toEqual([]);
  });
});

describe('class labels the model carries', () => {
  /** Three classes, one per feature: the model is right when it is read in its own order. */
  const model = () =>
    write(
      'named.onnx',
      linearClassifier({
        classes: ['zebra', 'ant', 'mole'],
        coefficients: [
          [4, 0, 0],
          [0, 4, 0],
          [0, 0, 4],
        ],
      }),
    );
  const data = (labels: readonly string[]) =>
    write(
      `named-${labels.length}.csv`,
      `a,b,c,animal\n${labels
        .map((label, i) => {
          const hot = ['zebra', 'ant', 'mole'].indexOf(label);
          return `${[0, 1, 2].map((k) => (k === hot ? 1 : 0.1 * (i % 3))).join(',')},${label}`;
        })
        .join('\n')}\n`,
    );
  const labels = Array.from({ length: 30 }, (_, i) => ['ant', 'mole', 'zebra'][i % 3] as string);

  it("reads the data in the model's class order when --classes is not given, and says so", async () => {
    const { record, warnings } = await run({ model: model(), data: data(labels), label: 'animal' });
    expect(record.data.classes).toEqual(['zebra', 'ant', 'mole']);
    expect(record.metrics.accuracy?.value).toBe(1);
    expect(record.notes).toContain(
      "classes taken from the model's classlabels_strings of its LinearClassifier node, in its order: zebra, ant, mole",
    );
    expect(warnings).toEqual([]);
  });

  it('lets --classes override the model', async () => {
    const { record } = await run({
      model: model(),
      data: data(labels),
      label: 'animal',
      classes: ['ant', 'mole', 'zebra'],
      bootstrap: 0,
    });
    expect(record.data.classes).toEqual(['ant', 'mole', 'zebra']);
    expect(record.metrics.accuracy?.value).toBe(0);
  });
});
