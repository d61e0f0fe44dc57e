import { ADMIN_TOKEN_ENV } from '../../deploy/targets/admin-token.ts';
import { formatCount, formatValue } from '../../kernel/format.ts';
import { err, out, type Presentation, type TerminalLine } from '../../kernel/step.ts';
import type { ServeEvent, ServeOutcome } from './run.ts';

/** What the terminal says at each event: the start-up lines on stdout, the stop on stderr. */
export function presentServeEvent(event: ServeEvent): TerminalLine[] {
  if (event.kind === 'stopping') {
    return [err(`${event.signal} received: finishing requests in progress and stopping`)];
  }
  const { settings } = event;
  const token =
    event.adminTokenSource === ADMIN_TOKEN_ENV ? `from ${ADMIN_TOKEN_ENV}` : `in ${event.adminTokenSource}`;
  const log = settings.logRequests;
  return [
    out(`modelgate serve: listening on ${event.url} (registry ${event.registry})`),
    ...(event.grpcUrl === undefined ? [] : [out(`gRPC (OIP v2): listening on ${event.grpcUrl}`)]),
    out(`admin token: ${token}`),
    out(
      `batching: up to ${settings.maxBatch} rows per run, waiting up to ${settings.maxWaitMs} ms${settings.maxBatch === 1 ? ' (off)' : ''}`,
    ),
    ...(log === undefined
      ? []
      : [
          out(
            `request log: ${log.sample === 1 ? 'every request' : `${formatValue(log.sample * 100)}% of requests`} to ${log.dir} (at most ${formatCount(log.maxBytes)} bytes)`,
          ),
        ]),
    out('stop with Ctrl-C or SIGTERM'),
  ];
}

/** The server stopped as asked: exit 0. */
export function presentServe(_outcome: ServeOutcome): Presentation {
  return { lines: [err('stopped')], outputs: {}, exitCode: 0 };
}
