/**
 * Running the WebAssembly kernels (packages/core/assembly, compiled by `npm run kernels` into
 * base64 modules next to the code that uses them). A kernel imports its memory from here and
 * works on byte offsets into it; the caller copies its arrays in and out.
 */

/** The part of the WebAssembly JavaScript API used here (TypeScript's ES libraries leave it to lib.dom). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Where the caller's data starts: a kernel's own static data sits below. */
export const KERNEL_DATA_START = PAGE;
/** Memory is addressed with 32 bits; callers keep their data below this. */
export const KERNEL_MAX_BYTES = 2 ** 31;

export interface Kernel {
  /** The kernel's exported functions. */
  readonly exports: Record<string, unknown>;
  /**
   * The memory, at least `bytes` long: take views after calling this (growing detaches old
   * ones). Undefined when it cannot grow that far (past {@link KERNEL_MAX_BYTES}, or the system
   * refuses): the caller then does the work in JavaScript.
   */
  memory(bytes: number): ArrayBuffer | undefined;
}

/** Instantiates a kernel from its base64 binary, with its memory and the host functions it imports. */
export function loadKernel(base64: string, imports: Record<string, Record<string, unknown>> = {}): Kernel {
  const memory = new wasm.Memory({ initial: 1, maximum: KERNEL_MAX_BYTES / PAGE });
  const module = new wasm.Module(Buffer.from(base64, 'base64'));
  const { exports } = new wasm.Instance(module, { ...imports, env: { memory } });
  return {
    exports,
    memory: (bytes) => {
      if (bytes > KERNEL_MAX_BYTES) return undefined;
      if (memory.buffer.byteLength < bytes) {
        try {
          memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
        } catch {
          return undefined;
        }
      }
      return memory.buffer;
    },
  };
}
