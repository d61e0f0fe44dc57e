import { cliOption, DEMO_OPTIONS, demoSettingsFrom, presentDemo, runDemo } from '@modelgate/core';
import { keepServing } from '../demo/live.ts';
import { demoStory, findExample } from '../demo/story.ts';
import { DEMO_HELP } from '../help/demo.ts';
import type { Io } from '../io.ts';
import { printHelp, printPresentation, stepFlags, terminalLogger } from '../step.ts';

/** `modelgate demo`: flags → settings → run (the story, told through the steps) → present → exit code. */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const flags = stepFlags('demo', argv, DEMO_OPTIONS);
  if (flags.help) return printHelp(io, DEMO_HELP);
  const settings = demoSettingsFrom(flags.raw, flags.config, cliOption);
  const outcome = await runDemo(settings, {
    story: demoStory(io),
    example: findExample(),
    cwd: io.cwd,
    logger: terminalLogger(io),
  });
  const code = printPresentation(io, presentDemo(outcome));
  // --serve: the server the story started keeps answering until Ctrl-C.
  if (outcome.kind === 'told' && outcome.serving) await keepServing(io, outcome.told.server);
  return code;
}
