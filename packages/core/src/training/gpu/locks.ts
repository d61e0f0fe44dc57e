import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../kernel/errors.ts';
import {
  isGroupAlive,
  isProcessAlive,
  type ProcessIdentity,
  selfIdentity,
} from '../../kernel/process/liveness.ts';
import type { GpuDevice } from './nvidia-smi.ts';

/**
 * Shared by every runner process on the host. Not RUNNER_TEMP or the tool cache: each runner
 * has its own of those, and the point is that runners see each other's claims.
 */
export const DEFAULT_GPU_LOCK_DIR = '/tmp/modelgate-gpu-locks';

/** The lock directory: `MODELGATE_GPU_LOCK_DIR`, or the host-wide default. */
export function gpuLockDir(env: NodeJS.ProcessEnv): string {
  const dir = env.MODELGATE_GPU_LOCK_DIR?.trim();
  return dir === undefined || dir === '' ? DEFAULT_GPU_LOCK_DIR : dir;
}

/** What a GPU lock file holds (JSON). */
export interface GpuLockRecord {
  /** The modelgate process that claimed the GPU. */
  pid: number;
  /** Its kernel start time, so a reused pid is not taken for the claimer. */
  start?: string;
  host: string;
  /** The training command's process group: an orphaned training still uses the GPU. */
  pgid?: number;
  gpu: { index: number; uuid?: string };
  claimed_at: string;
  /** Who claimed it, for people reading the directory: runner name and run. */
  label?: string;
}

/** Who claims: this process, on this host. */
export interface LockOwner {
  readonly identity: ProcessIdentity;
  readonly host: string;
  readonly label?: string;
}

export function lockOwner(label?: string): LockOwner {
  return { identity: selfIdentity(), host: hostname(), ...(label === undefined ? {} : { label }) };
}

/** A GPU another job holds, for the message that says why none was free. */
export interface HeldGpu {
  readonly index: number;
  readonly holder: GpuLockRecord | undefined;
}

/** A GPU whose claimer died without releasing it, taken over. */
export interface ReclaimedGpu {
  readonly index: number;
  readonly from: GpuLockRecord | undefined;
}

/** GPUs this process holds until release(), which also runs when the process exits. */
export interface GpuClaim {
  readonly devices: readonly GpuDevice[];
  /** Records the training command's process group in the locks (see GpuLockRecord.pgid). */
  attachProcessGroup(pgid: number): void;
  /** Removes this process's lock files. Synchronous, so it works in an 'exit' handler; idempotent. */
  release(): void;
}

export type ClaimAttempt =
  | { kind: 'claimed'; claim: GpuClaim; reclaimed: ReclaimedGpu[] }
  | { kind: 'busy'; free: number; held: HeldGpu[]; reclaimed: ReclaimedGpu[] };

/** A file that is empty or unreadable this long after it was made is not being written: it is junk. */
const UNREADABLE_GRACE_MS = 10_000;
/** The claim mutex is held for a few milliseconds; waiting longer than this means something is wrong. */
const MUTEX_WAIT_MS = 10_000;
const MUTEX_FILE = '.claim.lock';

/**
 * GPU assignment across the runner processes of one host, with a lock file per GPU in a shared
 * directory. A claim is all-or-nothing and happens under a short directory-wide mutex, so two
 * jobs never split a request between them. Each lock file is created with O_EXCL and holds the
 * claimer's pid; one whose claimer is dead (and whose training process group is gone too) is
 * stale and is reclaimed.
 */
export class GpuLocks {
  constructor(
    readonly dir: string,
    private readonly owner: LockOwner = lockOwner(),
  ) {}

