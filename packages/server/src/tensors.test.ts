import type { ValueInfo } from '@modelgate/core';
import { describe, expect, it } from 'vitest';
import { encodeOutput, inferResponseJson, oipShape, parseInferRequest } from './tensors.ts';

const model = {
  inputs: [
    { name: 'features', type: 'float32', shape: ['N', 3] },
    { name: 'ids', type: 'int64', shape: ['N'] },
  ] as ValueInfo[],
  outputs: [
    { name: 'label', type: 'int64', shape: ['N'] },
    { name: 'probabilities', type: 'float32', shape: ['N', 2] },
    { name: 'output_probability', type: 'non-tensor', shape: [] },
  ] as ValueInfo[],
};

const features = { name: 'features', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] };
const ids = { name: 'ids', shape: [2], datatype: 'INT64', data: [7, 8] };

function refusal(body: unknown): string {
  try {
    parseInferRequest(body, model);
  } catch (error) {
    expect((error as { status: number }).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('the request was accepted');
}

describe('infer request tensors', () => {
  it('decodes FP32 and INT64 inputs into the typed arrays the session takes, in the model’s order', () => {
    const request = parseInferRequest({ id: 'a', inputs: [ids, features] }, model);
    expect(request.id).toBe('a');
    expect(request.inputs.map((i) => i.name)).toEqual(['features', 'ids']);
    expect(request.inputs[0]?.data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(request.inputs[1]?.data).toEqual(BigInt64Array.from([7n, 8n]));
  });

  it('returns every tensor output by default, never the ZipMap', () => {
    expect(parseInferRequest({ inputs: [features, ids] }, model).outputs).toEqual(['label', 'probabilities']);
    expect(
      parseInferRequest({ inputs: [features, ids], outputs: [{ name: 'probabilities' }] }, model).outputs,
    ).toEqual(['probabilities']);
    expect(refusal({ inputs: [features, ids], outputs: [{ name: 'output_probability' }] })).toMatch(
      /output 'output_probability' is a ZipMap .* ask for a tensor output: label, probabilities/,
    );
  });

  it('names the input and what was expected in every refusal', () => {
    expect(refusal({ inputs: [features] })).toMatch(
      /input 'ids' is missing: the model needs 'features', 'ids'/,
    );
    expect(refusal({ inputs: [features, features, ids] })).toMatch(/input 'features' is given twice/);
    expect(refusal({ inputs: [features, { ...ids, data: [7, 8.5] }] })).toMatch(
      /input 'ids' data\[1\] is 8.5; expected an integer \(INT64\)/,
    );
    expect(refusal({ inputs: [features, { ...ids, shape: [2, 1] }] })).toMatch(
      /input 'ids' has shape \[2, 1\]; the model expects \[-1\]/,
    );
    expect(refusal({ inputs: [{ ...features, shape: [2, -3] }, ids] })).toMatch(
      /input 'features' has shape \[2,-3\]; expected an array of non-negative integers like \[-1, 3\]/,
    );
    expect(refusal({ inputs: [{ ...features, data: 'nope' }, ids] })).toMatch(
      /input 'features' has no "data" array/,
    );
    expect(refusal({ inputs: [{ ...features, datatype: 'FP64' }, ids] })).toMatch(
      /input 'features' has datatype "FP64"; the model expects FP32/,
    );
    expect(refusal([features])).toMatch(/the request body must be a JSON object with an "inputs" array/);
    expect(refusal({ id: 3, inputs: [features, ids] })).toMatch(/"id" must be a string/);
  });

  it('writes int64 outputs as numbers and bool outputs as booleans', () => {
    const json = (tensor: ReturnType<typeof encodeOutput>) =>
      JSON.parse(inferResponseJson('m', '1', undefined, [tensor]));
    expect(json(encodeOutput('n', 'int64', [2], BigInt64Array.from([3n, -4n])))).toEqual({
      model_name: 'm',
      model_version: '1',
      outputs: [{ name: 'n', datatype: 'INT64', shape: [2], data: [3, -4] }],
    });
    expect(json(encodeOutput('b', 'bool', [2], Uint8Array.from([1, 0]))).outputs[0].data).toEqual([
      true,
      false,
    ]);
  });

  it('writes each float as JSON.stringify does, NaN and infinities as null, and names the request id', () => {
    const values = Float32Array.of(0.1, -0, 1e-7, 3.4e38, Number.NaN, Number.POSITIVE_INFINITY, -2.5);
    const text = inferResponseJson('m"q', '2', 'req "7"', [encodeOutput('p', 'float32', [7], values)]);
    expect(text).toBe(
      JSON.stringify({
        model_name: 'm"q',
        model_version: '2',
        id: 'req "7"',
        outputs: [{ name: 'p', datatype: 'FP32', shape: [7], data: Array.from(values) }],
      }),
    );
  });

  it("keeps the session's values as they are, with no copy", () => {
    const values = Float32Array.of(1, 2, 3, 4).subarray(2);
    expect(encodeOutput('p', 'float32', [1, 2], values).data).toBe(values);
  });

  it('writes symbolic dimensions as -1', () => {
    expect(oipShape(['N', 30, -1])).toEqual([-1, 30, -1]);
  });
});
