import pin from './pin.json' with { type: 'json' };

/** One registry tarball an action lays out, with the digest the root package-lock.json holds for it. */
export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  /** Subresource-integrity form, as in the lockfile: `sha512-<base64>`. */
  readonly integrity: string;
}

/** The onnxruntime-node an action loads and the packages it needs at run time. */
export interface OnnxRuntimePin {
  readonly version: string;
  readonly packages: readonly PinnedPackage[];
}

/**
 * The pinned onnxruntime-node: the version packages/core is tested with, generated from the root
 * package-lock.json by scripts/onnxruntime-pin.mjs (pin.test.ts fails when it is stale).
 */
export const ONNXRUNTIME_PIN: OnnxRuntimePin = pin;
