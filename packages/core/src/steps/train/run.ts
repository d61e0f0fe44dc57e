import type { Logger } from '../../kernel/ports.ts';
import { type ArtifactStore, type ArtifactUpload, uploadTrainingArtifact } from '../../training/artifact.ts';
import type { TrainSettings } from '../../training/settings.ts';
import { type TrainOutcome, type TrainPorts, train } from '../../training/train.ts';

/** What differs between `modelgate train`, the train action and a test, beyond the training engine's own ports. */
export interface TrainStepPorts extends TrainPorts {
  /** Where the trained model goes to outlive the job (the run's artifacts); without it, nowhere. */
  readonly artifacts?: ArtifactStore;
  /** Where the artifact's files are gathered first (the runner's temp directory); default: the system's. */
  readonly tempDir?: string;
  /**
   * How the run learns it is cancelled while it trains: `abortOnSignals` where SIGINT and
   * SIGTERM mean "stop" (Ctrl-C, the runner's cancel). Its handlers live only as long as the run.
   */
  readonly cancellation?: (logger: Logger) => { readonly signal: AbortSignal; dispose(): void };
}

export type TrainStepOutcome =
  | (Extract<TrainOutcome, { kind: 'trained' }> & { readonly artifact?: ArtifactUpload })
  | Extract<TrainOutcome, { kind: 'failed' }>;

/**
 * Trains (the training engine: GPUs, params, cache, telemetry, the record next to the model),
 * then hands the model to the artifact store when there is one. A failed command is an outcome;
 * bad input throws InputError.
 */
export async function runTrain(settings: TrainSettings, ports: TrainStepPorts): Promise<TrainStepOutcome> {
  const { artifacts, tempDir, cancellation: cancelOn, ...engine } = ports;
  const cancellation = cancelOn?.(ports.logger);
  try {
    const outcome = await train(settings, {
      ...engine,
      ...(cancellation === undefined ? {} : { signal: cancellation.signal }),
    });
    if (outcome.kind === 'failed' || artifacts === undefined) return outcome;
    const artifact = await uploadTrainingArtifact(outcome, artifacts, ports.logger, tempDir);
    return { ...outcome, artifact };
  } finally {
    cancellation?.dispose();
  }
}
