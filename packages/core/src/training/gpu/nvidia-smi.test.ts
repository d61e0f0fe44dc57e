import { describe, expect, it } from 'vitest';
import { noGpuEnv, standInEnv } from '../testing.ts';
import { nvidiaSmi, parseCudaVersion, parseInventory, parseSamples } from './nvidia-smi.ts';

describe('nvidia-smi output', () => {
  it('parses the GPU list, with N/A where a device reports nothing', () => {
    const out = [
      '0, NVIDIA A100-SXM4-80GB, GPU-5d1c9a6e-1b0b-2d3f-8c41-0a9d6e2f4b11, 81920, 550.54.15',
      '1, Tesla T4, [N/A], [N/A], 550.54.15',
    ].join('\n');
    expect(parseInventory(out)).toEqual({
      kind: 'ok',
      driverVersion: '550.54.15',
      devices: [
        {
          index: 0,
          name: 'NVIDIA A100-SXM4-80GB',
          uuid: 'GPU-5d1c9a6e-1b0b-2d3f-8c41-0a9d6e2f4b11',
          memoryTotalMiB: 81920,
        },
        { index: 1, name: 'Tesla T4', uuid: undefined, memoryTotalMiB: undefined },
      ],
    });
    expect(parseInventory('garbage')).toEqual({
      kind: 'error',
      message: 'expected 5 comma-separated fields starting with an index, got "garbage"',
    });
  });

  it('parses readings, keeping unsupported values out', () => {
    expect(parseSamples('0, 97, 40123\r\n1, [Not Supported], 512\n')).toEqual([
      { index: 0, utilizationPercent: 97, memoryUsedMiB: 40123 },
      { index: 1, utilizationPercent: undefined, memoryUsedMiB: 512 },
    ]);
  });

  it('finds the CUDA version in `nvidia-smi --version`', () => {
    expect(parseCudaVersion('NVIDIA-SMI version  : 550.54.15\nCUDA Version        : 12.4\n')).toBe('12.4');
    expect(parseCudaVersion('nothing here')).toBeUndefined();
  });
});

describe('nvidiaSmi probe (the stand-in on PATH)', () => {
  it('lists the GPUs with name, memory, driver and CUDA version', async () => {
    const inventory = await nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_GPUS: '2' }) }).inventory();
    expect(inventory).toEqual({
      kind: 'found',
      driverVersion: '535.104.05',
      cudaVersion: '12.2',
      devices: [
        {
          index: 0,
          name: 'NVIDIA H100 80GB HBM3',
          uuid: 'GPU-00000000-fake-4b1d-9c3e-000000000000',
          memoryTotalMiB: 81559,
        },
        {
          index: 1,
          name: 'NVIDIA H100 80GB HBM3',
          uuid: 'GPU-00000001-fake-4b1d-9c3e-000000000001',
          memoryTotalMiB: 81559,
        },
      ],
    });
  });

  it('says plainly that there is no GPU when nvidia-smi is not installed', async () => {
    expect(await nvidiaSmi({ env: noGpuEnv() }).inventory()).toEqual({
      kind: 'none',
      reason: 'nvidia-smi is not on PATH, so this runner has no NVIDIA GPU (or no NVIDIA driver)',
    });
  });

  it('takes "No devices were found" for no GPU, not for a broken driver', async () => {
    expect(await nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_GPUS: '0' }) }).inventory()).toEqual({
      kind: 'none',
      reason: 'nvidia-smi found no NVIDIA GPU on this runner',
    });
  });

  it('reports a dead driver with nvidia-smi’s own words and what to check', async () => {
    const inventory = await nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_FAIL: 'driver' }) }).inventory();
    expect(inventory).toMatchObject({
      kind: 'broken',
      reason:
        "nvidia-smi failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    });
    const mismatch = await nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_FAIL: 'mismatch' }) }).inventory();
    expect(mismatch).toMatchObject({
      kind: 'broken',
      reason: 'nvidia-smi failed (exit code 18): Failed to initialize NVML: Driver/library version mismatch',
      hint: expect.stringContaining('reboot'),
    });
  });

  it('reads utilisation and memory of every GPU', async () => {
    const probe = nvidiaSmi({
      env: standInEnv({
        FAKE_NVIDIA_SMI_GPUS: '2',
        FAKE_NVIDIA_SMI_UTIL: '73',
        FAKE_NVIDIA_SMI_MEMORY_USED: '1024',
      }),
    });
    expect(await probe.sample()).toEqual([
      { index: 0, utilizationPercent: 73, memoryUsedMiB: 1024 },
      { index: 1, utilizationPercent: 73, memoryUsedMiB: 1024 },
    ]);
    const failing = nvidiaSmi({ env: standInEnv({ FAKE_NVIDIA_SMI_FAIL: 'sample' }) });
    await expect(failing.sample()).rejects.toThrow(
      'nvidia-smi failed (exit code 15): Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
    );
  });
});