  /**
   * Claims `want` GPUs (or every free one for 'all', at least one) among `devices`, lowest index
   * first. Never waits for a busy GPU: the caller decides whether to try again.
   */
  async tryClaim(devices: readonly GpuDevice[], want: number | 'all'): Promise<ClaimAttempt> {
    this.ensureDir();
    const unlock = await this.lockMutex();
    try {
      const reclaimed: ReclaimedGpu[] = [];
      const held: HeldGpu[] = [];
      const free: GpuDevice[] = [];
      for (const device of [...devices].sort((a, b) => a.index - b.index)) {
        const state = this.inspect(this.fileOf(device));
        if (state.kind === 'stale') {
          if (removeIfUnchanged(this.fileOf(device), state.text)) {
            reclaimed.push({ index: device.index, from: state.record });
            free.push(device);
          } else held.push({ index: device.index, holder: state.record });
        } else if (state.kind === 'held') held.push({ index: device.index, holder: state.record });
        else free.push(device);
      }
      const count = want === 'all' ? free.length : want;
      if (count === 0 || free.length < count) return { kind: 'busy', free: free.length, held, reclaimed };
      const taken: GpuDevice[] = [];
      for (const device of free.slice(0, count)) {
        if (this.create(device)) taken.push(device);
        else {
          // Only a claimer that ignores the mutex can get here; give back what we took.
          for (const t of taken) this.removeOwn(this.fileOf(t));
          return {
            kind: 'busy',
            free: free.length - 1,
            held: [...held, { index: device.index, holder: undefined }],
            reclaimed,
          };
        }
      }
      return { kind: 'claimed', claim: this.claimOf(taken), reclaimed };
    } finally {
      unlock();
    }
  }

  private fileOf(device: GpuDevice): string {
    const id = device.uuid ?? `index-${device.index}`;
    return join(this.dir, `gpu-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  }

  private record(device: GpuDevice, pgid?: number): GpuLockRecord {
    return {
      pid: this.owner.identity.pid,
      ...(this.owner.identity.start === undefined ? {} : { start: this.owner.identity.start }),
      host: this.owner.host,
      ...(pgid === undefined ? {} : { pgid }),
      gpu: { index: device.index, ...(device.uuid === undefined ? {} : { uuid: device.uuid }) },
      claimed_at: new Date().toISOString(),
      ...(this.owner.label === undefined ? {} : { label: this.owner.label }),
    };
  }

  /** O_EXCL create, content in one write: a reader sees an empty file or the whole record. */
  private create(device: GpuDevice): boolean {
    let fd: number;
    try {
      fd = openSync(this.fileOf(device), 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw lockDirError(this.dir, error);
    }
    try {
      writeSync(fd, `${JSON.stringify(this.record(device))}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private claimOf(devices: GpuDevice[]): GpuClaim {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      for (const device of devices) this.removeOwn(this.fileOf(device));
    };
    // The last line of defence: an uncaught error or process.exit() still gives the GPUs back.
    // (SIGKILL runs nothing; the next claimer finds the pid dead and reclaims.)
    process.on('exit', release);
    return {
      devices,
      release,
      attachProcessGroup: (pgid) => {
        for (const device of devices) {
          const file = this.fileOf(device);
          // Ours until released, so nobody else writes it; rename keeps readers from a half-written file.
          const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
          writeFileSync(temporary, `${JSON.stringify(this.record(device, pgid))}\n`);
          renameSync(temporary, file);
        }
      },
    };
  }

  private removeOwn(file: string): void {
    const state = readLock(file);
    if (state.record?.pid === this.owner.identity.pid && state.record.host === this.owner.host) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    }
  }

  private inspect(
    file: string,
  ):
    | { kind: 'free' }
    | { kind: 'held'; record: GpuLockRecord | undefined }
    | { kind: 'stale'; record: GpuLockRecord | undefined; text: string } {
    const state = readLock(file);
    if (state.kind === 'missing') return { kind: 'free' };
    const record = state.record;
    if (record === undefined) {
      // Empty: its creator is between open and write. Junk only once it has sat there a while.
      return state.ageMs > UNREADABLE_GRACE_MS
        ? { kind: 'stale', record, text: state.text }
        : { kind: 'held', record };
    }
    // A lock from another host (a lock directory on a network share) cannot be judged from here.
    if (record.host !== this.owner.host) return { kind: 'held', record };
    const identity =
      record.start === undefined ? { pid: record.pid } : { pid: record.pid, start: record.start };
    if (isProcessAlive(identity)) return { kind: 'held', record };
    if (record.pgid !== undefined && isGroupAlive(record.pgid)) return { kind: 'held', record };
    return { kind: 'stale', record, text: state.text };
  }

