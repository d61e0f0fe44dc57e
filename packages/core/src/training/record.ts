import type { GpuAssignment } from './gpu/assign.ts';
import type { TrainParams } from './params.ts';
import type { GpuTelemetry } from './telemetry.ts';

export const TRAIN_SCHEMA = 'modelgate/train@1';
/** Written next to the model; the registry's lineage reads it. */
export const TRAIN_RECORD_FILE = 'modelgate-train.json';

/** The GPUs a training had and what they did: the `gpu-summary` output, and `gpu` in the record. */
export interface GpuSummary {
  /** GPUs the command was given. */
  count: number;
  /** The GPU model, e.g. "NVIDIA H100 80GB HBM3"; several kinds are listed with commas. */
  model?: string;
  devices: Array<{ index: number; name: string; uuid?: string; memory_total_mib?: number }>;
  driver_version?: string;
  cuda_version?: string;
  /** Why the command got no GPU. */
  note?: string;
  telemetry?: GpuTelemetry;
}

/** `modelgate/train@1`: what was trained, how, with what, for how long. */
export interface TrainRecord {
  schema: typeof TRAIN_SCHEMA;
  command: string;
  working_directory: string;
  model: { path: string; sha256: string; bytes: number };
  params: TrainParams;
  /** The command's own metrics file (`metrics-file`), when it wrote one. */
  metrics?: unknown;
  duration_seconds: number;
  started_at: string;
  finished_at: string;
  gpu: GpuSummary;
  tool: { name: 'modelgate'; version: string };
}

export function gpuSummary(assignment: GpuAssignment, telemetry?: GpuTelemetry): GpuSummary {
  if (assignment.kind === 'none') return { count: 0, devices: [], note: assignment.reason };
  const names = [...new Set(assignment.devices.map((d) => d.name))];
  return {
    count: assignment.devices.length,
    model: names.join(', '),
    devices: assignment.devices.map((d) => ({
      index: d.index,
      name: d.name,
      ...(d.uuid === undefined ? {} : { uuid: d.uuid }),
      ...(d.memoryTotalMiB === undefined ? {} : { memory_total_mib: d.memoryTotalMiB }),
    })),
    ...(assignment.driverVersion === undefined ? {} : { driver_version: assignment.driverVersion }),
    ...(assignment.cudaVersion === undefined ? {} : { cuda_version: assignment.cudaVersion }),
    ...(telemetry === undefined ? {} : { telemetry }),
  };
}
