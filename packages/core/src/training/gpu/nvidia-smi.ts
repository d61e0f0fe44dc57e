import { execFile } from 'node:child_process';

/** One GPU as nvidia-smi lists it. */
export interface GpuDevice {
  /** nvidia-smi's index (PCI bus order), the number CUDA_VISIBLE_DEVICES takes with CUDA_DEVICE_ORDER=PCI_BUS_ID. */
  readonly index: number;
  readonly name: string;
  /** Stable across reboots and re-enumeration; undefined when nvidia-smi reports N/A. */
  readonly uuid: string | undefined;
  readonly memoryTotalMiB: number | undefined;
}

/** What the host has: GPUs, none at all, or a driver that does not answer. */
export type GpuInventory =
  | { kind: 'found'; devices: GpuDevice[]; driverVersion?: string; cudaVersion?: string }
  | { kind: 'none'; reason: string }
  | { kind: 'broken'; reason: string; hint: string };

/** One reading of one GPU; a value the device does not report is undefined. */
export interface GpuSample {
  readonly index: number;
  readonly utilizationPercent: number | undefined;
  readonly memoryUsedMiB: number | undefined;
}

/** How the training step sees the GPUs. nvidia-smi on a runner; a stand-in script in tests. */
export interface GpuProbe {
  inventory(): Promise<GpuInventory>;
  /** Reads utilisation and memory of every GPU; throws a message that names the failure. */
  sample(): Promise<GpuSample[]>;
}

// The only queries modelgate sends; test/fixtures/nvidia-smi answers exactly these.
export const INVENTORY_QUERY = 'index,name,uuid,memory.total,driver_version';
export const SAMPLE_QUERY = 'index,utilization.gpu,memory.used';
export const CSV_FORMAT = 'csv,noheader,nounits';

/** A hung driver can make nvidia-smi block for minutes; a step must not wait that long to learn it. */
const NVIDIA_SMI_TIMEOUT_MS = 20_000;
/** nvidia-smi's exit status for "No devices were found". */
const NO_DEVICES_EXIT = 6;

const DRIVER_HINT =
  "run 'nvidia-smi' on the runner host; after a driver upgrade the host usually needs a reboot " +
  '(Driver/library version mismatch), and a container needs the NVIDIA container toolkit (--gpus)';

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
  code: number | string | null;
  missing: boolean;
  timedOut: boolean;
}

/** The GPUs of this host, through `nvidia-smi` found on `env.PATH`. */
export function nvidiaSmi(options: { env: NodeJS.ProcessEnv; executable?: string }): GpuProbe {
  const executable = options.executable ?? 'nvidia-smi';
  const run = (args: string[]) =>
    new Promise<Run>((resolve) => {
      execFile(
        executable,
        args,
        { env: options.env, timeout: NVIDIA_SMI_TIMEOUT_MS, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
          resolve({
            ok: e === null,
            stdout,
            stderr,
            code: e?.code ?? 0,
            missing: e?.code === 'ENOENT',
            timedOut: e?.killed === true,
          });
        },
      );
    });
  const query = (fields: string) => run([`--query-gpu=${fields}`, `--format=${CSV_FORMAT}`]);

  return {
    async inventory() {
      const listed = await query(INVENTORY_QUERY);
      if (listed.missing) {
        return {
          kind: 'none',
          reason: 'nvidia-smi is not on PATH, so this runner has no NVIDIA GPU (or no NVIDIA driver)',
        };
      }
      const said = firstLine(listed.stdout, listed.stderr);
      if (!listed.ok && (listed.code === NO_DEVICES_EXIT || /no devices were found/i.test(said))) {
        return { kind: 'none', reason: 'nvidia-smi found no NVIDIA GPU on this runner' };
      }
      if (!listed.ok) return { kind: 'broken', reason: failure(listed, said), hint: DRIVER_HINT };
      const devices = parseInventory(listed.stdout);
      if (devices.kind === 'error') {
        return {
          kind: 'broken',
          reason: `nvidia-smi answered something modelgate cannot read: ${devices.message}`,
          hint: DRIVER_HINT,
        };
      }
      if (devices.devices.length === 0)
        return { kind: 'none', reason: 'nvidia-smi lists no GPU on this runner' };
      // The CUDA version is not a --query-gpu field; `nvidia-smi --version` prints it (driver ≥ 525).
      const version = await run(['--version']);
      const cudaVersion = version.ok ? parseCudaVersion(version.stdout) : undefined;
      return {
        kind: 'found',
        devices: devices.devices,
        ...(devices.driverVersion === undefined ? {} : { driverVersion: devices.driverVersion }),
        ...(cudaVersion === undefined ? {} : { cudaVersion }),
      };
    },
    async sample() {
      const sampled = await query(SAMPLE_QUERY);
      if (!sampled.ok) throw new Error(failure(sampled, firstLine(sampled.stdout, sampled.stderr)));
      return parseSamples(sampled.stdout);
    },
  };
}

