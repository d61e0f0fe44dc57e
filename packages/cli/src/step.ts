import type { ParseArgsConfig } from 'node:util';
import {
  type ConfigFile,
  cliOption,
  type Logger,
  type OptionTable,
  type Presentation,
  type RawOptions,
  readConfigFile,
} from '@modelgate/core';
import { parseFlags } from './args.ts';
import { ExitCode, type Io } from './io.ts';

type FlagConfig = NonNullable<ParseArgsConfig['options']>;

/** The node:util parseArgs options of a step's option table, plus `--config` and `--help`. */
export function flagsOf(table: OptionTable): FlagConfig {
  const flags: FlagConfig = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } };
  for (const [name, kind] of Object.entries(table))
    flags[name] = kind === 'strings' ? { type: 'string', multiple: true } : { type: kind };
  return flags;
}

/** A command line read by a step's option table: its raw values, `--config`, and whether help was asked for. */
export interface StepFlags<T extends OptionTable> {
  readonly raw: RawOptions<T>;
  readonly config: string | undefined;
  readonly help: boolean;
  readonly positionals: readonly string[];
}

/** Reads a step's flags strictly (unknown flags are exit 2, with a did-you-mean). */
export function stepFlags<T extends OptionTable>(
  command: string,
  argv: string[],
  table: T,
  allowPositionals = false,
): StepFlags<T> {
  const { values, positionals } = parseFlags(command, argv, flagsOf(table), allowPositionals);
  const { config, help, ...raw } = values as Record<string, unknown>;
  return {
    raw: raw as RawOptions<T>,
    config: config as string | undefined,
    help: help === true,
    positionals,
  };
}

/** Prints a command's help; `--help` is exit 0. */
export function printHelp(io: Io, help: string): number {
  io.stdout(`${help}\n`);
  return ExitCode.Ok;
}

/** Prints a step's presentation on the terminal and returns its exit code. */
export function printPresentation(io: Io, presentation: Presentation): number {
  for (const line of presentation.lines) (line.stream === 'out' ? io.stdout : io.stderr)(`${line.text}\n`);
  return presentation.exitCode;
}

/** The step's Logger on the terminal: progress on stdout (unless stdout carries a record), warnings on stderr. */
export function terminalLogger(io: Io, progress = true): Logger {
  return {
    info: (message) => {
      if (progress) io.stdout(`${message}\n`);
    },
    warning: (message) => io.stderr(`warning: ${message}\n`),
  };
}

/**
 * A CLI command, declared: its flags, its help, and the step's three parts. {@link cliStep}
 * turns it into the command every step's adapter is: flags → settings → run → present → exit
 * code, with `--help` and the config file handled the same way for all.
 */
export interface CliStep<T extends OptionTable, S, O> {
  readonly command: string;
  readonly options: T;
  readonly help: string;
  /** Arguments besides the flags (registry's subcommand, merge's parts), for `settings` to read. */
  readonly positionals?: boolean;
  /** The config file; by default `--config`, else `.modelgate.yml` when there is one. */
  readonly config?: (flags: StepFlags<T>, io: Io) => Promise<ConfigFile>;
  readonly settings: (flags: StepFlags<T>, config: ConfigFile, io: Io) => S | Promise<S>;
  readonly run: (settings: S, io: Io) => Promise<O>;
  readonly present: (outcome: O) => Presentation;
  /** After the outcome is printed (`demo --serve` keeps serving). */
  readonly after?: (outcome: O, io: Io) => Promise<void>;
}

export function cliStep<T extends OptionTable, S, O>(
  step: CliStep<T, S, O>,
): (argv: string[], io: Io) => Promise<number> {
  return async (argv, io) => {
    const flags = stepFlags(step.command, argv, step.options, step.positionals ?? false);
    if (flags.help) return printHelp(io, step.help);
    const config = await (step.config ?? configFromFlag)(flags, io);
    const settings = await step.settings(flags, config, io);
    const outcome = await step.run(settings, io);
    const code = printPresentation(io, step.present(outcome));
    await step.after?.(outcome, io);
    return code;
  };
}

function configFromFlag<T extends OptionTable>(flags: StepFlags<T>, io: Io): Promise<ConfigFile> {
  return readConfigFile(flags.config, io.cwd, cliOption);
}
