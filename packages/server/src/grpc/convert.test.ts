import { describe, expect, it } from 'vitest';
import { HttpError } from '../http.ts';
import { encodeInferResponse, type GrpcInferRequest } from './convert.ts';

/** How session outputs of every datatype become raw_output_contents or typed contents. */
const asked = (raw: boolean): GrpcInferRequest => ({ id: 'r1', inputs: [], outputs: [], raw });

describe('encodeInferResponse', () => {
  const outputs = [
    { name: 'p', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([0.25, 0.75]) },
    { name: 'label', datatype: 'INT64', shape: [2], data: BigInt64Array.from([3n, 2n ** 60n]) },
    { name: 'flag', datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
    { name: 'text', datatype: 'BYTES', shape: [2], data: ['ja', 'nö'] },
  ];

  it('writes raw outputs as little-endian bytes, BOOL as one byte and BYTES length-prefixed', () => {
    const answer = encodeInferResponse(asked(true), 'm', 4, outputs);
    expect(answer).toMatchObject({ model_name: 'm', model_version: '4', id: 'r1' });
    expect(answer.outputs.map((o) => o.contents)).toEqual([undefined, undefined, undefined, undefined]);
    const [p, label, flag, text] = answer.raw_output_contents as [Buffer, Buffer, Buffer, Buffer];
    expect([...new Float32Array(new Uint8Array(p).buffer)]).toEqual([0.25, 0.75]);
    expect([...new BigInt64Array(new Uint8Array(label).buffer)]).toEqual([3n, 2n ** 60n]);
    expect([...flag]).toEqual([1, 0]);
    expect(text).toEqual(Buffer.from([2, 0, 0, 0, 0x6a, 0x61, 3, 0, 0, 0, 0x6e, 0xc3, 0xb6]));
  });

  it('writes typed contents in the field of each datatype, INT64 exactly as decimal strings', () => {
    const answer = encodeInferResponse(asked(false), 'm', 4, outputs);
    expect(answer.raw_output_contents).toEqual([]);
    expect(answer.outputs.map((o) => o.contents)).toEqual([
      { fp32_contents: [0.25, 0.75] },
      { int64_contents: ['3', '1152921504606846976'] },
      { bool_contents: [true, false] },
      { bytes_contents: [Buffer.from('ja'), Buffer.from('nö')] },
    ]);
  });

  it('refuses an FP16 output as typed contents (no field holds it), saying to ask for raw', () => {
    const half = [{ name: 'h', datatype: 'FP16', shape: [1], data: Uint16Array.from([0x3c00]) }];
    expect(() => encodeInferResponse(asked(false), 'm', 1, half)).toThrow(
      new HttpError(
        400,
        "output 'h' is FP16, which only raw contents can carry; send the inputs as raw_input_contents to get raw outputs",
      ),
    );
    expect([...encodeInferResponse(asked(true), 'm', 1, half).raw_output_contents[0]!]).toEqual([0x00, 0x3c]);
  });
});
