import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  InputError,
  type Logger,
  type OnnxRuntime,
  type Provider,
  type RuntimeLoader,
} from '@modelgate/core';

const run = promisify(execFile);

/**
 * A loader that installs onnxruntime-node into the action's own dist folder on first use, from
 * the lockfile the build put there, then loads it from there. The bundle keeps it external
 * (DESIGN.md): its native binaries cannot be bundled, and its postinstall downloads CUDA
 * libraries, so the CPU build installs with ONNXRUNTIME_NODE_INSTALL=skip and the CUDA build
 * only when a step asks for `provider: cuda`.
 */
export function installingRuntimeLoader(distDir: string, provider: Provider, logger: Logger): RuntimeLoader {
  let loaded: Promise<OnnxRuntime> | undefined;
  return () => {
    loaded ??= load(distDir, provider, logger);
    return loaded;
  };
}

async function load(distDir: string, provider: Provider, logger: Logger): Promise<OnnxRuntime> {
  const packageDir = join(distDir, 'node_modules', 'onnxruntime-node');
  if (!existsSync(join(packageDir, 'package.json'))) {
    if (!existsSync(join(distDir, 'package-lock.json'))) {
      throw new Error(
        `${distDir} has no package-lock.json for onnxruntime-node; the action was built incompletely`,
      );
    }
    const variant = provider === 'cuda' ? 'cuda12' : 'skip';
    logger.info(
      `installing onnxruntime-node into ${distDir} (${provider === 'cuda' ? 'with CUDA 12 binaries' : 'CPU'})`,
    );
    try {
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts=false'], {
        cwd: distDir,
        env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: variant },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '')
        .trim()
        .split('\n')
        .slice(-3)
        .join(' ');
      throw new InputError(
        `could not install onnxruntime-node into ${distDir}: ${stderr || (error as Error).message}`,
        {
          cause: error,
          hint: 'the runner needs npm and access to the npm registry on first use',
        },
      );
    }
  }
  const require = createRequire(join(distDir, 'index.js'));
  return require('onnxruntime-node') as OnnxRuntime;
}
