import {
  cliOption,
  EVALUATE_OPTIONS,
  evaluateStepSettingsFrom,
  presentEvaluate,
  runEvaluate,
} from '@modelgate/core';
import { EVALUATE_HELP } from '../help/evaluate.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate evaluate`: flags → settings → run → present → exit code. */
export const evaluateCommand = cliStep({
  command: 'evaluate',
  options: EVALUATE_OPTIONS,
  help: EVALUATE_HELP,
  settings: (flags, config) => evaluateStepSettingsFrom(flags.raw, config, cliOption),
  // Without --out stdout carries the record, so progress stays off it.
  run: (settings, io) => runEvaluate(settings, { logger: terminalLogger(io, settings.out !== undefined) }),
  present: presentEvaluate,
});
