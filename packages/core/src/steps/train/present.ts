import { formatCount } from '../../kernel/format.ts';
import { code, escapeText, table } from '../../kernel/markdown.ts';
import { err, type Presentation } from '../../kernel/step.ts';
import type { GpuSummary } from '../../training/record.ts';
import type { UsageStats } from '../../training/telemetry.ts';
import type { TrainStepOutcome } from './run.ts';

/**
 * The outcome for every caller: a line on stderr (stdout is the training command's), the job
 * summary, the outputs (machine values: numbers as JSON writes them), and a failed command as the
 * step's "no" (exit code 1), its message the one line an action fails with.
 */
export function presentTrain(outcome: TrainStepOutcome): Presentation {
  if (outcome.kind === 'failed') {
    return {
      lines: [err(`modelgate: training failed: ${outcome.message}`)],
      summary: trainSummary(outcome),
      outputs: {
        'duration-seconds': String(outcome.durationSeconds),
        'gpu-count': String(outcome.gpu.count),
        'gpu-summary': JSON.stringify(outcome.gpu),
      },
      // Neither bad input nor a bug: the user's command failed. 1, as for a failed gate, and the
      // message carries the command's own exit code.
      exitCode: 1,
      failure: outcome.message,
    };
  }
  const { record } = outcome;
  return {
    lines: [
      err(
        `modelgate: trained ${outcome.modelPath} (sha256 ${record.model.sha256}, ${formatCount(record.model.bytes)} bytes) in ${formatCount(record.duration_seconds)} s on ${gpuLine(record.gpu)}`,
      ),
      err(`modelgate: wrote ${outcome.recordPath}`),
    ],
    summary: trainSummary(outcome),
    outputs: {
      model: outcome.modelPath,
      sha256: record.model.sha256,
      'duration-seconds': String(record.duration_seconds),
      'gpu-count': String(record.gpu.count),
      'gpu-summary': JSON.stringify(record.gpu),
      record: outcome.recordPath,
    },
    exitCode: 0,
  };
}

/** The GPUs in the terminal line: "no GPU", or "2 × NVIDIA H100 80GB HBM3, utilisation avg 88% peak 91%". */
function gpuLine(gpu: GpuSummary): string {
  if (gpu.count === 0) return 'no GPU';
  const use = gpu.telemetry?.utilization_percent;
  return `${formatCount(gpu.count)} × ${gpu.model}${use === undefined ? '' : `, utilisation avg ${formatCount(use.avg)}% peak ${formatCount(use.peak)}%`}`;
}

function usage(stats: UsageStats | undefined, unit: string): string {
  if (stats === undefined) return 'not reported';
  return `avg ${formatCount(stats.avg)} ${unit}, peak ${formatCount(stats.peak)} ${unit}`;
}

/** One line for the GPUs: "2 × NVIDIA H100 80GB HBM3 (GPUs 0,1; driver 535.104.05, CUDA 12.2)". */
export function describeGpus(gpu: GpuSummary): string {
  if (gpu.count === 0) return `none (${gpu.note ?? 'no GPU'})`;
  const versions = [
    gpu.driver_version === undefined ? undefined : `driver ${gpu.driver_version}`,
    gpu.cuda_version === undefined ? undefined : `CUDA ${gpu.cuda_version}`,
  ].filter((v) => v !== undefined);
  return `${formatCount(gpu.count)} × ${gpu.model ?? 'GPU'} (GPU${gpu.count === 1 ? '' : 's'} ${gpu.devices.map((d) => d.index).join(',')}${versions.length === 0 ? '' : `; ${versions.join(', ')}`})`;
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
      `${usage(t.memory_used_mib, 'MiB')}${total === undefined ? '' : ` of ${formatCount(total)} MiB`}`,
    ]);
    rows.push([
      'telemetry',
      `${formatCount(t.samples)} reading${t.samples === 1 ? '' : 's'}, every ${formatCount(t.interval_seconds)} s${t.error === undefined ? '' : `; stopped: ${t.error}`}`,
    ]);
  }
  return rows;
}

/** The job summary of the train step: what was trained, how long, on what, and what the GPUs did. */
export function trainSummary(outcome: TrainStepOutcome): string {
  const facts = (rows: string[][]) => table(['', ''], rows, ['l', 'l']);
  if (outcome.kind === 'failed') {
    return [
      '### modelgate train: failed',
      '',
      escapeText(outcome.message),
      '',
      facts([['duration', `${formatCount(outcome.durationSeconds)} s`], ...gpuRows(outcome.gpu)]),
      '',
    ].join('\n');
  }
  const { record } = outcome;
  const lines = [
    `### modelgate train: ${code(outcome.modelPath)}`,
    '',
    facts([
      ['model', `${code(outcome.modelPath)} (${formatCount(record.model.bytes)} bytes)`],
      ['sha256', code(record.model.sha256)],
      ['duration', `${formatCount(record.duration_seconds)} s`],
      ...gpuRows(record.gpu),
      ['params', Object.keys(record.params).length === 0 ? 'none' : code(JSON.stringify(record.params))],
      ['lineage', code(outcome.recordPath)],
    ]),
  ];
  const perGpu = record.gpu.telemetry?.per_gpu ?? [];
  if (perGpu.length > 1) {
    lines.push(
      '',
      table(
        ['GPU', 'utilisation', 'memory used'],
        perGpu.map((g) => [
          String(g.index),
          usage(g.utilization_percent, '%'),
          usage(g.memory_used_mib, 'MiB'),
        ]),
        ['r', 'l', 'l'],
      ),
    );
  }
  lines.push('');
  return lines.join('\n');
}
