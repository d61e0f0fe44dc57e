import type { Logger } from '../ports.ts';

/**
 * Why a run was cancelled: the signal modelgate received. The training command's process group
 * gets that same signal first, so a Python training sees SIGINT as KeyboardInterrupt and can
 * save a checkpoint, as it would at a terminal.
 */
export class Cancellation extends Error {
  override readonly name = 'Cancellation';
  constructor(readonly received: NodeJS.Signals) {
    super(`received ${received}`);
  }
}

/**
 * Turns SIGINT and SIGTERM (how the Actions runner cancels a step, and Ctrl-C) into an abort,
 * so training stops its command, releases its GPUs and saves its cache instead of dying with
 * the locks held. Later signals are noted and ignored until dispose(): the clean-up is short.
 */
export function abortOnSignals(
  logger: Logger,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (received: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.info(`${received} received again; still stopping the training command and releasing its GPUs`);
      return;
    }
    logger.warning(
      `${received} received: stopping the training command, releasing its GPUs and saving the cache`,
    );
    controller.abort(new Cancellation(received));
  };
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}

/** The next of `signals` this process receives (Ctrl-C or SIGTERM by default): for a command that runs until stopped. */
export function nextSignal(
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      for (const s of signals) process.off(s, stop);
      resolve(received);
    };
    for (const s of signals) process.on(s, stop);
  });
}
