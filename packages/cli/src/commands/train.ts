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
import { cliStep } from '../step.ts';

/** `modelgate train`: flags → settings → run → present → exit code. */
export const trainCommand = cliStep({
  command: 'train',
  options: TRAIN_FLAGS,
  help: TRAIN_HELP,
  config: (flags, io) => readConfigFile(flags.config, io.cwd, trainFlag),
  settings: (flags, config) => trainSettingsFromFlags(flags.raw, config),
  run: async (settings, io) => {
    // stdout is the training command's own; modelgate speaks on stderr. A character split
    // between two chunks of the command's output waits for the rest of it.
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const outcome = await runTrain(settings, {
      logger: { info: (m) => io.stderr(`modelgate: ${m}\n`), warning: (m) => io.stderr(`warning: ${m}\n`) },
      env: io.env,
      cwd: io.cwd,
      output: (chunk, stream) => io[stream](decoders[stream].write(chunk)),
      cache: localCacheStore(io.env, io.cwd),
      cancellation: abortOnSignals,
    });
    for (const stream of ['stdout', 'stderr'] as const) io[stream](decoders[stream].end());
    return outcome;
  },
  present: presentTrain,
});
