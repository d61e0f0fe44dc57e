import { readFileSync } from 'node:fs';

/**
 * A process, told apart from a later one that got the same pid: on Linux the kernel's start
 * time of the process (field 22 of /proc/PID/stat) goes with the pid.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start?: string;
}

/** Field 22 of /proc/PID/stat, or undefined where there is no /proc (macOS) or no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function selfIdentity(): ProcessIdentity {
  const start = processStartTime(process.pid);
  return start === undefined ? { pid: process.pid } : { pid: process.pid, start };
}

/** Whether the process still runs (EPERM: it runs, as another user) and is the same process. */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  if (!signalReaches(identity.pid)) return false;
  if (identity.start === undefined) return true;
  const start = processStartTime(identity.pid);
  // Unreadable /proc: trust the signal test.
  return start === undefined || start === identity.start;
}

/** Whether any process of the group is still there. */
export function isGroupAlive(pgid: number): boolean {
  return signalReaches(-pgid);
}

function signalReaches(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
