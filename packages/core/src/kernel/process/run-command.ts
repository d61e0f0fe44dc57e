import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isGroupAlive } from './liveness.ts';
import { Cancellation } from './signals.ts';

/** How the training command ended. */
export type CommandEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'signalled'; signal: NodeJS.Signals }
  | { kind: 'timed-out'; afterMs: number }
  | { kind: 'cancelled'; reason: string };

export interface CommandResult {
  end: CommandEnd;
  durationMs: number;
  /** The end of what it wrote to stderr, for the failure message. */
  stderrTail: string;
  /** Processes it left running in its group, stopped after it exited. */
  leftovers: boolean;
}

export interface CommandOptions {
  /** The user's command line, run by a shell exactly as written. */
  readonly command: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Between SIGTERM to the group and SIGKILL. */
  readonly killGraceMs: number;
  readonly signal?: AbortSignal;
  onOutput(chunk: Buffer, stream: 'stdout' | 'stderr'): void;
  /** Called once the command runs, with its process group id. */
  onStart?(pgid: number): void;
}

const STDERR_TAIL_BYTES = 4096;
/** After SIGKILL the kernel needs a moment to take the processes down; we stop looking after this. */
const KILL_SETTLE_MS = 3_000;
const POLL_MS = 25;

/**
 * The shell: bash, as GitHub's `run:` steps use on Linux and macOS, else POSIX sh. The command
 * string is the user's own and goes in as one argument; nothing is ever spliced into it.
 */
export function shellFor(command: string): { file: string; args: string[] } {
  const file = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return { file, args: ['-c', command] };
}

/**
 * Runs the command in its own process group (a new session), so a timeout or a cancellation
 * stops everything it started, grandchildren included: SIGTERM to the group, then SIGKILL after
 * the grace period. Processes it leaves behind after it exits are stopped the same way, because
 * they would keep using the GPUs that are about to be handed to another job.
 */
export async function runCommand(options: CommandOptions): Promise<CommandResult> {
  if (options.signal?.aborted) {
    return {
      end: { kind: 'cancelled', reason: reasonOf(options.signal) },
      durationMs: 0,
      stderrTail: '',
      leftovers: false,
    };
  }
  const shell = shellFor(options.command);
  const started = performance.now();
  const child = spawn(shell.file, shell.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (spawned !== undefined || child.pid === undefined) {
    throw new Error(`cannot start ${shell.file}: ${spawned?.message ?? 'no pid'}`);
  }
  const pgid = child.pid;
  // If modelgate itself dies of an uncaught error, the training must not outlive it unseen.
  const killOnExit = () => signalGroup(pgid, 'SIGKILL');
  process.on('exit', killOnExit);
  options.onStart?.(pgid);

  let stderrTail = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stdout'));
  child.stderr.on('data', (chunk: Buffer) => {
    options.onOutput(chunk, 'stderr');
    stderrTail = Buffer.concat([stderrTail, chunk]).subarray(-STDERR_TAIL_BYTES);
  });
  const closed = Promise.all([
    new Promise((resolve) => child.stdout.once('close', resolve)),
    new Promise((resolve) => child.stderr.once('close', resolve)),
  ]);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  let stopped: CommandEnd | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (end: CommandEnd, first: NodeJS.Signals) => {
    if (stopped !== undefined) return;
    stopped = end;
    stopping = stopGroup(pgid, options.killGraceMs, first);
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => stop({ kind: 'timed-out', afterMs: options.timeoutMs ?? 0 }, 'SIGTERM'),
          options.timeoutMs,
        );
  const onAbort = () => {
    const reason: unknown = options.signal?.reason;
    stop(
      { kind: 'cancelled', reason: reasonOf(options.signal) },
      reason instanceof Cancellation ? reason.received : 'SIGTERM',
    );
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // A cancellation that came while the shell was starting (before the listener) still stops it.
  if (options.signal?.aborted) onAbort();

  try {
    const { code, signal } = await exited;
    const durationMs = performance.now() - started;
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    let leftovers = false;
    if (stopping === undefined && isGroupAlive(pgid)) {
      leftovers = true;
      stopping = stopGroup(pgid, options.killGraceMs);
    }
    await stopping;
    // Output still in the pipes arrives before 'close'; a process that left the group may keep
    // a pipe open for ever, so do not wait on it past the settle time.
    await Promise.race([closed, delay(KILL_SETTLE_MS, { unref: true })]);
    child.stdout.destroy();
    child.stderr.destroy();
    const end: CommandEnd =
      stopped ?? (signal !== null ? { kind: 'signalled', signal } : { kind: 'exited', code: code ?? 0 });
    return { end, durationMs, stderrTail: stderrTail.toString('utf8'), leftovers };
  } finally {
    process.off('exit', killOnExit);
  }
}

/**
 * `first` (SIGTERM, or the signal a cancelled modelgate received) to the whole group, SIGKILL
 * to whatever is left after the grace period.
 */
async function stopGroup(pgid: number, graceMs: number, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  signalGroup(pgid, first);
  if (await waitForGroupExit(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitForGroupExit(pgid, KILL_SETTLE_MS);
}

async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (isGroupAlive(pgid)) {
    if (performance.now() >= deadline) return false;
    await delay(POLL_MS);
  }
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  // -0 and -1 would signal our own group or every process we may signal: never.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

/** `unref`: a timer that does not by itself keep the process alive. */
function delay(ms: number, { unref = false } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'cancelled';
}
