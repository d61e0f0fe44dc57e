/**
 * The bootstrap's WebAssembly kernel (packages/core/assembly/bootstrap.ts, compiled by
 * `npm run kernels` into bootstrap-kernel.wasm.ts), compiled once per process. hot.ts runs it
 * for a one-model binary job: four resamples at a time, each one's Poisson(1) weights drawn
 * inside the kernel from its own stream, then one pass over the ranks for all four, two
 * resamples per SIMD vector. It gives the JavaScript loops' values to the last bit (the same
 * random stream in the same order, the same float64 operations per resample in the same
 * order); hot.test.ts holds it to that.
 */
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
