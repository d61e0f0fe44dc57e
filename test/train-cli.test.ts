import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGroupAlive } from '../packages/core/src/kernel/process/liveness.ts';
import { bin, CLI_BIN, cli, FIXTURES, ROOT, tempDir } from './helpers.ts';

const STAND_IN = join(ROOT, 'test', 'fixtures', 'nvidia-smi');
const MODEL = join(FIXTURES, 'binary-sigmoid', 'model.onnx');
const WRITE_MODEL = `cp '${MODEL}' "$MODELGATE_MODEL_PATH"`;

/** A runner host with the stand-in nvidia-smi and its own lock directory. */
function host(gpus = 4, extra: NodeJS.ProcessEnv = {}) {
  const dir = tempDir('modelgate-train-cli-');
  const lockDir = join(dir, 'locks');
  const env: NodeJS.ProcessEnv = {
    PATH: `${STAND_IN}:${process.env.PATH ?? ''}`,
    MODELGATE_GPU_LOCK_DIR: lockDir,
    FAKE_NVIDIA_SMI_GPUS: String(gpus),
    ...extra,
  };
  const gpuLocks = () =>
    existsSync(lockDir) ? readdirSync(lockDir).filter((f) => f.startsWith('gpu-')) : [];
  return { dir, lockDir, env, gpuLocks };
}

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `modelgate train …` as a real process, as a runner process on the host would start it. */
function startTrain(args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [CLI_BIN, 'train', ...args], {
    cwd,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Polls until `condition` holds; fails at once, with its output, if `running` ends first. */
async function until(condition: () => boolean, what: string, running?: Running, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  let ended: Awaited<Running['done']> | undefined;
  void running?.done.then((result) => {
    ended = result;
  });
  while (!condition()) {
    if (ended !== undefined) {
      throw new Error(`modelgate exited (${ended.code}) before ${what}:\n${ended.stdout}${ended.stderr}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the other train to hold its GPUs too, so both claims are proven to overlap. */
function barrierCommand(me: string, other: string): string {
  return [
    `printf %s "$CUDA_VISIBLE_DEVICES" > ${me}.gpus`,
    `i=0; while [ ! -f ${other}.gpus ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
    `test -f ${other}.gpus`,
    WRITE_MODEL,
  ].join('; ');
}

describe('modelgate train: GPUs shared by concurrent runner processes', () => {
  it('gives two concurrent trains on a 4-GPU host disjoint GPUs', async () => {
    const { dir, env, gpuLocks } = host(4);
    const a = startTrain(['--command', barrierCommand('a', 'b'), '--out', 'a.onnx', '--gpus', '2'], dir, env);
    const b = startTrain(['--command', barrierCommand('b', 'a'), '--out', 'b.onnx', '--gpus', '2'], dir, env);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.stderr).not.toMatch(/error|failed/);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const gpusA = readFileSync(join(dir, 'a.gpus'), 'utf8').split(',');
    const gpusB = readFileSync(join(dir, 'b.gpus'), 'utf8').split(',');
    expect(gpusA).toHaveLength(2);
    expect(gpusB).toHaveLength(2);
    expect([...gpusA, ...gpusB].sort()).toEqual(['0', '1', '2', '3']);
    expect(gpuLocks()).toEqual([]);
  });

  it('a SIGKILLed train leaves a lock that holds while its training runs on, and is reclaimed once it is gone', async () => {
    const { dir, lockDir, env, gpuLocks } = host(1);
    const first = startTrain(
      ['--command', 'touch started; exec sleep 30', '--out', 'm.onnx', '--gpus', '1'],
      dir,
      env,
    );
    const lock = () => join(lockDir, gpuLocks()[0] ?? 'none');
    await until(
      () =>
        existsSync(join(dir, 'started')) &&
        gpuLocks().length === 1 &&
        readFileSync(lock(), 'utf8').includes('pgid'),
      'the first train to start its command',
      first,
    );
    const { pid, pgid } = JSON.parse(readFileSync(lock(), 'utf8')) as { pid: number; pgid: number };
    expect(pid).toBe(first.child.pid);
    first.child.kill('SIGKILL');
    await first.done;

    // modelgate is dead, but the training it started still runs on the GPU: the lock holds.
    const blocked = bin(['train', '--command', 'touch ran', '--out', 'm.onnx', '--require-gpu'], dir, env);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(
      new RegExp(
        `^modelgate: error: require-gpu is set, but 0 of 1 GPUs free, at least 1 needed; other jobs hold GPU 0 \\(pid ${pid}, training process group ${pgid}, since `,
        'm',
      ),
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);

    expect(pgid).toBeGreaterThan(1);
    process.kill(-pgid, 'SIGKILL');
    await until(() => !isGroupAlive(pgid), 'the orphaned training to die');
    const next = bin(['train', '--command', WRITE_MODEL, '--out', 'm.onnx', '--require-gpu'], dir, env);
    expect(next.stderr).toContain(`GPU 0: reclaimed a stale lock left by pid ${pid}`);
    expect(next.code).toBe(0);
    expect(gpuLocks()).toEqual([]);
  });

  it('SIGTERM stops the command’s process group and releases the GPUs', async () => {
    const { dir, env, gpuLocks } = host(4);
    const run = startTrain(
      ['--command', 'echo $$ > train.pid; sleep 30', '--out', 'm.onnx', '--gpus', '2'],
      dir,
      env,
    );
    // The shell creates train.pid before it writes the pid: wait for the whole line.
    const pid = () =>
      existsSync(join(dir, 'train.pid')) ? readFileSync(join(dir, 'train.pid'), 'utf8') : '';
    await until(() => pid().endsWith('\n') && gpuLocks().length === 2, 'the train to start', run);
    const pgid = Number(pid());
    expect(pgid).toBeGreaterThan(1);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /modelgate: training failed: training was cancelled \(received SIGTERM\) after [\d.]+ s; the command and every process it started were stopped/,
    );
    expect(result.stderr).toContain('released GPUs 0,1');
    expect(gpuLocks()).toEqual([]);
    expect(isGroupAlive(pgid)).toBe(false);
  });
});

describe('modelgate train: the command and its result', () => {
  it('trains with a real command, streams its output, and hands it the params intact', () => {
    const { dir, env } = host(4, { FAKE_NVIDIA_SMI_UTIL: '64' });
    const params = JSON.stringify({ note: `it's "quoted"  twice`, lr: 0.001 });
    const command = `node -e 'const fs = require("fs"); console.log("note=" + process.env.MODELGATE_PARAM_NOTE); fs.copyFileSync(process.argv[1], process.env.MODELGATE_MODEL_PATH)' '${MODEL}'`;
    const result = bin(
      ['train', '--command', command, '--out', 'out/model.onnx', '--params', params, '--gpus', '1'],
      dir,
      env,
    );
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`note=it's "quoted"  twice\n`);
    const record = JSON.parse(readFileSync(join(dir, 'out', 'modelgate-train.json'), 'utf8'));
    expect(record.params).toEqual(JSON.parse(params));
    expect(record.gpu).toMatchObject({ count: 1, telemetry: { utilization_percent: { avg: 64, peak: 64 } } });
    expect(result.stderr).toContain(`modelgate: trained out/model.onnx (sha256 ${record.model.sha256}`);
  });

  it('a failing command fails with exit 1 and its exit code in the message', () => {
    const { dir, env } = host();
    const result = bin(['train', '--command', 'echo starting; exit 3', '--out', 'm.onnx'], dir, env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('starting\n');
    expect(result.stderr).toMatch(
      /^modelgate: training failed: training command exited with code 3 after [\d.]+ s$/m,
    );
  });

  it('--help shows usage, examples and exit codes', () => {
    const result = bin(['train', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: modelgate train --command "CMD" --out M\.onnx/);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toMatch(/Exit codes: 0 trained; 1 the training command failed/);
  });

  it('bad usage exits 2 with one error line', async () => {
    const { dir, env } = host();
    const cases: Array<[string[], RegExp]> = [
      [['--command', 'true'], /^modelgate: error: --out is required/],
      [
        ['--command', 'true', '--out', 'm.onnx', '--gpus', 'two'],
        /^modelgate: error: --gpus 'two' is not valid/,
      ],
      [
        ['--command', 'true', '--out', 'm.onnx', '--params', '[1]'],
        /^modelgate: error: --params must be a mapping/,
      ],
      [['--out', 'm.onnx'], /^modelgate: error: --command is required/],
      [
        ['--command', 'true', '--out', 'm.onnx', '--gpu', '2'],
        /^modelgate: error: unknown option --gpu for 'modelgate train'/,
      ],
      [
        ['--command', 'true', '--out', 'm.onnx'],
        /^modelgate: error: the training command succeeded but wrote no model at model-path m\.onnx/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['train', ...args], dir, { ...process.env, ...env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('modelgate: error:'))).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(message.source, 'm'));
    }
  });

  it('--require-gpu on a host without GPUs exits 2 before running anything', () => {
    const dir = tempDir();
    const result = bin(['train', '--command', 'touch ran', '--out', 'm.onnx', '--require-gpu'], dir, {
      PATH: '/usr/bin:/bin',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'modelgate: error: require-gpu is set, but nvidia-smi is not on PATH, so this runner has no NVIDIA GPU (or no NVIDIA driver)\n',
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
