import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOption, evaluate, evaluateSettingsFrom, InputError, writeJsonAtomic } from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { metricsTable } from '../render.ts';

export const DEMO_HELP = `Usage: modelgate demo [--clean] [--dir PATH]

Runs the pipeline locally on the example project (examples/breast-cancer), with no GitHub, no
Python and no GPU. Today that is the evaluate step: the example model scored on the held-out
data, sliced by tumour size, with bootstrap confidence intervals. Later steps (compare, register,
deploy) join the demo as they land.

Options:
  --dir PATH   where the demo writes its files (default .modelgate/demo)
  --clean      delete that folder first and start over

Exit codes: 0 done; 2 bad usage; other: a bug.`;

/** The example project ships in the repository, next to the packages. */
function findExample(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(folder, 'examples', 'breast-cancer');
    if (existsSync(join(candidate, 'model.onnx'))) return candidate;
    folder = dirname(folder);
  }
  throw new InputError('cannot find the example project examples/breast-cancer next to modelgate');
}

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('demo', argv, {
    dir: { type: 'string' },
    clean: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${DEMO_HELP}\n`);
    return ExitCode.Ok;
  }
  const dir = resolve(io.cwd, values.dir ?? '.modelgate/demo');
  if (values.clean) await rm(dir, { recursive: true, force: true });
  const example = findExample();
  const shown = (path: string) => relative(io.cwd, path) || '.';

  io.stdout(`modelgate demo: the example project in ${shown(example)}\n\n`);
  io.stdout('[1/1] evaluate: score model.onnx on data/eval.csv, sliced by size\n');
  const settings = evaluateSettingsFrom(
    {
      model: join(example, 'model.onnx'),
      data: join(example, 'data', 'eval.csv'),
      label: 'target',
      'slice-by': ['size'],
    },
    cliOption,
  );
  const { record } = await evaluate(settings, {
    info: (message) => io.stdout(`      ${message}\n`),
    warning: (message) => io.stdout(`      warning: ${message}\n`),
  });
  const out = join(dir, 'evaluation.json');
  await writeJsonAtomic(out, record);
  io.stdout(`\n${metricsTable(record)}\n\n`);
  for (const slice of record.slices) {
    const accuracy = slice.metrics.accuracy?.value;
    io.stdout(
      `  slice ${slice.column}=${slice.value}: ${slice.rows} rows, accuracy ${accuracy?.toFixed(4) ?? 'n/a'}\n`,
    );
  }
  io.stdout(`\nevaluation record: ${shown(out)}\n`);
  io.stdout('next steps (compare, register, deploy) join this demo as their issues land.\n');
  return ExitCode.Ok;
}
