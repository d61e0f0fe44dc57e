/**
 * Runs a row-weighted resampling job on every core: this thread plus worker threads.
 *
 * Why the workers run source text: a worker needs a file to run. The bundles have one
 * (worker.js, the data workers' entry: data/parallel.ts), but the TypeScript sources under
 * vitest have none, and the bootstrap's threads must run, and be tested, from both. So hot.ts
 * keeps every inner loop inside one self-contained function, and a worker is started from that
 * function's own text (`new Worker(text, { eval: true })`). The data workers cannot do the
 * same (the CSV scanner spans several modules), so from the sources they are not started.
 * Any thread computes resample b from (seed, b) alone, so the split changes nothing in the
 * result; if the workers cannot start or fail, this thread does their share and the result
 * is the same, only slower.
 *
 * Work is handed out in chunks through an atomic counter in shared memory, so a thread that
 * is slowed down (a busy CI machine) simply takes fewer chunks.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createHotLoops, type HotLoops, hot, type RowJob, type RowModel } from './hot.ts';

/** A cap, so that a 64-core runner does not start 63 isolates for a job of a second or two. */
const MAX_THREADS = 8;
// Below this many row-passes a job finishes on one thread faster than workers can join in
// (a worker's first start costs about 30 ms, a hand-off about 1 ms).
const MIN_PARALLEL_ROW_PASSES = 4_000_000;
/** Resamples per chunk: small enough to balance the threads, large enough to amortise a hand-off. */
const CHUNK = 8;

/**
 * The name of the helper a bundler's keep-names option wraps functions with (esbuild's
 * `__name`, renamed when minified), found in the hot loops' own text through the probe
 * function there; undefined when there is none.
 */
