import {
  cliOption,
  EVALUATE_OPTIONS,
  evaluateStepSettingsFrom,
  presentEvaluate,
  readConfigFile,
  runEvaluate,
} from '@modelgate/core';
import { EVALUATE_HELP } from '../help/evaluate.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate evaluate`: flags → settings → run → present → exit code. */
export async function evaluateCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('evaluate', argv, EVALUATE_OPTIONS);
  if (flags.help) return printHelp(io, EVALUATE_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = evaluateStepSettingsFrom(flags.raw, config, cliOption);
  // Without --out stdout carries the record, so progress stays off it.
  const outcome = await runEvaluate(settings, { logger: terminalLogger(io, settings.out !== undefined) });
  return printPresentation(io, presentEvaluate(outcome));
}