function failure(run: Run, said: string): string {
  if (run.missing) return 'nvidia-smi is no longer on PATH';
  if (run.timedOut)
    return `nvidia-smi did not answer within ${NVIDIA_SMI_TIMEOUT_MS / 1000} s: the GPU driver looks hung`;
  return `nvidia-smi failed (exit code ${run.code})${said === '' ? '' : `: ${said}`}`;
}

function firstLine(...texts: string[]): string {
  for (const text of texts) {
    const line = text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '');
    if (line !== undefined) return line;
  }
  return '';
}

/** nvidia-smi writes `[N/A]` or `[Not Supported]` for values a device does not report. */
function number(field: string | undefined): number | undefined {
  if (field === undefined) return undefined;
  const n = Number(field.trim());
  return field.trim() === '' || !Number.isFinite(n) ? undefined : n;
}

function text(field: string | undefined): string | undefined {
  const value = field?.trim();
  return value === undefined || value === '' || /^\[?(N\/A|Not Supported)\]?$/i.test(value)
    ? undefined
    : value;
}

function rows(stdout: string): string[][] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(',').map((field) => field.trim()));
}

/** Parses `--query-gpu=index,name,uuid,memory.total,driver_version --format=csv,noheader,nounits`. */
export function parseInventory(
  stdout: string,
): { kind: 'ok'; devices: GpuDevice[]; driverVersion?: string } | { kind: 'error'; message: string } {
  const devices: GpuDevice[] = [];
  let driverVersion: string | undefined;
  for (const fields of rows(stdout)) {
    const index = number(fields[0]);
    if (fields.length !== 5 || index === undefined || !Number.isInteger(index)) {
      return {
        kind: 'error',
        message: `expected 5 comma-separated fields starting with an index, got "${fields.join(', ')}"`,
      };
    }
    devices.push({
      index,
      name: text(fields[1]) ?? 'unknown GPU',
      uuid: text(fields[2]),
      memoryTotalMiB: number(fields[3]),
    });
    driverVersion ??= text(fields[4]);
  }
  return { kind: 'ok', devices, ...(driverVersion === undefined ? {} : { driverVersion }) };
}

/** Parses `--query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits`. */
export function parseSamples(stdout: string): GpuSample[] {
  const samples: GpuSample[] = [];
  for (const fields of rows(stdout)) {
    const index = number(fields[0]);
    if (fields.length !== 3 || index === undefined) {
      throw new Error(`nvidia-smi answered a line modelgate cannot read: "${fields.join(', ')}"`);
    }
    samples.push({ index, utilizationPercent: number(fields[1]), memoryUsedMiB: number(fields[2]) });
  }
  return samples;
}

/** `CUDA Version        : 12.4` from `nvidia-smi --version`. */
export function parseCudaVersion(stdout: string): string | undefined {
  return /CUDA Version\s*:\s*([0-9][0-9.]*)/i.exec(stdout)?.[1];
}
