import { describe, expect, it } from 'vitest';
import { KERNEL_MAX_BYTES, loadKernel } from '../kernel/wasm.ts';
import { LABELS_KERNEL_WASM } from './labels-kernel.wasm.ts';

describe('a kernel memory', () => {
  it('grows to what is asked, and keeps what it has', () => {
    const kernel = loadKernel(LABELS_KERNEL_WASM);
    const grown = kernel.memory(200_000);
    expect(grown?.byteLength).toBeGreaterThanOrEqual(200_000);
    expect(kernel.memory(1000)?.byteLength).toBe(grown?.byteLength);
  });

  it('says so, rather than throwing, when it cannot grow that far (the caller stays in JavaScript)', () => {
    const kernel = loadKernel(LABELS_KERNEL_WASM);
    expect(kernel.memory(KERNEL_MAX_BYTES + 1)).toBeUndefined();
    expect(kernel.memory(1000)).toBeDefined();
  });
});
