import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cliOption,
  compare,
  evaluate,
  evaluateSettingsFrom,
  InputError,
  type Logger,
  loadConfig,
  loadGateSpec,
  writeFileAtomic,
  writeJsonAtomic,
} from '@modelgate/core';
import { parseFlags } from '../args.ts';
import { ExitCode, type Io } from '../io.ts';
import { metricsTable } from '../render.ts';

export const DEMO_HELP = `Usage: modelgate demo [--clean] [--dir PATH]

Runs the pipeline locally on the example project (examples/breast-cancer), with no GitHub, no
Python and no GPU:
  1. evaluate: the candidate model scored on held-out data, sliced by tumour size, with
     bootstrap confidence intervals
  2. compare: the candidate against the champion, both scored on the same rows, gated with
     paired statistics; the verdict and the PR report are written to files
Later steps (register, deploy) join the demo as they land.

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
  const logger: Logger = {
    info: (message) => io.stdout(`      ${message}\n`),
    warning: (message) => io.stdout(`      warning: ${message}\n`),
  };
  const configPath = join(example, '.modelgate.yml');
  const config = await loadConfig(configPath, { required: true });
  const settings = evaluateSettingsFrom(
    {
      model: join(example, 'model.onnx'),
      data: join(example, config.evaluate?.data ?? 'data/eval.csv'),
      label: config.evaluate?.label ?? 'target',
      'slice-by': config.evaluate?.slice_by ?? [],
    },
    cliOption,
  );

  io.stdout(`modelgate demo: the example project in ${shown(example)}\n\n`);
  io.stdout('[1/2] evaluate the candidate (model.onnx) on data/eval.csv\n');
  const { record } = await evaluate(settings, logger);
  const evaluation = join(dir, 'evaluation.json');
  await writeJsonAtomic(evaluation, record);
  io.stdout(`\n${metricsTable(record)}\n\n`);

  io.stdout('[2/2] compare it with the champion (baseline.onnx) on the same rows, against .modelgate.yml\n');
  const result = await compare(
    {
      name: config.model ?? 'breast-cancer',
      spec: await loadGateSpec(configPath),
      source: { mode: 'paired', evaluate: settings, baselineModel: join(example, 'baseline.onnx') },
      baselineRef: 'champion',
    },
    logger,
  );
  const verdictPath = join(dir, 'verdict.json');
  const reportPath = join(dir, 'report.md');
  await writeJsonAtomic(verdictPath, result.verdict);
  await writeFileAtomic(reportPath, result.report);
  io.stdout(`\n  ${result.report.split('\n')[0]?.replace(/^#+\s*/, '')}\n`);
  for (const rule of result.verdict.rules) {
    const where = rule.slice === undefined ? '' : ` [${rule.slice.column}=${rule.slice.value}]`;
    io.stdout(`    ${rule.status.padEnd(5)} ${rule.metric}${where} ${rule.rule}: ${rule.reason}\n`);
  }
  if (result.verdict.mcnemar !== undefined) {
    const m = result.verdict.mcnemar;
    io.stdout(
      `    McNemar exact test on accuracy: ${m.candidate_only} vs ${m.baseline_only} discordant rows, p = ${m.p_value.toFixed(3)}\n`,
    );
  }

  io.stdout('\nwhere things are:\n');
  io.stdout(`  evaluation record  ${shown(evaluation)}\n`);
  io.stdout(`  verdict            ${shown(verdictPath)}\n`);
  io.stdout(`  PR report          ${shown(reportPath)} (the comment a reviewer sees)\n`);
  io.stdout('next steps (register, deploy to the built-in server) join this demo as their issues land.\n');
  return ExitCode.Ok;
}
