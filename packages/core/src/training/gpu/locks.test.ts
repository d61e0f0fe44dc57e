import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../kernel/process/liveness.ts';
import { deadPid, scratch } from '../testing.ts';
import { type GpuLockRecord, GpuLocks, lockOwner } from './locks.ts';
import type { GpuDevice } from './nvidia-smi.ts';

const GPUS: GpuDevice[] = [0, 1, 2, 3].map((index) => ({
  index,
  name: 'NVIDIA H100 80GB HBM3',
  uuid: `GPU-${index}`,
  memoryTotalMiB: 81559,
}));

function lockFile(dir: string, index: number): string {
  return join(dir, `gpu-GPU-${index}.lock`);
}

function staleRecord(pid: number, index: number, extra: Partial<GpuLockRecord> = {}): string {
  return JSON.stringify({
    pid,
    host: hostname(),
    gpu: { index },
    claimed_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  });
}

async function claimed(locks: GpuLocks, want: number | 'all') {
  const attempt = await locks.tryClaim(GPUS, want);
  if (attempt.kind !== 'claimed') throw new Error(`expected a claim, got ${JSON.stringify(attempt)}`);
  return attempt;
}

/** The next claimer takes over the one stale lock in `dir`. */
async function reclaimsOneStaleLock(dir: string): Promise<void> {
  const attempt = await claimed(new GpuLocks(dir), 1);
  expect(attempt.reclaimed).toHaveLength(1);
  attempt.claim.release();
}

describe('GpuLocks', () => {
  it('gives two claimers disjoint GPUs, lowest index first, and nothing to a third', async () => {
    const dir = scratch();
    const first = await claimed(new GpuLocks(dir), 2);
    const second = await claimed(new GpuLocks(dir), 2);
    expect(first.claim.devices.map((d) => d.index)).toEqual([0, 1]);
    expect(second.claim.devices.map((d) => d.index)).toEqual([2, 3]);
    const third = await new GpuLocks(dir).tryClaim(GPUS, 1);
    expect(third).toMatchObject({ kind: 'busy', free: 0 });
    if (third.kind === 'busy')
      expect(third.held.map((h) => h.holder?.pid)).toEqual([
        process.pid,
        process.pid,
        process.pid,
        process.pid,
      ]);
    first.claim.release();
    second.claim.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('claims all or nothing: a request for more than is free takes none', async () => {
    const dir = scratch();
    const one = await claimed(new GpuLocks(dir), 1);
    expect(await new GpuLocks(dir).tryClaim(GPUS, 4)).toMatchObject({ kind: 'busy', free: 3 });
    expect(readdirSync(dir).sort()).toEqual(['gpu-GPU-0.lock']);
    const rest = await claimed(new GpuLocks(dir), 'all');
    expect(rest.claim.devices.map((d) => d.index)).toEqual([1, 2, 3]);
    one.claim.release();
    rest.claim.release();
  });

  it('writes a lock holding the claimer’s pid, start time, host and label, and the training process group later', async () => {
    const dir = scratch();
    const { claim } = await claimed(new GpuLocks(dir, lockOwner('runner gpu-1, run acme/widgets#42')), 1);
    const record = JSON.parse(readFileSync(lockFile(dir, 0), 'utf8')) as GpuLockRecord;
    expect(record).toMatchObject({
      pid: process.pid,
      host: hostname(),
      gpu: { index: 0, uuid: 'GPU-0' },
      label: 'runner gpu-1, run acme/widgets#42',
    });
    expect(record.start).toBe(processStartTime(process.pid));
    claim.attachProcessGroup(4242);
    expect(JSON.parse(readFileSync(lockFile(dir, 0), 'utf8')).pgid).toBe(4242);
    claim.release();
    claim.release();
    expect(existsSync(lockFile(dir, 0))).toBe(false);
  });

  it('reclaims a lock whose claimer is dead, and says whose it was', async () => {
    const dir = scratch();
    const pid = deadPid();
    await new GpuLocks(dir).tryClaim([], 1); // makes the directory
    writeFileSync(lockFile(dir, 0), staleRecord(pid, 0, { label: 'runner old' }));
    const attempt = await claimed(new GpuLocks(dir), 1);
    expect(attempt.claim.devices.map((d) => d.index)).toEqual([0]);
    expect(attempt.reclaimed).toEqual([
      { index: 0, from: expect.objectContaining({ pid, label: 'runner old' }) },
    ]);
    expect(JSON.parse(readFileSync(lockFile(dir, 0), 'utf8')).pid).toBe(process.pid);
    attempt.claim.release();
  });

  it('keeps a lock whose claimer died while its training process group still runs', async () => {
    const dir = scratch();
    await new GpuLocks(dir).tryClaim([], 1);
    // An orphaned training: its own process group, outliving the modelgate that started it.
    const training = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      writeFileSync(lockFile(dir, 0), staleRecord(deadPid(), 0, { pgid: training.pid }));
      expect((await new GpuLocks(dir).tryClaim(GPUS.slice(0, 1), 1)).kind).toBe('busy');
    } finally {
      process.kill(-(training.pid as number), 'SIGKILL');
    }
    await new Promise((resolve) => training.once('exit', resolve));
    await reclaimsOneStaleLock(dir);
  });

  it('takes a reused pid for a dead claimer: the kernel start time differs', async () => {
    const dir = scratch();
    await new GpuLocks(dir).tryClaim([], 1);
    writeFileSync(lockFile(dir, 0), staleRecord(process.pid, 0, { start: '1' }));
    await reclaimsOneStaleLock(dir);
  });

  it('leaves alone locks from another host, which it cannot judge', async () => {
    const dir = scratch();
    await new GpuLocks(dir).tryClaim([], 1);
    writeFileSync(lockFile(dir, 0), staleRecord(deadPid(), 0, { host: 'another-host' }));
    expect(await new GpuLocks(dir).tryClaim(GPUS.slice(0, 1), 1)).toMatchObject({
      kind: 'busy',
      held: [{ index: 0, holder: expect.objectContaining({ host: 'another-host' }) }],
    });
  });

  it('treats an empty lock file as being written, and as junk once it is old', async () => {
    const dir = scratch();
    await new GpuLocks(dir).tryClaim([], 1);
    writeFileSync(lockFile(dir, 0), '');
    expect((await new GpuLocks(dir).tryClaim(GPUS.slice(0, 1), 1)).kind).toBe('busy');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile(dir, 0), old, old);
    const attempt = await claimed(new GpuLocks(dir), 1);
    attempt.claim.release();
  });

  it('gets past a claim mutex left by a dead process', async () => {
    const dir = scratch();
    await new GpuLocks(dir).tryClaim([], 1);
    writeFileSync(join(dir, '.claim.lock'), JSON.stringify({ pid: deadPid(), host: hostname() }));
    const attempt = await claimed(new GpuLocks(dir), 1);
    attempt.claim.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the directory and the fix when it cannot be used', async () => {
    const file = join(scratch(), 'not-a-dir');
    writeFileSync(file, '');
    await expect(new GpuLocks(join(file, 'locks')).tryClaim(GPUS, 1)).rejects.toThrow(
      /^cannot use the GPU lock directory .*not-a-dir\/locks/,
    );
  });
});
