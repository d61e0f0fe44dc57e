import type { GpuSummary, TrainOutcome, UsageStats } from '@modelgate/core';
import { escapeCell } from '@modelgate/core';
import { markdownTable } from 'markdown-table';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function usage(stats: UsageStats | undefined, unit: string): string {
  if (stats === undefined) return 'not reported';
  return `avg ${integer.format(stats.avg)} ${unit}, peak ${integer.format(stats.peak)} ${unit}`;
}

/** One line for the GPUs: "2 × NVIDIA H100 80GB HBM3 (GPUs 0,1; driver 535.104.05, CUDA 12.2)". */
export function describeGpus(gpu: GpuSummary): string {
  if (gpu.count === 0) return `none (${gpu.note ?? 'no GPU'})`;
  const versions = [
    gpu.driver_version === undefined ? undefined : `driver ${gpu.driver_version}`,
    gpu.cuda_version === undefined ? undefined : `CUDA ${gpu.cuda_version}`,
  ].filter((v) => v !== undefined);
  return `${gpu.count} × ${gpu.model ?? 'GPU'} (GPU${gpu.count === 1 ? '' : 's'} ${gpu.devices.map((d) => d.index).join(',')}${versions.length === 0 ? '' : `; ${versions.join(', ')}`})`;
}

/** The GPU rows of the summary table; shared by success and failure. */
function gpuRows(gpu: GpuSummary): string[][] {
  const rows = [['GPUs', describeGpus(gpu)]];
  const t = gpu.telemetry;
  if (t !== undefined) {
    const total = gpu.devices[0]?.memory_total_mib;
    rows.push(['GPU utilisation', usage(t.utilization_percent, '%')]);
    rows.push([
      'GPU memory used',
      `${usage(t.memory_used_mib, 'MiB')}${total === undefined ? '' : ` of ${integer.format(total)} MiB`}`,
    ]);
    rows.push([
      'telemetry',
      `${t.samples} reading${t.samples === 1 ? '' : 's'}, every ${t.interval_seconds} s${t.error === undefined ? '' : `; stopped: ${t.error}`}`,
    ]);
  }
  return rows;
}

/** The job summary of the train step: what was trained, how long, on what, and what the GPUs did. */
export function trainSummary(outcome: TrainOutcome): string {
  const table = (rows: string[][]) =>
    markdownTable([['', ''], ...rows.map((r) => r.map(escapeCell))], { align: ['l', 'l'] });
  if (outcome.kind === 'failed') {
    return [
      '### modelgate train: failed',
      '',
      escapeCell(outcome.message),
      '',
      table([['duration', `${outcome.durationSeconds} s`], ...gpuRows(outcome.gpu)]),
      '',
    ].join('\n');
  }
  const { record } = outcome;
  const lines = [
    `### modelgate train: \`${escapeCell(outcome.modelPath)}\``,
    '',
    table([
      ['model', `\`${outcome.modelPath}\` (${integer.format(record.model.bytes)} bytes)`],
      ['sha256', `\`${record.model.sha256}\``],
      ['duration', `${record.duration_seconds} s`],
      ...gpuRows(record.gpu),
      ['params', Object.keys(record.params).length === 0 ? 'none' : `\`${JSON.stringify(record.params)}\``],
      ['lineage', `\`${outcome.recordPath}\``],
    ]),
  ];
  const perGpu = record.gpu.telemetry?.per_gpu ?? [];
  if (perGpu.length > 1) {
    lines.push(
      '',
      markdownTable([
        ['GPU', 'utilisation', 'memory used'],
        ...perGpu.map((g) => [
          String(g.index),
          usage(g.utilization_percent, '%'),
          usage(g.memory_used_mib, 'MiB'),
        ]),
      ]),
    );
  }
  lines.push('');
  return lines.join('\n');
}
