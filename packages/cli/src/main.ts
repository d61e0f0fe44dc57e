// The router imports only these two modules of core: it loads before every command, and the
// whole package's graph (with its dynamic imports) is the commands' business.
import { InputError, isInputError } from '@modelgate/core/errors';
import { VERSION } from '@modelgate/core/version';
import { ExitCode, type Io } from './io.ts';

export const HELP = `modelgate ${VERSION}: ML model CI/CD with honest gates

Usage: modelgate <command> [options]      (modelgate <command> --help for details)

Commands:
  evaluate   run an ONNX model (or read predictions) and write an evaluation record
  merge      merge the part records of a sharded evaluate into one evaluation record
  select     pick the best candidate that passes the bounds, and say how much of its lead is noise
  demo       run the pipeline locally on the example project
  compare    gate a candidate against a baseline, with a verdict and a report
  register   store a model version with its evaluation, verdict and lineage
  registry   list, show, alias and fetch registered versions
  deploy     gated deploy of a registered version: smoke check, canary, rollback
  serve      start the built-in model server (Open Inference Protocol v2)
  train      run a training command with GPU assignment, params and telemetry
  monitor    data, prediction and performance drift between reference and current data

Examples:
  modelgate evaluate --model model.onnx --data eval.csv --label target --out eval.json
  modelgate register --name churn --model model.onnx --evaluation eval.json --verdict verdict.json --alias production
  modelgate registry show churn@production
  modelgate serve --port 8080 --model churn@production
  modelgate train --command "python train.py" --out model.onnx --params '{"lr": 0.01}'
  modelgate monitor --reference data/train.csv --current logs/ --out drift.json --report drift.md
  modelgate demo

Exit codes:
  0  success (compare/deploy: the gate passed; monitor: no drift)
  1  the gate failed (compare), a deploy was refused or rolled back (deploy), the training
     command failed (train), drift was found (monitor), or the demo's story did not go as
     told (demo)
  2  bad input or usage: one 'modelgate: error:' line names the problem
  other  an internal error (a bug); set MODELGATE_DEBUG=1 for a stack trace`;

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Each command is loaded when it runs, so `evaluate` does not parse the server, the Kubernetes
 * schemas or the Actions cache client (7 MB in one file cost 130 ms of start-up). In the build,
 * each command is a bundle of its own (scripts/build.mjs), so errors are told apart with
 * isInputError, which works across copies of the InputError class.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  evaluate: async () => (await import('./commands/evaluate.ts')).evaluateCommand,
  compare: async () => (await import('./commands/compare.ts')).compareCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  select: async () => (await import('./commands/select.ts')).selectCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  deploy: async () => (await import('./commands/deploy.ts')).deployCommand,
  monitor: async () => (await import('./commands/monitor.ts')).monitorCommand,
  register: async () => (await import('./commands/register.ts')).registerCommand,
  registry: async () => (await import('./commands/registry.ts')).registryCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  train: async () => (await import('./commands/train.ts')).trainCommand,
};

/** Runs one CLI invocation and returns its exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(`${HELP}\n`);
      return command === undefined ? ExitCode.BadInput : ExitCode.Ok;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`${VERSION}\n`);
      return ExitCode.Ok;
    }
    const load = COMMANDS[command];
    if (load !== undefined) return await (await load())(rest, io);
    throw new InputError(`unknown command '${command}'`, { hint: "see 'modelgate --help'" });
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): number {
  const debug = io.env.MODELGATE_DEBUG === '1';
  if (isInputError(error)) {
    io.stderr(`modelgate: error: ${error.message.replace(/\n/g, ' ')}\n`);
    if (error.hint !== undefined) io.stderr(`hint: ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    return ExitCode.BadInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`modelgate: internal error: ${message.split('\n')[0]}\n`);
  io.stderr(
    debug && error instanceof Error && error.stack !== undefined
      ? `${error.stack}\n`
      : 'this is a bug in modelgate; rerun with MODELGATE_DEBUG=1 and report the stack trace\n',
  );
  return ExitCode.Internal;
}
