import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOption, InputError, parseChoice, parseInteger } from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { createProgress, type ProgressMode } from '../demo/progress.ts';
import { DEMO_PLAN, DemoStoryError, runDemo } from '../demo/story.ts';
import { displayPath } from '../demo/terminal.ts';
import { ExitCode, type Io } from '../io.ts';

/** Enough resamples for stable 95% intervals on 200 rows, and the whole demo stays in seconds. */
const DEFAULT_DEMO_BOOTSTRAP = 1000;

export const DEMO_HELP = `Usage: modelgate demo [--dir PATH] [--clean] [--serve] [--bootstrap N] [--progress auto|bar|plain]

Runs the whole pipeline locally on the example project (examples/breast-cancer), with no
GitHub, no Python and no GPU, through the same code the actions run:

  1. train a first model with the example's real training script (node train.mjs, params
     from params/baseline.yml), evaluate it, gate it (the first model: --baseline none),
     register it, start the built-in model server and deploy it
  2. train an improved candidate, compare it paired against registry:production (the
     report is written to a file and its table printed), register it, and deploy it with
     a canary (50% of the traffic, then 100%)
  3. train a bad candidate (labels flipped by a bug): the gate fails it, the register step
     refuses it, it is kept in the registry for the record with its failed verdict, and the
     deploy refuses it
  4. ask the live server: the improved model answers

It ends by saying where the reports, the registry and the server are, and writes
demo-state.json (the versions, the refusals and the live answer). Each run starts the story
from an empty registry, so a second run tells it again; --clean deletes the whole folder first.

Options:
  --dir PATH         where the demo writes its files (default .modelgate/demo)
  --clean            delete that folder first and start over
  --serve            keep the model server running at the end (Ctrl-C stops it)
  --bootstrap N      bootstrap resamples for every evaluation and comparison (default ${DEFAULT_DEMO_BOOTSTRAP})
  --progress MODE    bar (a progress bar with an ETA), plain (numbered lines, for CI and logs),
                     or auto (default: bar on a terminal, plain when CI is set or output is piped)
  --verbose          also print what each step logs

Examples:
  npm run demo
  npx modelgate demo --clean
  npx modelgate demo --serve      # then: curl -s http://127.0.0.1:PORT/v2/models/breast-cancer
  npx modelgate demo --dir /tmp/modelgate-demo --bootstrap 300 --progress plain

Exit codes: 0 the story ran as told (the bad candidate blocked, the good one live); 1 a step
did not go as the story expects (the message says which); 2 bad input or usage; other: a bug.`;

/** The example project ships in the repository, next to the packages. */
function findExample(): string {
  // From the sources (packages/cli/src/commands) or the bundle (packages/cli/dist/commands/demo).
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(folder, 'examples', 'breast-cancer');
    if (existsSync(join(candidate, 'train.mjs'))) return candidate;
    folder = dirname(folder);
  }
  throw new InputError('cannot find the example project examples/breast-cancer next to modelgate', {
    hint: 'run the demo from a clone of the modelgate repository',
  });
}

/** A bar only where someone watches it redraw: a terminal, outside CI. */
function progressMode(value: string | undefined, env: NodeJS.ProcessEnv): ProgressMode {
  const chosen = parseChoice('progress', value, ['auto', 'bar', 'plain'], cliOption) ?? 'auto';
  if (chosen !== 'auto') return chosen;
  const terminal = process.stdout.isTTY === true && env.TERM !== 'dumb';
  return terminal && !env.CI ? 'bar' : 'plain';
}

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('demo', argv, {
    dir: { type: 'string' },
    clean: { type: 'boolean' },
    serve: { type: 'boolean' },
    bootstrap: { type: 'string' },
    progress: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${DEMO_HELP}\n`);
    return ExitCode.Ok;
  }
  const started = performance.now();
  const bootstrap = parseInteger(
    'bootstrap',
    values.bootstrap,
    DEFAULT_DEMO_BOOTSTRAP,
    cliOption,
    0,
    100_000,
  );
  const mode = progressMode(values.progress, io.env);
  const dir = resolve(io.cwd, values.dir ?? '.modelgate/demo');
  const shown = (path: string) => displayPath(io.cwd, path);
  const example = findExample();
  if (values.clean) {
    await rm(dir, { recursive: true, force: true });
    io.stdout(`deleted ${shown(dir)}: starting over\n`);
  }

  io.stdout(
    `modelgate demo: the whole pipeline on ${shown(example)}, with no GitHub, no Python and no GPU\n` +
      `train → evaluate → gate → register → deploy, three times; files in ${shown(dir)}\n`,
  );
  const progress = createProgress(DEMO_PLAN, {
    mode,
    write: io.stdout,
    ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
  });
  let run: Awaited<ReturnType<typeof runDemo>>;
  try {
    run = await runDemo({
      dir,
      example,
      bootstrap,
      progress,
      verbose: values.verbose === true,
      env: io.env,
      cwd: io.cwd,
    });
  } catch (error) {
    if (!(error instanceof DemoStoryError)) throw error;
    io.stderr(`modelgate: the demo did not go as told: ${error.message}\n`);
    return ExitCode.GateFailed;
  } finally {
    progress.finish();
  }

  const { state, server } = run;
  const registry = `fs:${shown(state.registry)}`;
  io.stdout('\nWhere things are:\n');
  io.stdout(`  PR report, improved candidate  ${shown(state.reports.improved)}\n`);
  io.stdout(`  PR report, blocked candidate   ${shown(state.reports.bad)}\n`);
  io.stdout(
    `  registry                       ${registry}  (npx modelgate registry list ${state.model} --registry ${registry})\n`,
  );
  io.stdout(`  end state                      ${shown(join(dir, 'demo-state.json'))}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!values.serve) {
    await server.close();
    io.stdout(`  model server                   ${server.url}: stopped (keep it running with --serve)\n`);
    io.stdout(`\nThe demo took ${seconds} s.\n`);
    return ExitCode.Ok;
  }

  io.stdout(
    `  model server                   ${server.url}, serving ${state.model} v${state.production}; admin token in ${shown(run.adminTokenFile)}\n`,
  );
  io.stdout(`\nThe demo took ${seconds} s. The server keeps running; try:\n`);
  io.stdout(`  curl -s ${server.url}/v2/models/${state.model}\n`);
  io.stdout(
    `  MODELGATE_ADMIN_TOKEN=$(cat ${shown(run.adminTokenFile)}) npx modelgate deploy --name ${state.model} --ref 1 --allow-downgrade --url ${server.url} --registry ${registry}\n`,
  );
  io.stdout('Stop it with Ctrl-C.\n');
  const signal = await new Promise<NodeJS.Signals>((done) => {
    const stop = (received: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stdout(`${signal}: stopping the model server\n`);
  await server.close();
  return ExitCode.Ok;
}
