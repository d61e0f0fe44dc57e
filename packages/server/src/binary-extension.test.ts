import { describe, expect, it } from 'vitest';
import { binaryOutputs, joinResponse, refuseStrayBinary, splitRequest } from './binary-extension.ts';
import { HttpError } from './http.ts';
import { parseInferRequest } from './tensors.ts';

/**
 * The binary tensor data extension's framing, byte by byte: a JSON part of
 * Inference-Header-Content-Length bytes, then each binary tensor's little-endian bytes in order.
 */

/** A request body in the extension's layout, and the header length to send with it. */
function frame(header: unknown, ...tensors: ArrayBufferView[]): { body: Buffer; length: string } {
  const json = Buffer.from(JSON.stringify(header));
  const parts = tensors.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength));
  return { body: Buffer.concat([json, ...parts]), length: String(json.length) };
}

const MODEL = {
  inputs: [
    { name: 'input', type: 'float32', shape: ['N', 2] },
    { name: 'codes', type: 'int64', shape: ['N'] },
  ],
  outputs: [
    { name: 'scores', type: 'float32', shape: ['N', 2] },
    { name: 'label', type: 'int64', shape: ['N'] },
    { name: 'flags', type: 'bool', shape: ['N'] },
    { name: 'half', type: 'float16', shape: ['N'] },
  ],
} as const;

function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return { status: (error as HttpError).status, message: (error as HttpError).message };
  }
  throw new Error('expected a refusal');
}

