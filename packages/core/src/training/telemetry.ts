import type { Logger } from '../kernel/ports.ts';
import type { GpuProbe, GpuSample } from './gpu/nvidia-smi.ts';

/** Average and peak of a series. */
export interface UsageStats {
  avg: number;
  peak: number;
}

/** What the GPUs did during the run (JSON: it goes into outputs and modelgate-train.json). */
export interface GpuTelemetry {
  interval_seconds: number;
  /** Readings taken (each covers every claimed GPU). */
  samples: number;
  /** Over every reading of every claimed GPU; absent when the devices report none. */
  utilization_percent?: UsageStats;
  memory_used_mib?: UsageStats;
  per_gpu: Array<{ index: number; utilization_percent?: UsageStats; memory_used_mib?: UsageStats }>;
  /** Why sampling stopped early, when it did. */
  error?: string;
}

/** A running sampler; stop() ends it and summarises. */
export interface TelemetrySampler {
  stop(): Promise<GpuTelemetry>;
}

/**
 * Samples the claimed GPUs every `intervalSeconds` from now until stop(): one reading at once
 * (so even a short run has one), then on the interval. A failing nvidia-smi ends sampling with
 * a warning; it never fails the training.
 */
export function startTelemetry(
  probe: GpuProbe,
  indices: readonly number[],
  intervalSeconds: number,
  logger: Logger,
): TelemetrySampler {
  const readings: GpuSample[][] = [];
  let error: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const wanted = new Set(indices);

  const take = async () => {
    try {
      const sample = await probe.sample();
      if (!stopped) readings.push(sample.filter((s) => wanted.has(s.index)));
    } catch (e) {
      error = (e as Error).message;
      logger.warning(`GPU telemetry stopped: ${error}`);
      stopped = true;
    }
  };
  const tick = () => {
    inFlight = take().then(() => {
      if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000);
    });
  };
  tick();

  return {
    async stop() {
      // A reading under way finishes first, so a short run keeps it.
      await inFlight;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      return summarizeTelemetry(readings, indices, intervalSeconds, error);
    },
  };
}

/** Average and peak over every reading, overall and per GPU. */
export function summarizeTelemetry(
  readings: readonly (readonly GpuSample[])[],
  indices: readonly number[],
  intervalSeconds: number,
  error?: string,
): GpuTelemetry {
  const all = readings.flat();
  const utilization = stats(all.map((s) => s.utilizationPercent));
  const memory = stats(all.map((s) => s.memoryUsedMiB));
  return {
    interval_seconds: intervalSeconds,
    samples: readings.length,
    ...(utilization === undefined ? {} : { utilization_percent: utilization }),
    ...(memory === undefined ? {} : { memory_used_mib: memory }),
    per_gpu: indices.map((index) => {
      const mine = all.filter((s) => s.index === index);
      const u = stats(mine.map((s) => s.utilizationPercent));
      const m = stats(mine.map((s) => s.memoryUsedMiB));
      return {
        index,
        ...(u === undefined ? {} : { utilization_percent: u }),
        ...(m === undefined ? {} : { memory_used_mib: m }),
      };
    }),
    ...(error === undefined ? {} : { error }),
  };
}

function stats(values: ReadonlyArray<number | undefined>): UsageStats | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  if (known.length === 0) return undefined;
  const sum = known.reduce((a, b) => a + b, 0);
  // One decimal: nvidia-smi reports whole percents and MiB, more would be noise.
  return { avg: Math.round((sum / known.length) * 10) / 10, peak: known.reduce((a, b) => Math.max(a, b)) };
}