  private ensureDir(): void {
    let created: string | undefined;
    try {
      created = mkdirSync(this.dir, { recursive: true, mode: 0o1777 });
    } catch (error) {
      throw lockDirError(this.dir, error);
    }
    // Runners of different users share the directory, like /tmp: world-writable and sticky.
    if (created !== undefined) {
      try {
        chmodSync(this.dir, 0o1777);
      } catch {
        // Someone else's directory; their permissions stand.
      }
    }
  }

  private async lockMutex(): Promise<() => void> {
    const file = join(this.dir, MUTEX_FILE);
    const deadline = Date.now() + MUTEX_WAIT_MS;
    const content = `${JSON.stringify({ pid: this.owner.identity.pid, start: this.owner.identity.start, host: this.owner.host })}\n`;
    for (;;) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        try {
          writeSync(fd, content);
        } finally {
          closeSync(fd);
        }
        return () => removeIfUnchanged(file, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockDirError(this.dir, error);
      }
      const state = readLock(file);
      if (state.kind === 'present') {
        const holder = state.record;
        const dead =
          holder === undefined
            ? state.ageMs > UNREADABLE_GRACE_MS
            : holder.host === this.owner.host &&
              !isProcessAlive(
                holder.start === undefined ? { pid: holder.pid } : { pid: holder.pid, start: holder.start },
              );
        if (dead) {
          removeIfUnchanged(file, state.text);
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw new InputError(
          `the GPU lock directory ${this.dir} has been busy for ${MUTEX_WAIT_MS / 1000} s: ${file} is held by ${describeHolder(state.kind === 'present' ? state.record : undefined)}`,
          { hint: `if no modelgate process is running on this host, delete ${file}` },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}

type LockFile =
  | { kind: 'missing'; record?: undefined }
  | { kind: 'present'; text: string; record: GpuLockRecord | undefined; ageMs: number };

function readLock(file: string): LockFile {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let record: GpuLockRecord | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<GpuLockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') record = parsed as GpuLockRecord;
  } catch {
    record = undefined;
  }
  return { kind: 'present', text, record, ageMs };
}

/**
 * Deletes a stale lock only if it still holds what was judged stale. POSIX has no
 * compare-and-delete, so: move it aside (atomic), look at what was moved, and put it back if a
 * live claimer had replaced the stale file in the meantime. The claim mutex makes that race rare
 * for GPU locks; docs/train.md says what is left of it.
 */
function removeIfUnchanged(file: string, expected: string): boolean {
  const aside = `${file}.reclaim-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    moved = '';
  }
  if (moved === expected) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, file);
  } catch {
    // Someone created a new lock meanwhile; theirs stands.
  }
  unlinkSync(aside);
  return false;
}

function lockDirError(dir: string, error: unknown): InputError {
  return new InputError(`cannot use the GPU lock directory ${dir}: ${(error as Error).message}`, {
    cause: error,
    hint: 'set MODELGATE_GPU_LOCK_DIR to a directory every runner process on this host can write',
  });
}

/** "pid 123 (runner gpu-2, run 456) since 12:00:01Z" */
export function describeHolder(record: GpuLockRecord | undefined): string {
  if (record === undefined) return 'a claimer that is still writing its lock file';
  const parts = [`pid ${record.pid}`];
  if (record.pgid !== undefined && record.pgid !== record.pid)
    parts.push(`training process group ${record.pgid}`);
  if (record.label !== undefined) parts.push(record.label);
  if (record.claimed_at !== undefined) parts.push(`since ${record.claimed_at}`);
  return parts.join(', ');
}
