import { join, resolve } from 'node:path';
import { InputError } from '@modelgate/core';
import { binaryFolder, hasBinding, readManifest, type Target, targetKey } from './package-folder.ts';

/** A path the user gave for onnxruntime-node, and what gave it, as the error names it. */
export interface GivenPath {
  readonly path: string;
  /** `input 'onnxruntime-path'` or `MODELGATE_ONNXRUNTIME_PATH`. */
  readonly what: string;
}

/**
 * The onnxruntime-node package folder a given path holds: either a folder with
 * `node_modules/onnxruntime-node` in it (an image's `npm install` prefix) or the package folder
 * itself. A path that holds neither, or a package without this machine's binaries, is the user's
 * to fix, so it fails here, naming the input, rather than on the first model.
 */
export function packageInGivenPath(given: GivenPath, target: Target, cwd: string): string {
  const root = resolve(cwd, given.path);
  const packageDir = [join(root, 'node_modules', 'onnxruntime-node'), root].find(
    (dir) => readManifest(dir)?.name === 'onnxruntime-node',
  );
  if (packageDir === undefined) {
    throw new InputError(
      `${given.what} is '${given.path}', which holds no onnxruntime-node: expected a folder with node_modules/onnxruntime-node in it, or the onnxruntime-node package folder itself`,
      {
        hint: `install it there with 'npm install onnxruntime-node' (ONNXRUNTIME_NODE_INSTALL=cuda12 for CUDA)`,
      },
    );
  }
  if (!hasBinding(packageDir, target)) {
    throw new InputError(
      `${given.what} is '${given.path}', whose onnxruntime-node has no binaries for ${targetKey(target)} (${binaryFolder(packageDir, target)} is missing)`,
    );
  }
  return packageDir;
}
