import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nvidiaSmi } from './gpu/nvidia-smi.ts';
import { startTelemetry, summarizeTelemetry } from './telemetry.ts';
import { recordingLogger, scratch, standInEnv } from './testing.ts';

describe('summarizeTelemetry', () => {
  it('gives average and peak overall and per GPU, only for the claimed GPUs', () => {
    const readings = [
      [
        { index: 1, utilizationPercent: 10, memoryUsedMiB: 1000 },
        { index: 3, utilizationPercent: 50, memoryUsedMiB: 3000 },
      ],
      [
        { index: 1, utilizationPercent: 90, memoryUsedMiB: 2000 },
        { index: 3, utilizationPercent: 51, memoryUsedMiB: undefined },
      ],
    ];
    expect(summarizeTelemetry(readings, [1, 3], 5)).toEqual({
      interval_seconds: 5,
      samples: 2,
      utilization_percent: { avg: 50.3, peak: 90 },
      memory_used_mib: { avg: 2000, peak: 3000 },
      per_gpu: [
        { index: 1, utilization_percent: { avg: 50, peak: 90 }, memory_used_mib: { avg: 1500, peak: 2000 } },
        {
          index: 3,
          utilization_percent: { avg: 50.5, peak: 51 },
          memory_used_mib: { avg: 3000, peak: 3000 },
        },
      ],
    });
  });

  it('leaves out what no reading reported', () => {
    expect(summarizeTelemetry([], [0], 5)).toEqual({
      interval_seconds: 5,
      samples: 0,
      per_gpu: [{ index: 0 }],
    });
  });
});

describe('startTelemetry', () => {
  it('samples nvidia-smi on the interval until stopped, and summarises the readings', async () => {
    const env = standInEnv({
      FAKE_NVIDIA_SMI_UTIL: '20 80 60',
      FAKE_NVIDIA_SMI_MEMORY_USED: '1000 3000 2000',
      FAKE_NVIDIA_SMI_STATE: join(scratch(), 'readings'),
    });
    const logger = recordingLogger();
    const sampler = startTelemetry(nvidiaSmi({ env }), [0, 2], 0.05, logger);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const telemetry = await sampler.stop();
    expect(telemetry.samples).toBeGreaterThanOrEqual(4);
    // 20, 80, then 60 for every later reading.
    const n = telemetry.samples;
    expect(telemetry.utilization_percent).toEqual({
      avg: Math.round(((20 + 80 + 60 * (n - 2)) / n) * 10) / 10,
      peak: 80,
    });
    expect(telemetry.memory_used_mib?.peak).toBe(3000);
    expect(telemetry.per_gpu.map((g) => g.index)).toEqual([0, 2]);
    expect(logger.lines).toEqual([]);
  });

  it('stops sampling with a warning when nvidia-smi starts failing, and never throws', async () => {
    const logger = recordingLogger();
    const sampler = startTelemetry(
      nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_FAIL: 'sample' }) }),
      [0],
      0.05,
      logger,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const telemetry = await sampler.stop();
    expect(telemetry.samples).toBe(0);
    expect(telemetry.error).toMatch(/^nvidia-smi failed \(exit code 15\)/);
    expect(logger.lines).toEqual([`warning: GPU telemetry stopped: ${telemetry.error}`]);
  });
});
