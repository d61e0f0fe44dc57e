import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from '../testing.ts';
import { isProcessAlive } from './liveness.ts';
import { type CommandOptions, runCommand } from './run-command.ts';
import { Cancellation } from './signals.ts';

function run(command: string, options: Partial<CommandOptions> = {}) {
  const chunks: Array<{ at: number; stream: string; text: string }> = [];
  const started = Date.now();
  const result = runCommand({
    command,
    cwd: options.cwd ?? scratch(),
    env: process.env,
    killGraceMs: 300,
    onOutput: (chunk, stream) => chunks.push({ at: Date.now() - started, stream, text: chunk.toString() }),
    ...options,
  });
  return { result, chunks };
}

describe('runCommand', () => {
  it('streams the output as it comes, not at the end', async () => {
    const { result, chunks } = run('echo first; sleep 0.6; echo second >&2');
    const { end, durationMs } = await result;
    expect(end).toEqual({ kind: 'exited', code: 0 });
    expect(chunks.map((c) => [c.stream, c.text])).toEqual([
      ['stdout', 'first\n'],
      ['stderr', 'second\n'],
    ]);
    expect(chunks[0]?.at).toBeLessThan(durationMs - 300);
  });

  it('reports the exit code as it was, with the end of stderr', async () => {
    const { result } = run('echo "Traceback: ValueError: bad lr" >&2; exit 3');
    expect(await result).toMatchObject({
      end: { kind: 'exited', code: 3 },
      stderrTail: 'Traceback: ValueError: bad lr\n',
    });
  });

  it('reports a command killed by a signal', async () => {
    const { result } = run('kill -KILL $$');
    expect((await result).end).toEqual({ kind: 'signalled', signal: 'SIGKILL' });
  });

  it('passes the command to the shell as written: quotes, $ and ; are the user’s', async () => {
    const dir = scratch();
    const { result, chunks } = run(`printf '%s|' "a b" 'c"d' "$X"; echo`, {
      cwd: dir,
      env: { ...process.env, X: "it's" },
    });
    await result;
    expect(chunks.map((c) => c.text).join('')).toBe(`a b|c"d|it's|\n`);
  });

  it('on timeout stops the whole process group, a grandchild that ignores SIGTERM included', async () => {
    const dir = scratch();
    const { result } = run(
      `(trap '' TERM; sleep 30; touch survived) & echo $! > grandchild.pid; trap '' TERM; sleep 30`,
      {
        cwd: dir,
        timeoutMs: 500,
      },
    );
    const { end, durationMs } = await result;
    expect(end).toEqual({ kind: 'timed-out', afterMs: 500 });
    // The timeout, then the grace period, then SIGKILL.
    expect(durationMs).toBeGreaterThanOrEqual(790);
    expect(durationMs).toBeLessThan(5_000);
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    expect(grandchild).toBeGreaterThan(1);
    expect(isProcessAlive({ pid: grandchild })).toBe(false);
  });

  it('stops the group when cancelled', async () => {
    const controller = new AbortController();
    const { result } = run('sleep 30', { signal: controller.signal });
    setTimeout(() => controller.abort('received SIGTERM'), 200);
    const { end, durationMs } = await result;
    expect(end).toEqual({ kind: 'cancelled', reason: 'received SIGTERM' });
    expect(durationMs).toBeLessThan(3_000);
  });

  it('passes on the signal modelgate got, so a training can save its checkpoint on SIGINT', async () => {
    const dir = scratch();
    const controller = new AbortController();
    // `wait` returns at once on a trapped signal (POSIX); a foreground `sleep` would not: a
    // SIGINT that lands between its fork and its exec is lost, and the trap waits 30 s for it.
    const { result } = run(
      `trap 'echo saved > checkpoint; exit 130' INT; touch started; sleep 30 & wait $!`,
      {
        cwd: dir,
        signal: controller.signal,
      },
    );
    while (!existsSync(join(dir, 'started'))) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Cancellation('SIGINT'));
    expect((await result).end).toEqual({ kind: 'cancelled', reason: 'received SIGINT' });
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe('saved\n');
  });

  it('stops the command when the cancellation lands while the shell is still starting', async () => {
    const controller = new AbortController();
    const { result } = run('sleep 10', { signal: controller.signal });
    // runCommand has checked the signal and is waiting for the spawn: the window a listener
    // added after the spawn would miss.
    controller.abort(new Cancellation('SIGTERM'));
    const { end, durationMs } = await result;
    expect(end).toEqual({ kind: 'cancelled', reason: 'received SIGTERM' });
    expect(durationMs).toBeLessThan(5_000);
  });

  it('stops processes the command left running, which would keep its GPUs busy', async () => {
    const dir = scratch();
    const { result } = run('sleep 30 & echo $! > background.pid; echo done', { cwd: dir });
    const outcome = await result;
    expect(outcome).toMatchObject({ end: { kind: 'exited', code: 0 }, leftovers: true });
    const background = Number(readFileSync(join(dir, 'background.pid'), 'utf8'));
    expect(background).toBeGreaterThan(1);
    expect(isProcessAlive({ pid: background })).toBe(false);
  });
});
