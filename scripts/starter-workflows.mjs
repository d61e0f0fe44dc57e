#!/usr/bin/env node
// Copies the starter workflows in action-templates/ into the layout GitHub reads them from: the
// `workflow-templates/` folder of an organisation's `.github` repository, one <id>.yml beside its
// <id>.properties.json. GitHub then lists them under "Actions → New workflow" for every
// repository of the organisation.
//
//   node scripts/starter-workflows.mjs PATH/TO/ORG/.github [--uses OWNER/REPO]
//
// --uses rewrites `modelgate/modelgate/…@v1` references for an organisation that runs its own
// mirror of modelgate. The files are written as they are otherwise, so a re-run after an upgrade
// shows the changes as a plain diff in that repository.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const UPSTREAM = 'modelgate/modelgate';
const usage = 'usage: node scripts/starter-workflows.mjs ORG_DOT_GITHUB_REPO_PATH [--uses OWNER/REPO]';

function fail(message) {
  process.stderr.write(`starter-workflows: error: ${message}\n${usage}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let target;
let uses = UPSTREAM;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--uses') {
    uses = args[++i] ?? fail('--uses needs OWNER/REPO');
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(uses)) fail(`--uses '${uses}' is not OWNER/REPO`);
  } else if (arg === '--help' || arg === '-h') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  } else if (target === undefined && !arg.startsWith('-')) {
    target = arg;
  } else {
    fail(`unexpected argument '${arg}'`);
  }
}
if (target === undefined) fail('give the path of the organisation’s .github repository');
if (!existsSync(target)) fail(`${target} does not exist; clone the organisation’s .github repository first`);

const source = join(dirname(fileURLToPath(import.meta.url)), '..', 'action-templates');
const out = join(resolve(target), 'workflow-templates');
mkdirSync(out, { recursive: true });
const written = [];
for (const file of readdirSync(source).sort()) {
  if (file.endsWith('.yml')) {
    const text = readFileSync(join(source, file), 'utf8');
    writeFileSync(join(out, file), uses === UPSTREAM ? text : text.replaceAll(`${UPSTREAM}/`, `${uses}/`));
  } else if (file.endsWith('.properties.json') || file.endsWith('.svg')) {
    copyFileSync(join(source, file), join(out, file));
  } else {
    continue;
  }
  written.push(file);
}
process.stdout.write(`wrote ${written.length} files to ${out}\n`);