describe('splitRequest', () => {
  it('decodes each binary input from its bytes, in order, and leaves JSON inputs alone', () => {
    const floats = Float32Array.of(0.5, -1.25, 3, 1e-7);
    const codes = BigInt64Array.of(1n, 2n ** 62n);
    const { body, length } = frame(
      {
        inputs: [
          { name: 'input', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
          { name: 'other', shape: [1], datatype: 'FP32', data: [7] },
          { name: 'codes', shape: [2], datatype: 'INT64', parameters: { binary_data_size: 16 } },
        ],
      },
      floats,
      codes,
    );
    const header = splitRequest(body, length) as { inputs: Array<{ data: unknown }> };
    expect(header.inputs[0]?.data).toEqual(floats);
    expect(header.inputs[1]?.data).toEqual([7]);
    expect(header.inputs[2]?.data).toEqual(codes);
  });

  it('copes with tensor bytes that start at an odd offset', () => {
    const floats = Float32Array.of(1, 2);
    const header = {
      id: 'x',
      inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } }],
    };
    const { body, length } = frame(header, floats);
    expect(Number(length) % 4).not.toBe(0);
    const split = splitRequest(body, length) as { inputs: Array<{ data: unknown }> };
    expect(split.inputs[0]?.data).toEqual(floats);
  });

  it('hands parseInferRequest typed arrays it checks like JSON data', () => {
    const { body, length } = frame(
      {
        inputs: [
          { name: 'input', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
          { name: 'codes', shape: [1], datatype: 'INT64', data: [9] },
        ],
      },
      Float32Array.of(1, 2),
    );
    const parsed = parseInferRequest(splitRequest(body, length), MODEL);
    expect(parsed.inputs.map((i) => [i.name, i.shape, i.data])).toEqual([
      ['input', [1, 2], Float32Array.of(1, 2)],
      ['codes', [1], BigInt64Array.of(9n)],
    ]);
    const wrongType = frame(
      { inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP64', parameters: { binary_data_size: 16 } }] },
      Float64Array.of(1, 2),
    );
    expect(
      refusal(() => parseInferRequest(splitRequest(wrongType.body, wrongType.length), MODEL)).message,
    ).toBe(`input 'input' has datatype "FP64"; the model expects FP32`);
  });

  it.each([
    ['-1', '"-1"'],
    ['abc', '"abc"'],
    ['', '""'],
    ['0', '"0"'],
    ['1e3', '"1e3"'],
    ['99999', '"99999"'],
  ])('refuses Inference-Header-Content-Length %j with a 400 that says what it must be', (value, shown) => {
    const { body } = frame({ inputs: [] });
    expect(refusal(() => splitRequest(body, value))).toEqual({
      status: 400,
      message: `Inference-Header-Content-Length is ${shown}; expected the length in bytes of the body's JSON part, a whole number from 1 to the body's ${body.length} bytes`,
    });
  });

  it('refuses a header length that cuts the JSON short', () => {
    const { body, length } = frame({ inputs: [] });
    expect(refusal(() => splitRequest(body, String(Number(length) - 1))).message).toMatch(
      /^the request's JSON part \(its first \d+ bytes, by Inference-Header-Content-Length\) is not valid JSON: /,
    );
  });

  it('refuses sizes that do not add up to the bytes after the JSON part, naming the input', () => {
    const input = (size: unknown) => ({
      inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: size } }],
    });
    const short = frame(input(8), Float32Array.of(1));
    expect(refusal(() => splitRequest(short.body, short.length)).message).toBe(
      `input 'input' has binary_data_size 8, but only 4 of the 4 bytes after the JSON part are left for it`,
    );
    const long = frame(input(8), Float32Array.of(1, 2, 3));
    expect(refusal(() => splitRequest(long.body, long.length)).message).toBe(
      "12 bytes follow the request's JSON part, but its inputs' binary_data_size add up to 8: Inference-Header-Content-Length must be the JSON part's length in bytes",
    );
    const negative = frame(input(-8), Float32Array.of(1, 2));
    expect(refusal(() => splitRequest(negative.body, negative.length)).message).toBe(
      `input 'input' has binary_data_size -8; expected a whole number of bytes`,
    );
    const text = frame(input('8'), Float32Array.of(1, 2));
    expect(refusal(() => splitRequest(text.body, text.length)).message).toBe(
      `input 'input' has binary_data_size "8"; expected a whole number of bytes`,
    );
  });

  it('refuses a size that does not match the shape and datatype', () => {
    const { body, length } = frame(
      { inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 12 } }] },
      Float32Array.of(1, 2, 3),
    );
    expect(refusal(() => splitRequest(body, length)).message).toBe(
      `input 'input' has binary_data_size 12, but shape [2, 2] of FP32 takes 16 bytes (4 × 4)`,
    );
  });

  it('refuses datatypes and shapes it cannot read binary data for, and data given twice', () => {
    const cases: Array<[unknown, string]> = [
      [
        { name: 'input', shape: [2], datatype: 'UINT32', parameters: { binary_data_size: 8 } },
        `input 'input' has datatype "UINT32"; binary data is taken as FP32, FP64, INT32, INT64`,
      ],
      [
        { name: 'input', shape: [2], datatype: 'constructor', parameters: { binary_data_size: 8 } },
        `input 'input' has datatype "constructor"; binary data is taken as FP32, FP64, INT32, INT64`,
      ],
      [
        { name: 'input', shape: [2, -1], datatype: 'FP32', parameters: { binary_data_size: 8 } },
        `input 'input' has shape [2,-1]; expected an array of non-negative integers`,
      ],
      [
        { name: 'input', shape: [2], datatype: 'FP32', data: [1, 2], parameters: { binary_data_size: 8 } },
        `input 'input' has both "data" and binary_data_size; send one of them`,
      ],
    ];
    for (const [input, message] of cases) {
      const { body, length } = frame({ inputs: [input] }, Float32Array.of(1, 2));
      expect(refusal(() => splitRequest(body, length))).toEqual({ status: 400, message });
    }
  });

  it('takes a body that is all JSON when the header length is the whole body', () => {
    const { body, length } = frame({ inputs: [{ name: 'input', shape: [1], datatype: 'FP32', data: [1] }] });
    expect(Number(length)).toBe(body.length);
    expect(splitRequest(body, length)).toEqual({
      inputs: [{ name: 'input', shape: [1], datatype: 'FP32', data: [1] }],
    });
  });
});

