import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Registry } from '@modelgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, type RunningServer, startServer } from './index.ts';
import { client, featureRows, freshRegistry, inferBody, MODEL_V1, registerAll, tempDir } from './testing.ts';

/**
 * The cap on infer request bodies, against a real server on loopback: a declared length over it
 * and a chunked body that grows past it both get 413 with a JSON error that says the limit and
 * how to raise it, without the server reading the rest; a body at the cap is served.
 */
const TOKEN = 'test-admin-token';
const dir = tempDir('modelgate-body-limit-');
const body = inferBody(featureRows(5));
const LIMIT = Buffer.byteLength(body);
let registry: Registry;
let server: RunningServer;

beforeAll(async () => {
  ({ registry } = freshRegistry(dir, 'registry'));
  await registerAll(registry, 'cancer', [MODEL_V1]);
  server = await startServer({ registry, port: 0, adminToken: TOKEN, maxBodyBytes: LIMIT });
  expect((await client(server.url, TOKEN).admin('/models/cancer/load', { version: 1 })).status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { error?: string };
  /** Body bytes the client had written when the answer came. */
  sent: number;
}

/** Expects the 413 every refusal gives: the limit, how to raise it, and a closed connection. */
function expectRefused(answer: RawAnswer): void {
  expect(answer.status).toBe(413);
  expect(answer.headers['content-type']).toBe('application/json');
  expect(answer.headers.connection).toBe('close');
  expect(answer.body.error).toContain(`over this server's limit of ${LIMIT} bytes`);
  expect(answer.body.error).toContain('--max-body-bytes');
}

describe('the infer endpoint caps request bodies', () => {
  it('is 32 MiB unless told otherwise', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(32 * 1024 * 1024);
  });

  it('serves a body exactly at the cap', async () => {
    const answer = await client(server.url, TOKEN).infer('cancer', body);
    expect(answer.status).toBe(200);
    expect(answer.body.outputs?.[0]?.shape).toEqual([5, 1]);
  });

  it('refuses one byte over it, by Content-Length, with the limit and how to raise it', async () => {
    const answer = await client(server.url, TOKEN).infer('cancer', `${body} `);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe(
      `request body of ${LIMIT + 1} bytes is over this server's limit of ${LIMIT} bytes (${(LIMIT / 1048576).toFixed(2)} MiB); send fewer rows per request, or raise the limit with 'modelgate serve --max-body-bytes N' (the server option maxBodyBytes)`,
    );
  });

  it('answers an oversized Content-Length before a byte of the body is sent', async () => {
    const answer = await new Promise<{ head: string; text: string; closed: boolean }>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (data: string) => {
        raw += data;
      });
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', text = ''] = raw.split('\r\n\r\n');
        resolve({ head, text, closed: true });
      });
      socket.write(
        'POST /v2/models/cancer/infer HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n',
      );
    });
    // The server closes the connection itself: it does not wait for the gigabyte.
    expect(answer.closed).toBe(true);
    expect(answer.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.head.toLowerCase()).toContain('connection: close');
    const error = (JSON.parse(answer.text) as { error: string }).error;
    expect(error).toContain(`request body of 1000000000 bytes is over this server's limit of ${LIMIT} bytes`);
    expect(error).toContain('--max-body-bytes');
  });

  it('refuses an Expect: 100-continue request without asking for its body', async () => {
    const answer = await post({ 'content-length': String(LIMIT * 1000), expect: '100-continue' }, () => {});
    expectRefused(answer);
    expect(answer.sent).toBe(0);
  });

  it('stops reading a chunked body once it passes the cap, and closes the connection', async () => {
    // A client that would stream 100 MB, 16 KB at a time, without declaring a length.
    const answer = await post({ 'transfer-encoding': 'chunked' }, (write) =>
      write(16 * 1024, 100 * 1024 * 1024),
    );
    expectRefused(answer);
    expect(answer.body.error).toBe(
      `request body is over this server's limit of ${LIMIT} bytes (${(LIMIT / 1048576).toFixed(2)} MiB); send fewer rows per request, or raise the limit with 'modelgate serve --max-body-bytes N' (the server option maxBodyBytes)`,
    );
    expect(answer.sent).toBeLessThan(100 * 1024 * 1024);
  });

  it('still serves the next request, and the admin API is not capped by the infer limit', async () => {
    const api = client(server.url, TOKEN);
    expect((await api.infer('cancer', body)).status).toBe(200);
    // An admin body longer than the infer cap (padding in a JSON string) is still read.
    const padded = await api.admin('/models/cancer/canary', { percent: 0, note: 'x'.repeat(LIMIT * 2) });
    expect(padded.status).not.toBe(413);
  });
});

describe('the cap as an option', () => {
  it('refuses a limit that is not a whole number of bytes, naming the flag', async () => {
    for (const maxBodyBytes of [0, 1.5, -1, 2 ** 40]) {
      await expect(startServer({ registry, port: 0, adminToken: TOKEN, maxBodyBytes })).rejects.toThrow(
        /--max-body-bytes must be a whole number of bytes/,
      );
    }
  });
});

/**
 * POSTs to the infer endpoint with raw headers; `feed` writes body chunks (`write(size, total)`
 * streams `total` bytes of `size`-byte chunks of whitespace, stopping when the answer comes).
 */
function post(
  headers: Record<string, string>,
  feed: (write: (size: number, total: number) => void) => void,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = httpRequest(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/v2/models/cancer/infer', headers },
      (response) => {
        answered = true;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (data: string) => {
          text += data;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(text),
            sent,
          }),
        );
        response.on('error', reject);
      },
    );
    // Writes after the server closes fail with EPIPE or ECONNRESET: expected, once answered.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = (size: number, total: number) => {
      const chunk = Buffer.alloc(size, 0x20);
      const next = () => {
        while (!answered && !request.destroyed && sent < total) {
          sent += size;
          if (!request.write(chunk)) {
            request.once('drain', next);
            return;
          }
        }
        if (!answered && !request.destroyed) request.end();
      };
      next();
    };
    feed(write);
    if (headers.expect === undefined && headers['transfer-encoding'] === undefined) request.end();
    if (headers.expect !== undefined) request.flushHeaders();
  });
}
