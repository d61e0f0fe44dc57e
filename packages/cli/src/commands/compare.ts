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
import { openCliRegistry } from '../registry.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate compare`: flags → settings → run → present → exit code (0 passed, 1 failed). */
export const compareCommand = cliStep({
  command: 'compare',
  options: COMPARE_OPTIONS,
  help: COMPARE_HELP,
  // `--gates` names the config file itself, so the settings see no separate gate spec.
  config: (flags, io) => {
    const given = configFromGates(flags.config, flags.raw.gates, io.cwd);
    return readConfigFile(given.config, io.cwd, given.namer);
  },
  settings: ({ raw: { gates: _, ...raw } }, config, io) =>
    compareSettingsFrom(raw, config, cliOption, io.cwd),
  // Progress on stdout: stderr carries only warnings and the one error line of a failed run.
  run: (settings, io) =>
    runCompare(settings, {
      logger: terminalLogger(io),
      openRegistry: (spec, what) => openCliRegistry({ spec, what }, io),
    }),
  present: presentCompare,
});