describe('refuseStrayBinary', () => {
  it('refuses binary_data_size in a plain JSON request, naming the input', () => {
    const body = {
      inputs: [{ name: 'input', shape: [1], datatype: 'FP32', parameters: { binary_data_size: 4 } }],
    };
    expect(refusal(() => refuseStrayBinary(body)).message).toBe(
      `input 'input' has binary_data_size, but the request has no Inference-Header-Content-Length header to say where its JSON part ends`,
    );
    expect(() => refuseStrayBinary({ inputs: [{ name: 'input', data: [1] }] })).not.toThrow();
  });
});

describe('binaryOutputs', () => {
  const all = ['scores', 'label'];

  it('is none unless asked for', () => {
    expect([...binaryOutputs({ inputs: [] }, all, MODEL)]).toEqual([]);
  });

  it('takes binary_data on an output over binary_data_output on the request', () => {
    const body = {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'scores', parameters: { binary_data: false } }, { name: 'label' }],
    };
    expect([...binaryOutputs(body, all, MODEL)]).toEqual(['label']);
    const one = { outputs: [{ name: 'label', parameters: { binary_data: true } }] };
    expect([...binaryOutputs(one, all, MODEL)]).toEqual(['label']);
  });

  it('refuses parameters that are not booleans, and outputs with no binary layout here', () => {
    expect(refusal(() => binaryOutputs({ parameters: { binary_data_output: 1 } }, all, MODEL)).message).toBe(
      '"parameters": {"binary_data_output": 1} must be true or false',
    );
    const text = { outputs: [{ name: 'scores', parameters: { binary_data: 'yes' } }] };
    expect(refusal(() => binaryOutputs(text, all, MODEL)).message).toBe(
      `output 'scores' has "binary_data": "yes"; it must be true or false`,
    );
    const half = { outputs: [{ name: 'half', parameters: { binary_data: true } }] };
    expect(refusal(() => binaryOutputs(half, ['half'], MODEL)).message).toBe(
      `output 'half' is FP16, which this server cannot return as binary data; ask for it as JSON ("binary_data": false)`,
    );
  });
});

describe('joinResponse', () => {
  it('puts the binary outputs after the JSON part, with their sizes, and keeps the rest as JSON', () => {
    const scores = Float32Array.of(0.25, 0.75);
    const { body, headerLength } = joinResponse(
      {
        model_name: 'm',
        model_version: '1',
        outputs: [
          { name: 'scores', datatype: 'FP32', shape: [1, 2], data: scores },
          { name: 'label', datatype: 'INT64', shape: [1], data: BigInt64Array.of(3n) },
          { name: 'flags', datatype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) },
        ],
      },
      new Set(['scores', 'flags']),
    );
    expect(JSON.parse(body.subarray(0, headerLength).toString())).toEqual({
      model_name: 'm',
      model_version: '1',
      outputs: [
        { name: 'scores', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: 'label', datatype: 'INT64', shape: [1], data: [3] },
        { name: 'flags', datatype: 'BOOL', shape: [2], parameters: { binary_data_size: 2 } },
      ],
    });
    const rest = body.subarray(headerLength);
    expect(rest.length).toBe(10);
    expect([rest.readFloatLE(0), rest.readFloatLE(4)]).toEqual([0.25, 0.75]);
    expect([...rest.subarray(8)]).toEqual([1, 0]);
  });

  it('writes INT64 given as plain numbers, BOOL given as booleans, and BYTES length-prefixed', () => {
    const { body, headerLength } = joinResponse(
      {
        model_name: 'm',
        outputs: [
          { name: 'label', datatype: 'INT64', shape: [2], data: [2, -1] },
          { name: 'flags', datatype: 'BOOL', shape: [1], data: [true] },
          { name: 'names', datatype: 'BYTES', shape: [1], data: ['hé'] },
        ],
      },
      new Set(['label', 'flags', 'names']),
    );
    const rest = body.subarray(headerLength);
    expect([rest.readBigInt64LE(0), rest.readBigInt64LE(8), rest[16]]).toEqual([2n, -1n, 1]);
    expect(rest.readUInt32LE(17)).toBe(3);
    expect(rest.subarray(21).toString('utf8')).toBe('hé');
  });
});
