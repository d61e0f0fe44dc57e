/**
 * The bootstrap's WebAssembly kernel (packages/core/assembly/bootstrap.ts, compiled by
 * `npm run kernels` into bootstrap-kernel.wasm.ts), compiled once per process. hot.ts runs it
 * for a one-model binary job: four resamples at a time, each one's Poisson(1) weights drawn
 * inside the kernel from its own stream, then one pass over the ranks for all four, two
 * resamples per SIMD vector. It gives the JavaScript loops' values to the last bit (the same
 * random stream in the same order, the same float64 operations per resample in the same
 * order); hot.test.ts holds it to that. The module's radix sort gives a binary model its rank
 * order ({@link sortedOrder}).
 */
import { KERNEL_DATA_START, KERNEL_MAX_BYTES } from '../kernel/wasm.ts';
import { argsortFloat64 } from '../metrics/index.ts';
import { BOOTSTRAP_KERNEL_WASM } from './bootstrap-kernel.wasm.ts';

let compiled: object | null | undefined;

/** The compiled module, or undefined where WebAssembly (with SIMD) is not to be had. */
export function bootstrapKernel(): object | undefined {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
    try {
      compiled = api === undefined ? null : new api.Module(Buffer.from(BOOTSTRAP_KERNEL_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/**
 * metrics argsortFloat64's order of finite `values` (ascending, stable for ties), by the
 * kernel's radix sort: the same permutation, without a cold JavaScript sort on the thread
 * that prepares a bootstrap (about 35 ms at 200k rows there, 3 ms here). The instance and its
 * memory are the call's own, so nothing of that size outlives it.
 */
export function sortedOrder(values: Float64Array): Uint32Array {
  const rows = values.length;
  const module = bootstrapKernel();
  const countsAt = KERNEL_DATA_START;
  const valuesAt = countsAt + 8192;
  const orderAt = valuesAt + 8 * rows;
  const scratchAt = orderAt + 4 * rows;
  const bytes = scratchAt + 4 * rows;
  const api = (
    globalThis as {
      WebAssembly?: {
        Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
        Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
      };
    }
  ).WebAssembly;
  if (module === undefined || api === undefined || bytes >= KERNEL_MAX_BYTES) return argsortFloat64(values);
  let buffer: ArrayBuffer;
  let run: (...args: number[]) => number;
  try {
    const memory = new api.Memory({ initial: Math.ceil(bytes / 65536) });
    run = new api.Instance(module, { env: { memory } }).exports.argsort as typeof run;
    buffer = memory.buffer;
  } catch {
    return argsortFloat64(values);
  }
  new Float64Array(buffer, valuesAt, rows).set(values);
  const at = run(rows, valuesAt, orderAt, scratchAt, countsAt);
  return new Uint32Array(buffer, at, rows).slice();
}
