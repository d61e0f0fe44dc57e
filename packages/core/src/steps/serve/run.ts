import type { Registry } from '../../registry/types.ts';
import type { ServeSettings } from './settings.ts';

/** A started model server, as the serve step needs it. */
export interface RunningServe {
  /** `http://HOST:PORT`. */
  readonly url: string;
  /** `grpc://HOST:PORT` when it speaks gRPC too. */
  readonly grpcUrl: string | undefined;
  /** `MODELGATE_ADMIN_TOKEN`, `given`, or the token file's path: where the token is (never the token). */
  readonly adminTokenSource: string;
  /** Stops taking connections, lets requests in progress finish, releases every session. */
  close(): Promise<void>;
}

/** What the step says while it runs: that it listens (the start-up lines), and that it stops. */
export type ServeEvent =
  | {
      readonly kind: 'listening';
      readonly url: string;
      readonly grpcUrl: string | undefined;
      readonly registry: string;
      readonly adminTokenSource: string;
      readonly settings: ServeSettings;
    }
  | { readonly kind: 'stopping'; readonly signal: string };

/**
 * The world of `modelgate serve`. The server itself comes in as a port: core cannot import
 * @modelgate/server (which imports core), so the adapter passes its `startServer`.
 */
export interface ServePorts {
  /** Opens the registry spec (with the caller's GitHub access, for `github:`). */
  openRegistry(spec: string, namedBy: string): Promise<Registry>;
  /** Starts the model server on these settings; resolves once it listens with its models loaded. */
  startServer(settings: ServeSettings, registry: Registry): Promise<RunningServe>;
  /** Resolves with the signal (SIGINT, SIGTERM) that asks the server to stop. */
  stopRequested(): Promise<string>;
  /** Told of each event as it happens. */
  report(event: ServeEvent): void;
}

export type ServeOutcome = { readonly kind: 'stopped'; readonly signal: string };

/** Serves until asked to stop, then lets the requests in progress finish. */
export async function runServe(settings: ServeSettings, ports: ServePorts): Promise<ServeOutcome> {
  const registry = await ports.openRegistry(settings.registry, settings.registryNamedBy);
  const server = await ports.startServer(settings, registry);
  ports.report({
    kind: 'listening',
    url: server.url,
    grpcUrl: server.grpcUrl,
    registry: registry.location,
    adminTokenSource: server.adminTokenSource,
    settings,
  });
  const signal = await ports.stopRequested();
  ports.report({ kind: 'stopping', signal });
  await server.close();
  return { kind: 'stopped', signal };
}
