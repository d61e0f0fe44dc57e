import { InputError, VERSION } from '@modelgate/core';
import { COMPARE_HELP, compareCommand } from './commands/compare.ts';
import { DEMO_HELP, demoCommand } from './commands/demo.ts';
import { DEPLOY_HELP, deployCommand } from './commands/deploy.ts';
import { EVALUATE_HELP, evaluateCommand } from './commands/evaluate.ts';
import { REGISTER_HELP, registerCommand } from './commands/register.ts';
import { REGISTRY_HELP, registryCommand } from './commands/registry.ts';
import { SERVE_HELP, serveCommand } from './commands/serve.ts';
import { TRAIN_HELP, trainCommand } from './commands/train.ts';
import { ExitCode, type Io } from './io.ts';

export const HELP = `modelgate ${VERSION}: ML model CI/CD with honest gates

Usage: modelgate <command> [options]      (modelgate <command> --help for details)

Commands:
  evaluate   run an ONNX model (or read predictions) and write an evaluation record
  demo       run the pipeline locally on the example project
  compare    gate a candidate against a baseline, with a verdict and a report
  register   store a model version with its evaluation, verdict and lineage
  registry   list, show, alias and fetch registered versions
  deploy     gated deploy of a registered version: smoke check, canary, rollback
  serve      start the built-in model server (Open Inference Protocol v2)
  train      run a training command with GPU assignment, params and telemetry

Examples:
  modelgate evaluate --model model.onnx --data eval.csv --label target --out eval.json
  modelgate register --name churn --model model.onnx --evaluation eval.json --verdict verdict.json --alias production
  modelgate registry show churn@production
  modelgate serve --port 8080 --model churn@production
  modelgate train --command "python train.py" --out model.onnx --params '{"lr": 0.01}'
  modelgate demo

Exit codes:
  0  success (compare/deploy: the gate passed)
  1  the gate failed (compare), a deploy was refused or rolled back (deploy), the training
     command failed (train), or the demo's story did not go as told (demo)
  2  bad input or usage: one 'modelgate: error:' line names the problem
  other  an internal error (a bug); set MODELGATE_DEBUG=1 for a stack trace`;

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  evaluate: evaluateCommand,
  compare: compareCommand,
  demo: demoCommand,
  deploy: deployCommand,
  register: registerCommand,
  registry: registryCommand,
  serve: serveCommand,
  train: trainCommand,
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
    const run = COMMANDS[command];
    if (run !== undefined) return await run(rest, io);
    throw new InputError(`unknown command '${command}'`, { hint: "see 'modelgate --help'" });
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): number {
  const debug = io.env.MODELGATE_DEBUG === '1';
  if (error instanceof InputError) {
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

export {
  COMPARE_HELP,
  DEMO_HELP,
  DEPLOY_HELP,
  EVALUATE_HELP,
  REGISTER_HELP,
  REGISTRY_HELP,
  SERVE_HELP,
  TRAIN_HELP,
};
