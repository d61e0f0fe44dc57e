import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InputError } from '../../kernel/errors.ts';

/** What one kubectl run gave back. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with arguments (never through a shell). A port, so the KServe target is tested without a cluster. */
export type Kubectl = (args: readonly string[]) => Promise<KubectlResult>;

/** The kubectl on PATH, if any. */
export function findOnPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * The kubeconfig kubectl would use: the one given, else the first existing file in KUBECONFIG,
 * else ~/.kube/config. Undefined when there is none, which means there is no cluster to apply to.
 */
export function findKubeconfig(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new InputError(`kubeconfig ${explicit} does not exist`);
    return explicit;
  }
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((path) => path !== '');
  for (const path of listed) if (existsSync(path)) return path;
  const home = env.HOME;
  if (listed.length === 0 && home !== undefined && existsSync(join(home, '.kube', 'config'))) {
    return join(home, '.kube', 'config');
  }
  return undefined;
}

/** kubectl at `path`, with KUBECONFIG pointing at `kubeconfig`. */
export function kubectlAt(path: string, kubeconfig: string, env: NodeJS.ProcessEnv): Kubectl {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        path,
        [...args],
        { env: { ...env, KUBECONFIG: kubeconfig }, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout: String(stdout), stderr: String(stderr || (error?.message ?? '')) });
        },
      );
    });
}
