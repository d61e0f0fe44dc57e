import {
  cliOption,
  DEFAULT_CONFIG_FILE,
  DEMO_OPTIONS,
  demoSettingsFrom,
  presentDemo,
  runDemo,
} from '@modelgate/core';
import { keepServing } from '../demo/live.ts';
import { demoStory, findExample } from '../demo/story.ts';
import { DEMO_HELP } from '../help/demo.ts';
import { cliStep, terminalLogger } from '../step.ts';

/** `modelgate demo`: flags → settings → run (the story, told through the steps) → present → exit code. */
export const demoCommand = cliStep({
  command: 'demo',
  options: DEMO_OPTIONS,
  help: DEMO_HELP,
  // The demo uses the example project's config: settings refuse a --config.
  config: async () => ({ path: DEFAULT_CONFIG_FILE, config: {} }),
  settings: (flags) => demoSettingsFrom(flags.raw, flags.config, cliOption),
  run: (settings, io) =>
    runDemo(settings, {
      story: demoStory(io),
      example: findExample(),
      cwd: io.cwd,
      logger: terminalLogger(io),
    }),
  present: presentDemo,
  // --serve: the server the story started keeps answering until Ctrl-C.
  after: async (outcome, io) => {
    if (outcome.kind === 'told' && outcome.serving) await keepServing(io, outcome.told.server);
  },
});
