import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminState,
  DATA,
  expectClose,
  features,
  infer,
  MODEL_A,
  MODEL_B,
  MODEL_RANDOM,
  NAME,
  ownOutput,
  register,
  type ServeProcess,
  serveProcess,
  vet,
} from './deploy-helpers.ts';
import { cli, tempDir } from './helpers.ts';

/**
 * `modelgate deploy --wire grpc`: the smoke rows go to the real model server's gRPC port
 * (`modelgate serve --grpc-port`, a process of its own on loopback) as raw tensors, pinned to
 * the version being deployed, while the admin API stays on HTTP. A live answer that differs from
 * the registered model's, or a gRPC port that does not answer, rolls the deploy back.
 */
const dir = tempDir('modelgate-deploy-grpc-');
const root = join(dir, 'registry');
const spec = `fs:${root}`;
let server: ServeProcess;
let grpcUrl: string;
const versions = { a: 0, b: 0, random: 0, again: 0 };
let rows: Awaited<ReturnType<typeof features>>;

const deployCli = (ref: number, wire: string[]) =>
  cli(
    [
      'deploy',
      '--name',
      NAME,
      '--ref',
      String(ref),
      '--url',
      server.url,
      '--registry',
      spec,
      '--smoke-data',
      DATA,
      ...wire,
    ],
    dir,
    {},
  );

/** A loopback port that nothing listens on: bound, read, and closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

beforeAll(async () => {
  const lenient = '  accuracy: { min: 0.5 }\n';
  versions.a = await register(spec, await vet(dir, 'a', MODEL_A, lenient));
  versions.b = await register(spec, await vet(dir, 'b', MODEL_B, lenient));
  versions.random = await register(
    spec,
    await vet(dir, 'random', MODEL_RANDOM, '  accuracy: { min: 0.0 }\n'),
  );
  // Model A again, newest: over HTTP its smoke check would pass.
  versions.again = await register(spec, await vet(dir, 'again', MODEL_A, lenient));
  server = await serveProcess(dir, spec, { grpc: true });
  grpcUrl = server.grpcUrl ?? '';
  rows = await features();
});

afterAll(async () => {
  await server?.stop();
});

describe('modelgate deploy --wire grpc', () => {
  it('smoke-checks over gRPC with raw tensors, pinned to the new version, and deploys', async () => {
    expect(grpcUrl).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    const first = await deployCli(versions.a, ['--wire', 'grpc', '--grpc-url', grpcUrl]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `smoke: 200 rows through ${grpcUrl} ModelInfer ${NAME} v${versions.a} agree with the registered model`,
    );
    // A replace over a serving version: staged with no traffic, smoke-checked over gRPC, promoted.
    const second = await deployCli(versions.b, [
      '--wire',
      'grpc',
      '--grpc-url',
      grpcUrl.slice('grpc://'.length),
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(
        `install: v${versions.b} staged with no traffic[\\s\\S]*smoke: 200 rows through grpc://127\\.0\\.0\\.1:\\d+ ModelInfer ${NAME} v${versions.b} agree[\\s\\S]*promote: v${versions.b} promoted to primary`,
      ),
    );
    const answer = await infer(server.url, rows);
    expect(answer.version).toBe(String(versions.b));
    expectClose(answer.data, await ownOutput(MODEL_B, rows.data, rows.rows, rows.width));
  });

  it('rolls back when the gRPC answers differ from the registered model, and the old version keeps serving', async () => {
    const result = await deployCli(versions.random, ['--wire', 'grpc', '--grpc-url', grpcUrl]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^modelgate: rolled back: the deploy of ${NAME} v${versions.random} failed: the smoke check failed: \\d+ output value\\(s\\) from ${grpcUrl} ModelInfer ${NAME} v${versions.random} differ from the registered model's own output`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(new RegExp(`rollback: v${versions.b} \\(sha256 [0-9a-f]{12}\\) serves`));
    const state = await adminState(server.url, server.token);
    expect(state.primary?.version).toBe(versions.b);
    expect(state.canary).toBeNull();
  });

  it('rolls back when nothing answers at the gRPC address, though HTTP does', async () => {
    const nowhere = `grpc://127.0.0.1:${await closedPort()}`;
    const result = await deployCli(versions.again, ['--wire', 'grpc', '--grpc-url', nowhere]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^modelgate: rolled back: the deploy of ${NAME} v${versions.again} failed: ${nowhere} ModelInfer ${NAME} v${versions.again} answered UNAVAILABLE`,
        'm',
      ),
    );
    expect((await adminState(server.url, server.token)).primary?.version).toBe(versions.b);
  });

  it('needs the gRPC address, and names the flags', async () => {
    const missing = await deployCli(versions.b, ['--wire', 'grpc']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe(
      'modelgate: error: --wire grpc needs --grpc-url: where the model server speaks gRPC',
    );
    const stray = await deployCli(versions.b, ['--grpc-url', grpcUrl]);
    expect(stray.code).toBe(2);
    expect(stray.stderr.split('\n')[0]).toBe('modelgate: error: --grpc-url only applies with --wire grpc');
  });
});
