import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process, told apart from a later one that got the same pid: on Linux the kernel's start
 * time of the process (field 22 of /proc/PID/stat) goes with the pid.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start?: string;
}

/** The fields of /proc/PID/stat after the command name: [0] state, [2] process group, [19] start time. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; count after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * A zombie has exited and only waits to be reaped. Where PID 1 does not reap (a container
 * without an init) zombies stay for good, yet they hold no GPU.
 */
function isZombie(fields: string[]): boolean {
  return fields[0] === 'Z' || fields[0] === 'X';
}

/** Field 22 of /proc/PID/stat, or undefined where there is no /proc (macOS) or no such process. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

export function selfIdentity(): ProcessIdentity {
  const start = processStartTime(process.pid);
  return start === undefined ? { pid: process.pid } : { pid: process.pid, start };
}

/** Whether the process still runs (EPERM: it runs, as another user) and is the same process. */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  // kill(0) and kill(-1) address whole groups of processes, never the one named.
  if (!Number.isSafeInteger(identity.pid) || identity.pid <= 1) return false;
  if (!signalReaches(identity.pid)) return false;
  const fields = statFields(identity.pid);
  // No /proc (macOS): trust the signal test.
  if (fields === undefined) return true;
  if (isZombie(fields)) return false;
  return identity.start === undefined || fields[19] === identity.start;
}

/** Whether any process of the group is still running (zombies do not count). */
export function isGroupAlive(pgid: number): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  if (!signalReaches(-pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  const group = String(pgid);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields !== undefined && fields[2] === group && !isZombie(fields)) return true;
  }
  return false;
}

function signalReaches(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
