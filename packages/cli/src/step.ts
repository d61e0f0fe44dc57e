import type { ParseArgsConfig } from 'node:util';
import type { Logger, OptionTable, Presentation, RawOptions } from '@modelgate/core';
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
