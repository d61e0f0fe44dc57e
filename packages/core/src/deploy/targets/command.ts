import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../kernel/ports.ts';
import { runCommand } from '../../kernel/process/run-command.ts';
import { callJson, trimUrl } from '../http.ts';
import { oipEndpoint } from '../oip.ts';
import { DeployCheckError, type DeployTarget, type ModelToDeploy, type TargetPlan } from '../types.ts';

/** How long a stopped deploy script gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 10_000;

export interface CommandTargetOptions {
  /** The user's deploy command, run by a shell as written (never spliced into). */
  readonly command: string;
  readonly cwd: string;
  /** The environment the command starts from; the MODELGATE_* variables are added to it. */
  readonly env: NodeJS.ProcessEnv;
  /** An Open Inference Protocol endpoint the script's deploy serves, for the smoke check. */
  readonly url?: string;
  /** Stops a command that runs longer (minutes matter for a deploy; unset waits for ever). */
  readonly timeoutMs?: number;
  readonly environment: string;
  readonly logger: Logger;
}

/**
 * A user's deploy script. It gets the model as a file (written after the sha256 check) and
 * MODELGATE_MODEL_PATH, _SHA256, _VERSION, _NAME, MODELGATE_DEPLOY_ACTION (`deploy` or
 * `rollback`) and MODELGATE_ENVIRONMENT; its exit code decides. A rollback runs the same script
 * with the version the alias named before, so one script serves both ways. It deploys in one
 * step: no canary.
 */
export function commandTarget(options: CommandTargetOptions): DeployTarget {
  const run = async (model: ModelToDeploy, action: 'deploy' | 'rollback') => {
    const dir = await mkdtemp(join(tmpdir(), 'modelgate-deploy-'));
    const { name, version, sha256 } = model.version;
    const path = join(dir, `${name}-v${version}.onnx`);
    try {
      await writeFile(path, model.bytes);
      // Read-only: the script gets the vetted bytes, and should copy rather than edit them.
      await chmod(path, 0o444);
      options.logger.info(`running the deploy command (${action} ${name} v${version})`);
      let pending = '';
      const flush = (text: string) => {
        for (const line of text.split('\n')) options.logger.info(`  | ${line}`);
      };
      const result = await runCommand({
        command: options.command,
        cwd: options.cwd,
        env: {
          ...options.env,
          MODELGATE_MODEL_PATH: path,
          MODELGATE_MODEL_SHA256: sha256,
          MODELGATE_MODEL_VERSION: String(version),
          MODELGATE_MODEL_NAME: name,
          MODELGATE_DEPLOY_ACTION: action,
          MODELGATE_ENVIRONMENT: options.environment,
        },
        killGraceMs: KILL_GRACE_MS,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        onOutput: (chunk) => {
          pending += chunk.toString('utf8');
          const last = pending.lastIndexOf('\n');
          if (last === -1) return;
          flush(pending.slice(0, last));
          pending = pending.slice(last + 1);
        },
      });
      if (pending !== '') flush(pending);
      const { end } = result;
      if (end.kind === 'exited' && end.code === 0) return;
      const how =
        end.kind === 'exited'
          ? `exited with code ${end.code}`
          : end.kind === 'signalled'
            ? `was killed by ${end.signal}`
            : end.kind === 'timed-out'
              ? `ran past its ${Math.round(end.afterMs / 1000)} s limit`
              : `was cancelled (${end.reason})`;
      const tail = result.stderrTail.trim().split('\n').slice(-3).join(' | ');
      throw new DeployCheckError(
        `the deploy command ${how} (${action} v${version})${tail === '' ? '' : `: ${tail}`}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  return {
    kind: 'command',
    async prepare(): Promise<TargetPlan> {
      return { mode: 'live', serving: null, url: options.url, canary: false, staging: false };
    },
    install: (model) => run(model, 'deploy'),
    async setCanary() {
      throw new DeployCheckError('the command target has no canary');
    },
    async promote() {},
    async rollback(model, previous) {
      const before = await previous();
      if (before === undefined) {
        throw new DeployCheckError(
          `there is no earlier version to deploy again: the command deployed v${model.version.version}, which stays`,
        );
      }
      await run(before, 'rollback');
      return `the deploy command put v${before.version.version} back`;
    },
    async verify() {
      if (options.url === undefined) return;
      const ready = await callJson('GET', `${trimUrl(options.url)}/v2/health/ready`);
      if (ready.status !== 200) {
        throw new DeployCheckError(
          `${trimUrl(options.url)}/v2/health/ready answered ${ready.status} after the deploy command`,
        );
      }
    },
    endpoint(model) {
      return options.url === undefined ? undefined : oipEndpoint(options.url, model.version.name);
    },
  };
}
