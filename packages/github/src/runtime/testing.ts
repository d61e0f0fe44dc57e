/**
 * A real npm registry for the loader's tests: the pinned tarballs, packed from npm's cache (which
 * `npm ci` filled), served from a loopback HTTP server. Nothing here reaches the network.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { InputError } from '@modelgate/core';
import { expect } from 'vitest';
import { ONNXRUNTIME_PIN } from './pin.ts';

/** Packs each pinned package's registry tarball into `dir`; returns the files by package name. */
export function packPinnedTarballs(dir: string): Map<string, string> {
  const specs = ONNXRUNTIME_PIN.packages.map((p) => `${p.name}@${p.version}`);
  const packed = JSON.parse(
    execFileSync('npm', ['pack', ...specs, '--pack-destination', dir, '--prefer-offline', '--json'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as Array<{ name: string; filename: string }>;
  return new Map(packed.map((p) => [p.name, join(dir, p.filename)]));
}

/** A running loopback registry. */
export interface TestRegistry {
  /** Its base URL, `http://127.0.0.1:PORT/PREFIX/`. */
  readonly url: string;
  /** Each request's path and its authorization header, in order. */
  readonly requests: Array<{ path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

/**
 * Serves `<prefix><name>/-/<name>-<version>.tgz` for each pinned package: the packed file, or the
 * bytes given in `replace` (a tampered tarball). Anything else is a 404, as from a real registry.
 */
export async function startTestRegistry(
  tarballs: ReadonlyMap<string, string>,
  options: { prefix?: string; replace?: ReadonlyMap<string, Uint8Array> } = {},
): Promise<TestRegistry> {
  const prefix = options.prefix ?? '/';
  const routes = new Map<string, () => NodeJS.ReadableStream | Uint8Array>();
  for (const pkg of ONNXRUNTIME_PIN.packages) {
    const path = `${prefix}${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`;
    const bytes = options.replace?.get(pkg.name);
    const file = tarballs.get(pkg.name);
    if (bytes !== undefined) routes.set(path, () => bytes);
    else if (file !== undefined) routes.set(path, () => createReadStream(file));
  }
  const requests: TestRegistry['requests'] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push({ path, authorization: request.headers.authorization });
    const body = routes.get(path);
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const content = body();
    if (content instanceof Uint8Array) response.end(content);
    else content.pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback URL nothing listens on: the port of a server that was opened and closed again. */
export async function closedRegistryUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

/** The InputError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function inputErrorOf(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}
