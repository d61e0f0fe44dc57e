import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof Ort;

/**
 * Loads onnxruntime-node. A port, because where the package lives differs: the CLI resolves it
 * from node_modules, while an action installs it into its own dist folder on first use
 * (DESIGN.md: the bundles keep it external).
 */
export type RuntimeLoader = () => Promise<OnnxRuntime>;

let cached: Promise<OnnxRuntime> | undefined;

/** The default loader: a plain dynamic import, cached for the life of the process. */
export const importOnnxRuntime: RuntimeLoader = () => {
  cached ??= import('onnxruntime-node') as Promise<OnnxRuntime>;
  return cached;
};
