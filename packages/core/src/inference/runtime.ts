import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof Ort;

/**
 * Loads onnxruntime-node. A port, because where the package lives differs: the CLI resolves it
 * from node_modules, while an action finds it on the runner (a given path, the tool cache, or one
 * verified download: @modelgate/github's onnxRuntimeLoader), since the bundles keep it external.
 */
export type RuntimeLoader = () => Promise<OnnxRuntime>;

let cached: Promise<OnnxRuntime> | undefined;

/** The default loader: a plain dynamic import, cached for the life of the process. */
export const importOnnxRuntime: RuntimeLoader = () => {
  cached ??= import('onnxruntime-node') as Promise<OnnxRuntime>;
  return cached;
};
