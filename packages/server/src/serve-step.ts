import type { Registry, ServeEvent, ServePorts } from '@modelgate/core';
import type { ServerLogger } from './logger.ts';
import { startServer } from './server.ts';

/** What the serve step's ports need from the process that runs it. */
export interface ServeProcess {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where the server's own lines (loads, swaps, warnings) go. */
  stderr(text: string): void;
  openRegistry(spec: string, namedBy: string): Promise<Registry>;
  report(event: ServeEvent): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The serve step's ports in this process: this package's server, and SIGINT / SIGTERM to stop
 * it. A second signal while requests drain means "now": the process exits at once.
 */
export function serveStepPorts(process_: ServeProcess): ServePorts {
  let hurry: ((signal: NodeJS.Signals) => void) | undefined;
  return {
    openRegistry: process_.openRegistry,
    async startServer(settings, registry) {
      const quiet = settings.quiet;
      const logger: ServerLogger = {
        info: (message) => {
          if (!quiet) process_.stderr(`${message}\n`);
        },
        warn: (message) => process_.stderr(`warning: ${message}\n`),
        error: (message) => process_.stderr(`error: ${message}\n`),
      };
      const server = await startServer({
        registry,
        port: settings.port,
        host: settings.host,
        ...(settings.grpcPort === undefined ? {} : { grpcPort: settings.grpcPort }),
        env: process_.env,
        cwd: process_.cwd,
        adminTokenFile: settings.adminTokenFile,
        maxBatch: settings.maxBatch,
        maxWaitMs: settings.maxWaitMs,
        maxBodyBytes: settings.maxBodyBytes,
        provider: settings.provider,
        preload: settings.preload,
        logger,
        ...(settings.logRequests === undefined ? {} : { logRequests: settings.logRequests }),
      });
      return {
        url: server.url,
        grpcUrl: server.grpcUrl,
        adminTokenSource: server.adminTokenSource,
        close: async () => {
          try {
            await server.close();
          } finally {
            for (const signal of STOP_SIGNALS) if (hurry !== undefined) process.off(signal, hurry);
          }
        },
      };
    },
    stopRequested: () =>
      new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          for (const s of STOP_SIGNALS) process.off(s, stop);
          hurry = (again) => {
            process_.stderr(`${again} received again: stopping now\n`);
            process.exit(0);
          };
          for (const s of STOP_SIGNALS) process.once(s, hurry);
          resolve(signal);
        };
        for (const s of STOP_SIGNALS) process.on(s, stop);
      }),
    report: process_.report,
  };
}
