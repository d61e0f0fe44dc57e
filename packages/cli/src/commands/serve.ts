import {
  cliOption,
  presentServe,
  presentServeEvent,
  readConfigFile,
  runServe,
  SERVE_OPTIONS,
  serveSettingsFrom,
} from '@modelgate/core';
import { serveStepPorts } from '@modelgate/server';
import { SERVE_HELP } from '../help/serve.ts';
import type { Io } from '../io.ts';
import { openCliRegistry } from '../registry.ts';
import { printHelp, printPresentation, stepFlags } from '../step.ts';

/** `modelgate serve`: flags → settings → run (until SIGINT / SIGTERM) → present → exit code. */
export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('serve', argv, SERVE_OPTIONS);
  if (flags.help) return printHelp(io, SERVE_HELP);
  const config = await readConfigFile(flags.config, io.cwd, cliOption);
  const settings = serveSettingsFrom(flags.raw, config, cliOption);
  const ports = serveStepPorts({
    env: io.env,
    cwd: io.cwd,
    stderr: io.stderr,
    openRegistry: (spec, namedBy) => openCliRegistry({ spec, what: namedBy }, io),
    report: (event) => printPresentation(io, { lines: presentServeEvent(event), outputs: {}, exitCode: 0 }),
  });
  return printPresentation(io, presentServe(await runServe(settings, ports)));
}
