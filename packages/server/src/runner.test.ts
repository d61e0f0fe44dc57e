import { readFileSync } from 'node:fs';
import { loadModelBytes, sha256 } from '@modelgate/core';
import { describe, expect, it } from 'vitest';
import { VersionRunner } from './runner.ts';
import { parseInferRequest } from './tensors.ts';
import { FEATURES, featureRows, MODEL_V1 } from './testing.ts';

async function runner(): Promise<VersionRunner> {
  const bytes = readFileSync(MODEL_V1);
  const model = await loadModelBytes(bytes, 'cancer v1', { provider: 'cpu' });
  return new VersionRunner(
    { name: 'cancer', version: 1, sha256: sha256(bytes) },
    model,
    { maxBatch: 8, maxWaitMs: 1 },
    () => {},
  );
}

function request(rows: number[][]) {
  return { inputs: [{ name: 'input', shape: [rows.length, FEATURES], datatype: 'FP32', data: rows.flat() }] };
}

describe('a loaded version', () => {
  it('keeps its session while a request that started on it is running, and releases it after', async () => {
    const version = await runner();
    await version.warm();
    version.acquire();
    const retired = version.retire();
    expect(version.released).toBe(false);
    // The request that held its reference across the retirement still gets its answer.
    const outputs = await version.infer(parseInferRequest(request(featureRows(3)), version.model));
    expect(outputs[0]?.shape).toEqual([3, 1]);
    expect(version.released).toBe(false);
    version.release();
    await retired;
    expect(version.released).toBe(true);
    expect(() => version.acquire()).toThrow(/used after its release/);
  });

  it('is released at once when retired with nothing in flight', async () => {
    const version = await runner();
    await version.retire();
    expect(version.released).toBe(true);
  });
});
