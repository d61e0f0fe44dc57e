import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import * as generator from '../../../../scripts/onnxruntime-pin.mjs';
import { ONNXRUNTIME_PIN } from './pin.ts';

interface Generator {
  ROOT: string;
  syncPin(options?: { write?: boolean }): boolean;
  pinFromLockfile(lock: unknown): { version: string; packages: Array<{ name: string; version: string }> };
}
const { ROOT, syncPin, pinFromLockfile } = generator as Generator;

describe('the onnxruntime pin', () => {
  it('is what scripts/onnxruntime-pin.mjs derives from the root package-lock.json (run it after upgrading onnxruntime-node)', () => {
    expect(syncPin({ write: false })).toBe(false);
  });

  it('pins exactly the version of onnxruntime-common that onnxruntime-node requires', () => {
    const lock = JSON.parse(readFileSync(`${ROOT}/package-lock.json`, 'utf8'));
    const wanted = lock.packages['node_modules/onnxruntime-node'].dependencies['onnxruntime-common'];
    const common = ONNXRUNTIME_PIN.packages.find((p) => p.name === 'onnxruntime-common');
    expect(common?.version).toBe(wanted);
    expect(ONNXRUNTIME_PIN.packages.map((p) => p.name)).toEqual(['onnxruntime-node', 'onnxruntime-common']);
  });

  it('takes a dependency nested under onnxruntime-node before a hoisted one, as Node resolves it', () => {
    const entry = (version: string) => ({ version, integrity: `sha512-${version}` });
    const pin = pinFromLockfile({
      packages: {
        'node_modules/onnxruntime-node': entry('2.0.0'),
        'node_modules/onnxruntime-common': entry('1.0.0'),
        'node_modules/onnxruntime-node/node_modules/onnxruntime-common': entry('2.0.0'),
      },
    });
    expect(pin.version).toBe('2.0.0');
    expect(pin.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'onnxruntime-node@2.0.0',
      'onnxruntime-common@2.0.0',
    ]);
  });
});
