import { InputError, nextSignal } from '@modelgate/core';
import { VERSION_HEADER } from '@modelgate/server';
import type { Io } from '../io.ts';

/** One answer of the live server, as a client sees it. */
export interface LiveAnswer {
  /** Which version answered (the server's `x-modelgate-version` header). */
  readonly version: string;
  /** The output's name and values. */
  readonly output: string;
  readonly data: number[];
}

/**
 * Sends one row through the public Open Inference Protocol endpoint, exactly as any client
 * would: no admin token, no pinning, so the traffic split decides who answers.
 */
export async function inferOne(url: string, model: string, row: readonly number[]): Promise<LiveAnswer> {
  const endpoint = `${url}/v2/models/${encodeURIComponent(model)}/infer`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ name: 'input', shape: [1, row.length], datatype: 'FP32', data: row }],
    }),
  });
  const body = (await response.json()) as {
    outputs?: { name: string; data: number[] }[];
    error?: string;
  };
  const output = body.outputs?.[0];
  if (!response.ok || output === undefined) {
    throw new InputError(
      `POST ${endpoint} answered ${response.status}: ${body.error ?? 'no outputs in the answer'}`,
    );
  }
  return {
    version: response.headers.get(VERSION_HEADER) ?? '?',
    output: output.name,
    data: output.data,
  };
}

/** Sends `count` requests and counts which version answered each: the canary split, seen from outside. */
export async function sampleTraffic(
  url: string,
  model: string,
  row: readonly number[],
  count: number,
): Promise<Record<string, number>> {
  const answered: Record<string, number> = {};
  // One after another: a client's requests, not a load test.
  for (let i = 0; i < count; i++) {
    const { version } = await inferOne(url, model, row);
    answered[version] = (answered[version] ?? 0) + 1;
  }
  return answered;
}

/** `--serve`: the model server keeps running until Ctrl-C (or SIGTERM), then stops. */
export async function keepServing(io: Io, server: { close(): Promise<void> }): Promise<void> {
  io.stdout(`${await nextSignal()}: stopping the model server\n`);
  await server.close();
}
