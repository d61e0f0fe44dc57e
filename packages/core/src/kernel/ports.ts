/**
 * The ports of every step: what a step's `run` may do to the world comes in through these, so
 * the logic never writes to a console, calls @actions/core, reads the clock or the environment
 * itself, and a test can hand it a fake of each.
 */

/** Progress and warnings. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export const silentLogger: Logger = { info() {}, warning() {} };

/** The wall clock, for record timestamps; a test can fix it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
