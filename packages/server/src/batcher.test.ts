import { describe, expect, it, vi } from 'vitest';
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

/** A session whose runs all wait until `open()`: the stand-in for a run in flight. */
function gated(run: RunFeeds): { run: RunFeeds; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    run: async (inputs, outputs) => {
      const result = run(inputs, outputs);
      await gate;
      return result;
    },
    open,
  };
}

/** Starts a request and waits until its run is in flight (the session was called). */
async function occupy(batcher: Batcher, runs: readonly number[]): Promise<{ answer: Promise<unknown> }> {
  const before = runs.length;
  const answer = batcher.infer(request([0, 0]));
  await vi.waitFor(() => expect(runs.length).toBe(before + 1));
  // Wrapped: an async function returning the promise itself would wait for it.
  return { answer };
}

describe('the dynamic batcher', () => {
  it('runs a request to an idle session at once, without waiting max-wait-ms', async () => {
    const runs: number[] = [];
    // A wait no test could sit through: an answer within the test's timeout shows it was not paid.
    const batcher = new Batcher({ maxBatch: 64, maxWaitMs: 60_000 }, doubling(runs), true, () => {});
    const began = performance.now();
    const answer = await batcher.infer(request([1, 2]));
    expect(answer[0]?.data).toEqual(Float32Array.of(2, 4));
    expect(runs).toEqual([1]);
    expect(performance.now() - began).toBeLessThan(1000);
  });

  it('runs the first request to an idle session alone, and the ones that come while it runs together', async () => {
    const runs: number[] = [];
    const batcher = new Batcher({ maxBatch: 64, maxWaitMs: 60_000 }, doubling(runs), true, () => {});
    const answers = await Promise.all([
      batcher.infer(request([1, 2])),
      batcher.infer(request([3, 4])),
      batcher.infer(request([5, 6])),
    ]);
    expect(answers.map((a) => Array.from(a[0]?.data as Float32Array))).toEqual([
      [2, 4],
      [6, 8],
      [10, 12],
    ]);
    expect(runs).toEqual([1, 2]);
  });

  it('batches the requests that arrive while a run is in flight, up to max-batch rows, and gives each its own rows', async () => {
    const runs: number[] = [];
    const observed: number[] = [];
    const session = gated(doubling(runs));
    const batcher = new Batcher({ maxBatch: 4, maxWaitMs: 60_000 }, session.run, true, (rows) =>
      observed.push(rows),
    );
    const busy = (await occupy(batcher, runs)).answer;
    const answers = [
      batcher.infer(request([1, 2])),
      batcher.infer(request([3, 4, 5, 6])),
      batcher.infer(request([7, 8])),
      batcher.infer(request([9, 10])),
    ];
    // 4 rows fill a batch, which runs at once; the fourth request waits for the session to go idle.
    expect(runs).toEqual([1, 4]);
    session.open();
    await busy;
    const data = (await Promise.all(answers)).map((a) => Array.from(a[0]?.data as Float32Array));
    expect(data).toEqual([
      [2, 4],
      [6, 8, 10, 12],
      [14, 16],
      [18, 20],
    ]);
    expect((await answers[1])?.[0]?.shape).toEqual([2, 2]);
    expect(runs).toEqual([1, 4, 1]);
    expect(observed).toEqual([1, 4, 1]);
  });

  it('runs the queue as soon as the run in flight ends, not at max-wait-ms', async () => {
    const runs: number[] = [];
    const session = gated(doubling(runs));
    const batcher = new Batcher({ maxBatch: 64, maxWaitMs: 60_000 }, session.run, true, () => {});
    const busy = (await occupy(batcher, runs)).answer;
    const queued = [
      batcher.infer(request([3, 4])),
      batcher.infer(request([5, 6])),
      batcher.infer(request([7, 8])),
    ];
    expect(runs).toEqual([1]);
    session.open();
    await busy;
    await Promise.all(queued);
    expect(runs).toEqual([1, 3]);
  });

  it('runs a queue whose first row has waited max-wait-ms, even while a run is still in flight', async () => {
    const runs: number[] = [];
    const session = gated(doubling(runs));
    const batcher = new Batcher({ maxBatch: 64, maxWaitMs: 5 }, session.run, true, () => {});
    await occupy(batcher, runs);
    const queued = batcher.infer(request([3, 4]));
    // Only the bound can start this run: the first never ends until the gate opens.
    await vi.waitFor(() => expect(runs).toEqual([1, 1]));
    session.open();
    expect((await queued)[0]?.data).toEqual(Float32Array.of(6, 8));
  });

  it('keeps requests apart when their trailing dimensions differ', async () => {
    const runs: number[] = [];
    const session = gated(doubling(runs));
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 60_000 }, session.run, true, () => {});
    const busy = (await occupy(batcher, runs)).answer;
    const answers = [
      batcher.infer(request([1, 2], 2)),
      batcher.infer(request([1, 2, 3], 3)),
      batcher.infer(request([3, 4], 2)),
    ];
    session.open();
    await busy;
    expect((await Promise.all(answers)).map((a) => a[0]?.shape)).toEqual([
      [1, 2],
      [1, 3],
      [1, 2],
    ]);
    expect(runs.slice(1).sort()).toEqual([1, 2]);
  });

  it('fails only the bad request of a batch', async () => {
    const runs: number[] = [];
    const session = gated(doubling(runs, 99));
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 60_000 }, session.run, true, () => {});
    const busy = (await occupy(batcher, runs)).answer;
    const results = Promise.allSettled([
      batcher.infer(request([1, 2])),
      batcher.infer(request([99, 2])),
      batcher.infer(request([3, 4])),
    ]);
    session.open();
    await busy;
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs).toEqual([1, 3, 1, 1, 1]);
  });

  it('runs requests one by one when the outputs do not have a row per input row', async () => {
    const runs: number[] = [];
    const summing = gated(async (inputs) => {
      const x = inputs[0] as DecodedInput;
      runs.push(x.shape[0] as number);
      const total = Array.from(x.data as Float32Array).reduce((a, b) => a + b, 0);
      return { y: { type: 'float32', dims: [1], data: Float32Array.of(total) } };
    });
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 60_000 }, summing.run, true, () => {});
    const busy = (await occupy(batcher, runs)).answer;
    const answers = Promise.all([batcher.infer(request([1, 2])), batcher.infer(request([3, 4]))]);
    summing.open();
    await busy;
    expect((await answers).map((a) => Array.from(a[0]?.data as Float32Array))).toEqual([[3], [7]]);
    expect(runs).toEqual([1, 2, 1, 1]);
  });

  it('runs the queue at once on flushAll (a retiring version), not after the run in flight', async () => {
    const runs: number[] = [];
    const session = gated(doubling(runs));
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 60_000 }, session.run, true, () => {});
    await occupy(batcher, runs);
    const queued = batcher.infer(request([1, 2]));
    expect(runs).toEqual([1]);
    batcher.flushAll();
    expect(runs).toEqual([1, 1]);
    session.open();
    expect((await queued)[0]?.data).toEqual(Float32Array.of(2, 4));
  });

  it('does not stack rows of a model with a fixed first dimension', async () => {
    const runs: number[] = [];
    const batcher = new Batcher({ maxBatch: 8, maxWaitMs: 50 }, doubling(runs), false, () => {});
    await Promise.all([batcher.infer(request([1, 2])), batcher.infer(request([3, 4]))]);
    expect(runs).toEqual([1, 1]);
  });
});
