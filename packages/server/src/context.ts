import type { ModelHost } from './host.ts';
import type { ServerLogger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RequestLog } from './request-log.ts';

/** What every handler needs: the models, the metrics, where to log, and the admin token. */
export interface RouteContext {
  readonly host: ModelHost;
  readonly metrics: ServerMetrics;
  readonly logger: ServerLogger;
  readonly adminToken: string;
  /** The largest infer request body, in bytes; larger ones get 413. */
  readonly maxBodyBytes: number;
  /** Where sampled requests are logged, when they are. */
  readonly requestLog: RequestLog | undefined;
}
