/** Where the server reports loads, swaps and failures. It never receives the admin token. */
export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything (the default for an embedded server). */
export const silentLogger: ServerLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
