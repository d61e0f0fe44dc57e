import { isAbsolute, relative } from 'node:path';
import { err, out, type Presentation } from '../../kernel/step.ts';
import type { DemoOutcome } from './run.ts';

/** A path as the user can use it from where they are: relative inside the working directory, else absolute. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Where things are after the story, and what to try while the server keeps running. */
export function presentDemo(outcome: DemoOutcome): Presentation {
  if (outcome.kind === 'astray') {
    const failure = `the demo did not go as told: ${outcome.reason}`;
    return { lines: [err(`modelgate: ${failure}`)], outputs: {}, exitCode: 1, failure };
  }
  const { told } = outcome;
  const shown = (path: string) => displayPath(outcome.cwd, path);
  const registry = `fs:${shown(told.registry)}`;
  const seconds = outcome.seconds.toFixed(1);
  const lines = [
    '\nWhere things are:',
    `  PR report, improved candidate  ${shown(told.reports.improved)}`,
    `  PR report, blocked candidate   ${shown(told.reports.bad)}`,
    `  registry                       ${registry}  (npx modelgate registry list ${told.model} --registry ${registry})`,
    `  end state                      ${shown(told.stateFile)}`,
  ];
  if (!outcome.serving) {
    lines.push(
      `  model server                   ${told.server.url}: stopped (keep it running with --serve)`,
      `\nThe demo took ${seconds} s.`,
    );
  } else {
    const token = shown(told.adminTokenFile);
    const grpc = told.server.grpcUrl === undefined ? '' : ` --wire grpc --grpc-url ${told.server.grpcUrl}`;
    lines.push(
      `  model server                   ${told.server.url}, serving ${told.model} v${told.production}; admin token in ${token}`,
      `\nThe demo took ${seconds} s. The server keeps running; try:`,
      `  curl -s ${told.server.url}/v2/models/${told.model}`,
      `  MODELGATE_ADMIN_TOKEN=$(cat ${token}) npx modelgate deploy --name ${told.model} --ref 1 --allow-downgrade --url ${told.server.url}${grpc} --registry ${registry}`,
      'Stop it with Ctrl-C.',
    );
  }
  return { lines: lines.map(out), outputs: {}, exitCode: 0 };
}
