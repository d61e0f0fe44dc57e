export type { BatchSettings } from './batcher.ts';
export { grpcEndpoint } from './grpc/client.ts';
export type { ModelState, VersionState } from './host.ts';
export { DEFAULT_MAX_BODY_BYTES } from './http.ts';
export type { ServerLogger } from './logger.ts';
export { silentLogger } from './logger.ts';
export { ServerMetrics } from './metrics.ts';
export { VERSION_HEADER } from './oip.ts';
export {
  DEFAULT_LOG_MAX_BYTES,
  DEFAULT_LOG_SAMPLE,
  LOG_FILE_BYTES,
  MIN_LOG_MAX_BYTES,
  RequestLog,
} from './request-log.ts';
export { type ServeProcess, serveStepPorts } from './serve-step.ts';
export {
  DEFAULT_BATCHING,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type RequestLogSettings,
  type RunningServer,
  type ServerOptions,
  startServer,
} from './server.ts';
export {
  ADMIN_TOKEN_ENV,
  type AdminToken,
  type AdminTokenOptions,
  checkBearer,
  DEFAULT_ADMIN_TOKEN_FILE,
  resolveAdminToken,
} from './token.ts';
