import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createFsRegistry } from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

/** `modelgate serve`: its help and usage errors in process, and the real bin started and stopped. */
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'modelgate.js');
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'binary-sigmoid', 'model.onnx');
const PROTO = join(ROOT, 'packages', 'server', 'src', 'grpc', 'grpc-predict-v2.proto');
const dir = mkdtempSync(join(tmpdir(), 'modelgate-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const registry = createFsRegistry(join(dir, '.modelgate', 'registry'));
  await registry.register({
    name: 'cancer',
    modelPath: MODEL,
    evaluation: null,
    verdict: null,
    lineage: {},
    requirePassed: false,
  });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = { MODELGATE_ADMIN_TOKEN: 'cli-test' }) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: dir,
    env,
  });
  return { code, stdout, stderr };
}

describe('modelgate serve', () => {
  it('explains itself with --help: endpoints, token, examples and exit codes', async () => {
    const { code, stdout } = await cli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/POST \/v2\/models\/NAME\/infer/);
    expect(stdout).toMatch(/MODELGATE_ADMIN_TOKEN/);
    expect(stdout).toMatch(/Examples:\n {2}modelgate serve\n/);
    expect(stdout).toMatch(/Exit codes: 0 stopped by SIGINT\/SIGTERM; 2 bad input/);
  });

  it('refuses bad settings with exit 2 and one line naming the flag', async () => {
    const batch = await cli(['serve', '--max-batch', '0']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/^modelgate: error: --max-batch '0' is not valid; expected an integer ≥ 1/);
    const wait = await cli(['serve', '--max-wait-ms', 'soon']);
    expect(wait.stderr).toMatch(
      /^modelgate: error: --max-wait-ms 'soon' is not valid; expected milliseconds/,
    );
    const body = await cli(['serve', '--max-body-bytes', '1MB']);
    expect(body.code).toBe(2);
    expect(body.stderr).toMatch(
      /^modelgate: error: --max-body-bytes '1MB' is not valid; expected an integer ≥ 1/,
    );
    const huge = await cli(['serve', '--max-body-bytes', String(2 ** 40), '--port', '0']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(
      /^modelgate: error: --max-body-bytes must be a whole number of bytes from 1 to /,
    );
    const grpcPort = await cli(['serve', '--grpc-port', 'next']);
    expect(grpcPort.code).toBe(2);
    expect(grpcPort.stderr).toMatch(
      /^modelgate: error: --grpc-port 'next' is not valid; expected an integer from 0 to 65535/,
    );
    const flag = await cli(['serve', '--max-bach', '8']);
    expect(flag.stderr).toMatch(/unknown option --max-bach .*\nhint: did you mean --max-batch\?/);
  });

  it('refuses bad request-log settings with exit 2 and one line naming the flag', async () => {
    const share = await cli(['serve', '--log-requests', 'logs', '--log-sample', '0']);
    expect(share.code).toBe(2);
    expect(share.stderr).toMatch(
      /^modelgate: error: --log-sample '0' is not valid; expected a share of requests above 0 and at most 1, like 0\.1\n/,
    );
    const over = await cli(['serve', '--log-requests', 'logs', '--log-sample', '1.5']);
    expect(over.stderr).toMatch(/^modelgate: error: --log-sample '1.5' is not valid/);
    const cap = await cli(['serve', '--log-requests', 'logs', '--log-max-bytes', '1000']);
    expect(cap.code).toBe(2);
    expect(cap.stderr).toMatch(
      /^modelgate: error: --log-max-bytes '1000' is not valid; expected an integer ≥ 65536/,
    );
    const alone = await cli(['serve', '--log-sample', '0.1']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^modelgate: error: --log-sample needs --log-requests DIR\n/);
  });

  it('says so when the port is taken, and when a --model cannot be loaded', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await cli(['serve', '--port', String(port)]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toMatch(
        new RegExp(`^modelgate: error: port ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      blocker.close();
    }
    const missing = await cli(['serve', '--port', '0', '--model', 'cancer@7']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^modelgate: error: cannot load --model cancer@7: model 'cancer' has no version 7/,
    );
  });

  it('serves HTTP and gRPC from the real bin, keeps the generated token to a 0600 file, and stops cleanly on SIGTERM', async () => {
    const env = { ...process.env, MODELGATE_ADMIN_TOKEN: '', MODELGATE_DEBUG: '' };
    const args = [BIN, 'serve', '--port', '0', '--grpc-port', '0', '--model', 'cancer@latest'];
    const child = spawn(process.execPath, args, { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match !== null && stdout.includes('stop with')) resolve(match[1] as string);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });

    const tokenFile = join(dir, '.modelgate', 'admin-token');
    expect(stdout).toContain(`admin token: in ${tokenFile}`);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const row = Array.from({ length: 30 }, () => 0.5);
    const answer = await fetch(`${url}/v2/models/cancer/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-modelgate-version')).toBe('1');
    const state = await fetch(`${url}/admin/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(state.status).toBe(200);

    // The bundle carries the gRPC definition in itself: no .proto file travels with it.
    const grpcUrl = /gRPC \(OIP v2\): listening on grpc:\/\/(127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(grpcUrl).toBeDefined();
    const { inference } = grpc.loadPackageDefinition(loadSync(PROTO, { keepCase: true })) as unknown as {
      inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
    };
    const stub = new inference.GRPCInferenceService(grpcUrl as string, grpc.credentials.createInsecure());
    const inferred = await new Promise<{ model_version: string; raw_output_contents: Buffer[] }>(
      (resolve, reject) =>
        stub.ModelInfer?.(
          {
            model_name: 'cancer',
            inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30] }],
            raw_input_contents: [Buffer.from(Float32Array.from(row).buffer)],
          },
          (error: Error | null, response: { model_version: string; raw_output_contents: Buffer[] }) =>
            error ? reject(error) : resolve(response),
        ),
    );
    stub.close();
    expect(inferred.model_version).toBe('1');
    expect(inferred.raw_output_contents[0]).toHaveLength(4);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM received: finishing requests in progress and stopping\nstopped\n/);
    expect(`${stdout}${stderr}`).not.toContain(token);
  });
});
