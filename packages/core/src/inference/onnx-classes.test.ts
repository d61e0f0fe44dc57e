import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linearClassifier } from './__fixtures__/onnx-writer.ts';
import { modelClasses } from './onnx-classes.ts';

const MODELS = new URL('../../../../test/fixtures/models/', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(MODELS, name, 'model.onnx'));

describe('the class labels a model carries', () => {
  it("reads classlabels_int64s from a TreeEnsembleClassifier, and agrees with a ZipMap's", () => {
    expect(modelClasses(fixture('multiclass-tree'))).toEqual({
      labels: ['0', '1', '2'],
      source: 'classlabels_int64s of its TreeEnsembleClassifier node',
    });
    // zipmap-only: the classifier and its ZipMap both name 0, 1, 2.
    expect(modelClasses(fixture('zipmap-only'))?.labels).toEqual(['0', '1', '2']);
  });

  it('reads classlabels_strings in the order of the probability columns, not sorted', () => {
    const bytes = linearClassifier({ classes: ['zebra', 'ant', 'mole'], coefficients: [[1], [2], [3]] });
    expect(modelClasses(bytes)).toEqual({
      labels: ['zebra', 'ant', 'mole'],
      source: 'classlabels_strings of its LinearClassifier node',
    });
  });

  it('reads negative int64 labels', () => {
    const bytes = linearClassifier({ classes: [-1, 1], coefficients: [[1], [2]] });
    expect(modelClasses(bytes)?.labels).toEqual(['-1', '1']);
  });

  it("reads metadata_props 'classes' as a JSON array or a comma-separated list", () => {
    const plain = { classes: ['x', 'y'], coefficients: [[1], [2]] };
    const node = modelClasses(linearClassifier({ ...plain, metadata: { classes: '["x", "y"]' } }));
    expect(node?.labels).toEqual(['x', 'y']);
    // Without a classifier node, the metadata alone names them.
    const withoutNode = Buffer.concat([
      fixture('multiclass-mlp'),
      // metadata_props (field 14): {key: 'class_labels', value: 'cat, dog, fish'}
      Buffer.from([
        0x72,
        30,
        0x0a,
        12,
        ...Buffer.from('class_labels'),
        0x12,
        14,
        ...Buffer.from('cat, dog, fish'),
      ]),
    ]);
    expect(modelClasses(withoutNode)).toEqual({
      labels: ['cat', 'dog', 'fish'],
      source: "metadata_props 'class_labels'",
    });
  });

  it('knows no labels when the model names none, names two orders, or is not protobuf', () => {
    expect(modelClasses(fixture('binary-sigmoid'))).toBeUndefined();
    expect(modelClasses(fixture('string-labels'))).toBeUndefined();
    const disagreeing = linearClassifier({
      classes: ['a', 'b'],
      coefficients: [[1], [2]],
      metadata: { classes: 'b,a' },
    });
    expect(modelClasses(disagreeing)).toBeUndefined();
    expect(modelClasses(Buffer.from('this is not a protobuf model at all'))).toBeUndefined();
    expect(modelClasses(fixture('multiclass-tree').subarray(0, 200))).toBeUndefined();
  });
});
