import { StringDecoder } from 'node:string_decoder';
import {
  abortOnSignals,
  localCacheStore,
  presentTrain,
  readConfigFile,
  runTrain,
  TRAIN_FLAGS,
  trainFlag,
  trainSettingsFromFlags,
} from '@modelgate/core';
import { TRAIN_HELP } from '../help/train.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags } from '../step.ts';

/** `modelgate train`: flags → settings → run → present → exit code. */
export async function trainCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('train', argv, TRAIN_FLAGS);
  if (flags.help) return printHelp(io, TRAIN_HELP);
  const config = await readConfigFile(flags.config, io.cwd, trainFlag);
  const settings = trainSettingsFromFlags(flags.raw, config);
  // stdout is the training command's own; modelgate speaks on stderr. A character split
  // between two chunks of the command's output waits for the rest of it.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const outcome = await runTrain(settings, {
    logger: {
      info: (message) => io.stderr(`modelgate: ${message}\n`),
      warning: (message) => io.stderr(`warning: ${message}\n`),
    },
    env: io.env,
    cwd: io.cwd,
    output: (chunk, stream) => io[stream](decoders[stream].write(chunk)),
    cache: localCacheStore(io.env, io.cwd),
    cancellation: abortOnSignals,
  });
  for (const stream of ['stdout', 'stderr'] as const) io[stream](decoders[stream].end());
  return printPresentation(io, presentTrain(outcome));
}
