import {
  cliOption,
  presentServe,
  presentServeEvent,
  runServe,
  SERVE_OPTIONS,
  serveSettingsFrom,
} from '@modelgate/core';
import { serveStepPorts } from '@modelgate/server';
import { SERVE_HELP } from '../help/serve.ts';
import { openCliRegistry } from '../registry.ts';
import { cliStep, printPresentation } from '../step.ts';

/** `modelgate serve`: flags → settings → run (until SIGINT / SIGTERM) → present → exit code. */
export const serveCommand = cliStep({
  command: 'serve',
  options: SERVE_OPTIONS,
  help: SERVE_HELP,
  settings: (flags, config) => serveSettingsFrom(flags.raw, config, cliOption),
  run: (settings, io) =>
    runServe(
      settings,
      serveStepPorts({
        env: io.env,
        cwd: io.cwd,
        stderr: io.stderr,
        openRegistry: (spec, namedBy) => openCliRegistry({ spec, what: namedBy }, io),
        report: (event) =>
          printPresentation(io, { lines: presentServeEvent(event), outputs: {}, exitCode: 0 }),
      }),
    ),
  present: presentServe,
});
