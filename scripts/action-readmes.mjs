// Keeps the inputs and outputs tables of every actions/<step>/README.md equal to its action.yml,
// the one source of truth for them (STYLE.md: one source of truth for each list). Each table sits
// between markers; everything else in the README is written by hand and left alone.
//
//   node scripts/action-readmes.mjs           rewrite the tables that are stale
//   node scripts/action-readmes.mjs --check   rewrite nothing; exit 1 naming the stale READMEs
//
// test/action-readmes.test.ts runs the check, so a stale table fails `npm test`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The generated sections, in the order a README holds them. */
export const SECTIONS = ['inputs', 'outputs'];

export const beginMarker = (section) =>
  `<!-- action-readmes:${section} begin (generated from action.yml by scripts/action-readmes.mjs; do not edit) -->`;
export const endMarker = (section) => `<!-- action-readmes:${section} end -->`;

/** A table cell: no pipe may end the cell early (markdown tables do not escape it), no newline may end the row. */
function cell(text) {
  return String(text).trim().replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** A default as the user would type it, in code, so `${{ github.token }}` and `true` read as values. */
function defaultCell(value) {
  if (value === undefined || value === null || String(value) === '') return '';
  return `\`${cell(value)}\``;
}

/** The markdown of one generated section for a parsed action.yml. */
export function renderSection(section, action) {
  if (section === 'inputs') {
    const rows = Object.entries(action.inputs ?? {}).map(
      ([name, input]) =>
        `| \`${name}\` | ${cell(input?.description ?? '')} | ${input?.required ? 'yes' : 'no'} | ${defaultCell(input?.default)} |`,
    );
    if (rows.length === 0) return 'This action has no inputs.';
    return ['| input | description | required | default |', '| :- | :- | :- | :- |', ...rows].join('\n');
  }
  if (section === 'outputs') {
    const rows = Object.entries(action.outputs ?? {}).map(
      ([name, output]) => `| \`${name}\` | ${cell(output?.description ?? '')} |`,
    );
    if (rows.length === 0) return 'This action has no outputs.';
    return ['| output | description |', '| :- | :- |', ...rows].join('\n');
  }
  throw new Error(`unknown section '${section}'`);
}

/**
 * The README with every generated section replaced by what action.yml says now. A README that
 * lacks a section's markers is an error: the tables must be somewhere a reader finds them.
 */
export function updateReadme(readme, action, where = 'README.md') {
  let text = readme;
  for (const section of SECTIONS) {
    const begin = beginMarker(section);
    const end = endMarker(section);
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new Error(`${where} has no ${section} table: add the lines\n${begin}\n${end}\nwhere it belongs`);
    }
    text = `${text.slice(0, from + begin.length)}\n${renderSection(section, action)}\n${text.slice(to)}`;
  }
  return text;
}

/** Every action folder: the ones with an action.yml. */
export function actionFolders(root = ROOT) {
  const actions = join(root, 'actions');
  return readdirSync(actions, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(actions, entry.name, 'action.yml')))
    .map((entry) => join(actions, entry.name))
    .sort();
}

/**
 * Compares (and with `write`, rewrites) every action README; returns the READMEs that were
 * stale, as paths relative to `root`.
 */
export function syncActionReadmes({ root = ROOT, write = false } = {}) {
  const stale = [];
  for (const folder of actionFolders(root)) {
    const action = parse(readFileSync(join(folder, 'action.yml'), 'utf8'));
    const path = join(folder, 'README.md');
    const shown = relative(root, path);
    if (!existsSync(path)) throw new Error(`${shown} is missing: every action documents itself`);
    const current = readFileSync(path, 'utf8');
    const fresh = updateReadme(current, action, shown);
    if (fresh === current) continue;
    stale.push(shown);
    if (write) writeFileSync(path, fresh);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  try {
    const stale = syncActionReadmes({ write: !check });
    if (check && stale.length > 0) {
      console.error(
        `stale action README tables: ${stale.join(', ')}\nrun 'node scripts/action-readmes.mjs' to regenerate them`,
      );
      process.exitCode = 1;
    } else {
      console.log(stale.length === 0 ? 'action READMEs are up to date' : `updated ${stale.join(', ')}`);
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
