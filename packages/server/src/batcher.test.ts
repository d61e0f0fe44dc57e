import { describe, expect, it } from 'vitest';
import { Batcher, type RawTensor, type RunFeeds } from './batcher.ts';
import type { DecodedInput, InferRequest } from './tensors.ts';

/**
 * The batcher against stand-in sessions. The real model runs are in server.test.ts; these are
 * the cases no well-behaved model shows: outputs that cannot be split, and one bad request
 * in a batch.
 */
function request(values: number[], width = 2): InferRequest {
  const rows = values.length / width;
  return {
    id: undefined,
    inputs: [{ name: 'x', type: 'float32', shape: [rows, width], data: Float32Array.from(values) }],
    outputs: ['y'],
  };
}

/** A "model" that doubles its input, and records each run's row count. */
function doubling(runs: number[], refuse?: number): RunFeeds {
  return async (inputs: readonly DecodedInput[]) => {
    const x = inputs[0] as DecodedInput;
    runs.push(x.shape[0] as number);
    if (refuse !== undefined && Array.from(x.data as Float32Array).includes(refuse))
      throw new Error('bad value');
    const y: RawTensor = { type: 'float32', dims: x.shape, data: (x.data as Float32Array).map((v) => v * 2) };
    return { y };
  };
}

describe('the dynamic batcher', () => {
  it('runs up to max-batch rows together and gives each request its own rows', async () => {
    const runs: number[] = [];
    const observed: number[] = [];
    const batcher = new Batcher({ maxBatch: 4, maxWaitMs: 50 }, doubling(runs), true, (rows) =>
      observed.push(rows),
    );
    const answers = await Promise.all([
      batcher.infer(request([1, 2])),
      batcher.infer(request([3, 4, 5, 6])),
      batcher.infer(request([7, 8])),
      batcher.infer(request([9, 10])),
      batcher.infer(request([11, 12])),
    ]);
    expect(answers.map((a) => a[0]?.data)).toEqual([
      [2, 4],
      [6, 8, 10, 12],
      [14, 16],
      [18, 20],
      [22, 24],
    ]);
    expect(answers[1]?.[0]?.shape).toEqual([2, 2]);
    // 4 rows fill the first run at once; the last two requests wait for their timer.
    expect(runs).toEqual([4, 2]);
    expect(observed).toEqual([4, 2]);
  });

  it('keeps requests apart when their trailing dimensions differ', async () => {
    const runs: number[] = [];
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 0 }, doubling(runs), true, () => {});
    const answers = await Promise.all([
      batcher.infer(request([1, 2], 2)),
      batcher.infer(request([1, 2, 3], 3)),
    ]);
    expect(answers.map((a) => a[0]?.shape)).toEqual([
      [1, 2],
      [1, 3],
    ]);
    expect(runs).toEqual([1, 1]);
  });

  it('fails only the bad request of a batch', async () => {
    const runs: number[] = [];
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 0 }, doubling(runs, 99), true, () => {});
    const results = await Promise.allSettled([
      batcher.infer(request([1, 2])),
      batcher.infer(request([99, 2])),
      batcher.infer(request([3, 4])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs).toEqual([3, 1, 1, 1]);
  });

  it('runs requests one by one when the outputs do not have a row per input row', async () => {
    const runs: number[] = [];
    const summing: RunFeeds = async (inputs) => {
      const x = inputs[0] as DecodedInput;
      runs.push(x.shape[0] as number);
      const total = Array.from(x.data as Float32Array).reduce((a, b) => a + b, 0);
      return { y: { type: 'float32', dims: [1], data: Float32Array.of(total) } };
    };
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 0 }, summing, true, () => {});
    const answers = await Promise.all([batcher.infer(request([1, 2])), batcher.infer(request([3, 4]))]);
    expect(answers.map((a) => a[0]?.data)).toEqual([[3], [7]]);
    expect(runs).toEqual([2, 1, 1]);
  });

  it('does not stack rows of a model with a fixed first dimension', async () => {
    const runs: number[] = [];
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 50 }, doubling(runs), false, () => {});
    await Promise.all([batcher.infer(request([1, 2])), batcher.infer(request([3, 4]))]);
    expect(runs).toEqual([1, 1]);
  });
});
