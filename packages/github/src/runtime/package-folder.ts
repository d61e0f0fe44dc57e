import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InputError, type OnnxRuntime } from '@modelgate/core';

/** This machine as onnxruntime-node names its binary folders (`bin/napi-v6/<platform>/<arch>`). */
export interface Target {
  readonly platform: string;
  readonly arch: string;
}

/** The machine this process runs on. */
export const THIS_MACHINE: Target = { platform: process.platform, arch: process.arch };

/** `linux-x64`: the tool cache's arch folder and the Actions cache key's suffix. */
export function targetKey(target: Target): string {
  return `${target.platform}-${target.arch}`;
}

/** Where onnxruntime-node keeps the native binding and libonnxruntime for one platform. */
export function binaryFolder(packageDir: string, target: Target): string {
  return join(packageDir, 'bin', 'napi-v6', target.platform, target.arch);
}

/** Whether the package has the native binding this machine loads. */
export function hasBinding(packageDir: string, target: Target): boolean {
  return existsSync(join(binaryFolder(packageDir, target), 'onnxruntime_binding.node'));
}

/**
 * Whether the CUDA execution provider library sits beside the binding. Only an install made with
 * ONNXRUNTIME_NODE_INSTALL=cuda12 has it: its postinstall fetches it from NuGet, so it is not in
 * the registry tarball, and no lockfile digest covers it.
 */
export function hasCudaProvider(packageDir: string, target: Target): boolean {
  const library =
    target.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(binaryFolder(packageDir, target), library));
}

/** The `name` and `version` of a package folder's package.json; undefined when it has none. */
export function readManifest(packageDir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Loads onnxruntime-node from its package folder. require, not import: the package is CommonJS,
 * and a require made at the package resolves its onnxruntime-common beside it, wherever it lives.
 */
export function requireOnnxRuntime(packageDir: string, hint: string): OnnxRuntime {
  const require = createRequire(join(packageDir, 'package.json'));
  try {
    return require(packageDir) as OnnxRuntime;
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split('\n')[0];
    throw new InputError(`could not load onnxruntime-node from ${packageDir}: ${message}`, {
      cause: error,
      hint,
    });
  }
}
