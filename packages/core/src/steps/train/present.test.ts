import { describe, expect, it } from 'vitest';
import { TRAIN_SCHEMA } from '../../training/record.ts';
import { presentTrain } from './present.ts';
import type { TrainStepOutcome } from './run.ts';

const SHA = 'ab'.repeat(32);

const trained: TrainStepOutcome = {
  kind: 'trained',
  modelPath: 'out/model.onnx',
  recordPath: 'out/modelgate-train.json',
  record: {
    schema: TRAIN_SCHEMA,
    command: 'python train.py',
    working_directory: '.',
    model: { path: 'out/model.onnx', sha256: SHA, bytes: 1_234_567 },
    params: { lr: 0.01 },
    duration_seconds: 12345.6,
    started_at: '2025-01-01T00:00:00.000Z',
    finished_at: '2025-01-01T03:25:45.600Z',
    gpu: {
      count: 2,
      model: 'NVIDIA H100 80GB HBM3',
      devices: [
        { index: 0, name: 'NVIDIA H100 80GB HBM3', memory_total_mib: 81559 },
        { index: 1, name: 'NVIDIA H100 80GB HBM3', memory_total_mib: 81559 },
      ],
      telemetry: {
        interval_seconds: 5,
        samples: 2470,
        utilization_percent: { avg: 87.5, peak: 100 },
        memory_used_mib: { avg: 30012.5, peak: 41000 },
        per_gpu: [
          { index: 0, utilization_percent: { avg: 90, peak: 100 } },
          { index: 1, utilization_percent: { avg: 85, peak: 99 } },
        ],
      },
    },
    tool: { name: 'modelgate', version: 'test' },
  },
};

describe('the train step’s presentation', () => {
  it('prints numbers with the one formatter, on the terminal and in the summary: 12345.6 s is 12,345.6 s', () => {
    const { lines, summary, exitCode } = presentTrain(trained);
    expect(exitCode).toBe(0);
    expect(lines.map((l) => `${l.stream} ${l.text}`)).toEqual([
      `err modelgate: trained out/model.onnx (sha256 ${SHA}, 1,234,567 bytes) in 12,345.6 s on 2 × NVIDIA H100 80GB HBM3, utilisation avg 87.5% peak 100%`,
      'err modelgate: wrote out/modelgate-train.json',
    ]);
    expect(summary).toMatch(/^\| model +\| `out\/model\.onnx` \(1,234,567 bytes\) +\|$/m);
    expect(summary).toMatch(/^\| duration +\| 12,345\.6 s +\|$/m);
    expect(summary).toMatch(/^\| GPU memory used +\| avg 30,012\.5 MiB, peak 41,000 MiB of 81,559 MiB +\|$/m);
    expect(summary).toMatch(/^\| telemetry +\| 2,470 readings, every 5 s +\|$/m);
  });

  it('keeps the outputs machine values: no separators', () => {
    expect(presentTrain(trained).outputs).toMatchObject({
      'duration-seconds': '12345.6',
      'gpu-count': '2',
      sha256: SHA,
    });
  });

  it('fails with the command’s message, shown literally in the summary', () => {
    const message = 'training command exited with code 1 after 2 s; its last stderr line: *boom* | <oops>';
    const presentation = presentTrain({
      kind: 'failed',
      failure: { kind: 'exited', code: 1 },
      message,
      durationSeconds: 2,
      gpu: { count: 0, devices: [], note: 'gpus is none' },
    });
    expect(presentation).toMatchObject({ exitCode: 1, failure: message, outputs: { 'gpu-count': '0' } });
    expect(presentation.summary).toContain('last stderr line: \\*boom\\* | \\<oops>');
    expect(presentation.summary).toMatch(/^\| GPUs +\| none \(gpus is none\) +\|$/m);
  });
});
