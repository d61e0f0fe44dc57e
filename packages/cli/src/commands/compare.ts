import {
  COMPARE_OPTIONS,
  cliOption,
  compareSettingsFrom,
  presentCompare,
  readConfigFile,
  runCompare,
} from '@modelgate/core';
import { configFromGates } from '../gates-alias.ts';
import { COMPARE_HELP } from '../help/compare.ts';
import type { Io } from '../io.ts';
import { openCliRegistry } from '../registry.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate compare`: flags → settings → run → present → exit code (0 passed, 1 failed). */
export async function compareCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('compare', argv, COMPARE_OPTIONS);
  if (flags.help) return printHelp(io, COMPARE_HELP);
  // `--gates` names the config file itself, so the settings see no separate gate spec.
  const { gates, ...raw } = flags.raw;
  const given = configFromGates(flags.config, gates, io.cwd);
  const config = await readConfigFile(given.config, io.cwd, given.namer);
  const settings = await compareSettingsFrom(raw, config, cliOption, io.cwd);
  // Progress on stdout: stderr carries only warnings and the one error line of a failed run.
  const outcome = await runCompare(settings, {
    logger: terminalLogger(io),
    openRegistry: (spec, what) => openCliRegistry({ spec, what }, io),
  });
  return printPresentation(io, presentCompare(outcome));
}