function keepNamesHelper(source: string): string | undefined {
  return /([A-Za-z_$][\w$]*)\(\s*[A-Za-z_$][\w$]*\s*,\s*["']keepNamesProbe["']\s*\)/.exec(source)?.[1];
}

function workerSource(): string {
  const loops = createHotLoops.toString();
  const helper = keepNamesHelper(loops);
  return `"use strict";
${helper === undefined ? '' : `var ${helper} = (target) => target;`}
const { parentPort: modelgatePort } = require('node:worker_threads');
const modelgateLoops = (${loops})();
const modelgateRunChunks = (${runChunks.toString()});
modelgatePort.on('message', (task) => {
  try {
    modelgatePort.postMessage({ ok: true, chunks: modelgateRunChunks(modelgateLoops, task) });
  } catch (error) {
    modelgatePort.postMessage({ ok: false, error: String((error && error.stack) || error) });
  }
});
`;
}

/** The message a worker gets: the job and the shared counters and table. */
interface Task {
  job: RowJob;
  seed: number;
  resamples: number;
  /** Resamples per chunk. */
  chunk: number;
  /** [0]: the next chunk to take. */
  next: Int32Array;
  /** 1 for each chunk that is complete. */
  finished: Int32Array;
  /** The row-major [resamples × width] table. */
  out: Float64Array;
}

/** Takes chunks until none are left, and says how many it took. Self-contained: workers run its source text too. */
function runChunks(loops: Pick<HotLoops, 'runRowJob'>, task: Task): number {
  const chunks = Math.ceil(task.resamples / task.chunk);
  for (let taken = 0; ; taken++) {
    const chunk = Atomics.add(task.next, 0, 1);
    if (chunk >= chunks) return taken;
    const first = chunk * task.chunk;
    loops.runRowJob(task.job, task.seed, first, Math.min(task.resamples, first + task.chunk), task.out, 0);
    Atomics.store(task.finished, chunk, 1);
  }
}

let workers: Worker[] | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** How the last row-weighted job was shared out: for tests and benchmarks. */
export interface ParallelRun {
  /** Threads that were given the job (this one included). */
  threads: number;
  chunks: number;
  /** Chunks that worker threads computed. */
  workerChunks: number;
}
let lastRun: ParallelRun | undefined;

/** How the last row-weighted resampling job was shared out between threads. */
export function lastParallelRun(): ParallelRun | undefined {
  return lastRun;
}

/** How many threads to use: MODELGATE_THREADS if set (1 means this thread only), else one per core up to {@link MAX_THREADS}. */
export function defaultThreads(): number {
  const configured = Number.parseInt(process.env.MODELGATE_THREADS ?? '', 10);
  if (Number.isSafeInteger(configured) && configured >= 1) return Math.min(configured, MAX_THREADS);
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
}

function startedWorkers(count: number): Worker[] {
  workers ??= [];
  while (workers.length < count) {
    let worker: Worker;
    try {
      worker = new Worker(workerSource(), { eval: true });
    } catch {
      break; // no workers here (a sandbox, say): this thread does the work
    }
    worker.unref(); // an idle worker must not keep the process alive
    const started = worker;
    worker.on('error', () => forget(started));
    worker.on('exit', () => forget(started));
    workers.push(worker);
  }
  return workers.slice(0, count);
}

function forget(worker: Worker): void {
  if (workers !== undefined) workers = workers.filter((w) => w !== worker);
}

function shared<T extends Float64Array | Uint32Array>(array: T): T {
  const Kind = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Kind(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

function sharedModel(model: RowModel): RowModel {
  if (model.kind === 'multiclass') {
    return {
      ...model,
      logLossTerm: shared(model.logLossTerm),
      orders: shared(model.orders),
      data: shared(model.data),
    };
  }
  return { ...model, order: shared(model.order), data: shared(model.data) };
}

/** One worker's share of a task: resolves with the chunks it computed when it has taken its last, or failed. */
function assign(worker: Worker, task: Task): Promise<number> {
  return new Promise((resolve) => {
    const done = (answer?: unknown) => {
      worker.off('message', done);
      worker.off('error', done);
      worker.off('exit', done);
      worker.unref();
      const reply = answer as { ok?: boolean; chunks?: number } | undefined;
      if (reply?.ok !== true) {
        // It failed (and will again): stop using it; this thread redoes its unfinished chunks.
        forget(worker);
        void worker.terminate();
      }
      resolve(reply?.ok === true ? (reply.chunks ?? 0) : 0);
    };
    worker.on('message', done);
    worker.on('error', done);
    worker.on('exit', done);
    worker.ref(); // it holds part of the result: keep the process alive until it answers
    worker.postMessage(task);
  });
}

/**
 * The [resamples × width] table of `job`'s values for resamples 0…resamples−1, computed on
 * up to `threads` threads. The result does not depend on `threads`.
 */
export function runRowJobParallel(
  job: RowJob,
  seed: number,
  resamples: number,
  threads: number,
): Promise<Float64Array> {
  const result = queue.then(() => runExclusive(job, seed, resamples, threads));
  queue = result.catch(() => undefined);
  return result;
}

async function runExclusive(
  job: RowJob,
  seed: number,
  resamples: number,
  threads: number,
): Promise<Float64Array> {
  const width = hot.jobWidth(job);
  const rowPasses = job.rows * resamples * job.models.length;
  const helpers = threads > 1 && rowPasses >= MIN_PARALLEL_ROW_PASSES ? startedWorkers(threads - 1) : [];
  if (helpers.length === 0) {
    const out = new Float64Array(resamples * width);
    hot.runRowJob(job, seed, 0, resamples, out, 0);
    lastRun = { threads: 1, chunks: Math.ceil(resamples / CHUNK), workerChunks: 0 };
    return out;
  }
  const chunks = Math.ceil(resamples / CHUNK);
  const task: Task = {
    job: {
      ...job,
      models: job.models.map(sharedModel),
      via: job.via.map((v) => (v === null ? null : shared(v))),
    },
    seed,
    resamples,
    chunk: CHUNK,
    next: new Int32Array(new SharedArrayBuffer(4)),
    finished: new Int32Array(new SharedArrayBuffer(4 * chunks)),
    out: new Float64Array(new SharedArrayBuffer(8 * resamples * width)),
  };
  const answered = helpers.map((worker) => assign(worker, task));
  // This thread's share from the job itself (the same values as the shared copy's): its kernel
  // instance, laid out for the job once, then serves the observed values too.
  runChunks(hot, { ...task, job });
  const workerChunks = (await Promise.all(answered)).reduce((sum, n) => sum + n, 0);
  lastRun = { threads: helpers.length + 1, chunks, workerChunks };
  // A worker that failed may have left a chunk it took unfinished: do those here.
  for (let chunk = 0; chunk < chunks; chunk++) {
    if (Atomics.load(task.finished, chunk) === 1) continue;
    const first = chunk * CHUNK;
    hot.runRowJob(job, seed, first, Math.min(resamples, first + CHUNK), task.out, 0);
  }
  return Float64Array.from(task.out);
}
