import { InputError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/ports.ts';
import { describeHolder, type GpuClaim, type GpuLocks, type HeldGpu } from './locks.ts';
import type { GpuDevice, GpuProbe } from './nvidia-smi.ts';

/** `gpus: all | N | none`. */
export type GpuRequest = { kind: 'all' } | { kind: 'count'; count: number } | { kind: 'none' };

/** What the training command gets: claimed GPUs, or none and why. */
export type GpuAssignment =
  | {
      kind: 'gpus';
      claim: GpuClaim;
      devices: readonly GpuDevice[];
      /** Every GPU on the host, for the summary. */
      present: number;
      driverVersion?: string;
      cudaVersion?: string;
    }
  | { kind: 'none'; reason: string };

export interface AssignOptions {
  readonly request: GpuRequest;
  readonly requireGpu: boolean;
  /** How long to wait for GPUs that other jobs hold; 0 = do not wait. */
  readonly waitMs: number;
  readonly probe: GpuProbe;
  readonly locks: GpuLocks;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Between tries while waiting. */
  readonly pollMs?: number;
}

/** Checking the lock files is cheap; a freed GPU should not sit idle long. */
const POLL_MS = 500;

/**
 * Detects the GPUs and claims the requested ones. With `require-gpu`, every way of ending up
 * without a GPU is a usage error (exit 2) that says which way it was; without it, the command
 * runs on the CPU and the log says why.
 */
export async function assignGpus(options: AssignOptions): Promise<GpuAssignment> {
  const { request, requireGpu, logger } = options;
  // A runner without GPUs is normal (the log and the summary say so); a broken driver or GPUs
  // all taken are surprises, and get a warning.
  const noGpu = (reason: string, { hint, surprise }: { hint?: string; surprise: boolean }): GpuAssignment => {
    if (requireGpu) {
      throw new InputError(`require-gpu is set, but ${reason}`, hint === undefined ? {} : { hint });
    }
    const message = `no GPU for this training: ${reason}; the command runs on the CPU (CUDA_VISIBLE_DEVICES="")`;
    if (surprise) logger.warning(message);
    else logger.info(message);
    return { kind: 'none', reason };
  };
  if (request.kind === 'none') {
    if (requireGpu) throw new InputError('require-gpu is set, but gpus is none; give gpus: all or a count');
    logger.info('GPUs: none requested (gpus: none); the command runs with CUDA_VISIBLE_DEVICES=""');
    return { kind: 'none', reason: 'gpus: none' };
  }

  const inventory = await options.probe.inventory();
  if (inventory.kind === 'none') return noGpu(inventory.reason, { surprise: false });
  if (inventory.kind === 'broken') {
    return noGpu(`the NVIDIA driver does not work on this runner: ${inventory.reason}`, {
      hint: inventory.hint,
      surprise: true,
    });
  }
  const { devices } = inventory;
  logger.info(
    `GPUs on this host: ${devices.length} (driver ${inventory.driverVersion ?? 'unknown'}, CUDA ${inventory.cudaVersion ?? 'unknown'})`,
  );
  for (const d of devices) {
    logger.info(
      `  GPU ${d.index}: ${d.name}, ${d.memoryTotalMiB === undefined ? '? ' : d.memoryTotalMiB} MiB${d.uuid === undefined ? '' : `, ${d.uuid}`}`,
    );
  }
  if (request.kind === 'count' && request.count > devices.length) {
    throw new InputError(`gpus asks for ${request.count} GPUs, but this host has ${devices.length}`, {
      hint: `use gpus: ${devices.length} or gpus: all, or run on a runner with more GPUs`,
    });
  }

  const want = request.kind === 'count' ? request.count : 'all';
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    const attempt = await options.locks.tryClaim(devices, want);
    for (const r of attempt.reclaimed) {
      logger.info(
        `GPU ${r.index}: reclaimed a stale lock left by ${describeHolder(r.from)}, which is no longer running`,
      );
    }
    if (attempt.kind === 'claimed') {
      const indices = attempt.claim.devices.map((d) => d.index).join(',');
      logger.info(
        `claimed GPU${attempt.claim.devices.length === 1 ? '' : 's'} ${indices} (locks in ${options.locks.dir})`,
      );
      return {
        kind: 'gpus',
        claim: attempt.claim,
        devices: attempt.claim.devices,
        present: devices.length,
        ...(inventory.driverVersion === undefined ? {} : { driverVersion: inventory.driverVersion }),
        ...(inventory.cudaVersion === undefined ? {} : { cudaVersion: inventory.cudaVersion }),
      };
    }
    const busy = busyReason(want, attempt.free, attempt.held, options.locks.dir);
    if (Date.now() >= deadline || options.signal?.aborted) {
      return noGpu(busy, {
        hint:
          options.waitMs > 0
            ? 'the wait (gpu-wait-minutes) ran out; raise it, or ask for fewer GPUs'
            : 'set gpu-wait-minutes to wait for other jobs to give GPUs back, or ask for fewer GPUs',
        surprise: true,
      });
    }
    if (!announced) {
      logger.info(`waiting up to ${Math.round(options.waitMs / 1000)} s for GPUs: ${busy}`);
      announced = true;
    }
    await sleep(Math.min(options.pollMs ?? POLL_MS, Math.max(0, deadline - Date.now())), options.signal);
  }
}

function busyReason(want: number | 'all', free: number, held: readonly HeldGpu[], dir: string): string {
  const who = held.map((h) => `GPU ${h.index} (${describeHolder(h.holder)})`).join('; ');
  const need = want === 'all' ? 'at least 1' : String(want);
  return `${free} of ${free + held.length} GPUs free, ${need} needed; other jobs hold ${who}; locks in ${dir}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
