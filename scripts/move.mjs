#!/usr/bin/env node
// Moves source files and rewrites every relative import that reaches them (and theirs):
//   node scripts/move.mjs OLD NEW [OLD NEW ...]   (paths relative to the repository root)
// A maintenance tool for reshaping the tree; it runs `git mv` and edits .ts/.mjs files in place.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: node scripts/move.mjs OLD NEW [OLD NEW ...]');
  process.exit(2);
}
const moves = new Map();
for (let i = 0; i < args.length; i += 2) moves.set(resolve(root, args[i]), resolve(root, args[i + 1]));

const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage']);
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('dist.')) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}
const files = ['packages', 'actions', 'test', 'bench', 'scripts'].flatMap((d) =>
  existsSync(join(root, d)) ? walk(join(root, d), []) : [],
);

const newPath = (p) => moves.get(p) ?? p;
const spec = (fromFile, target) => {
  let r = relative(dirname(fromFile), target);
  if (!r.startsWith('.')) r = `./${r}`;
  return r;
};
const IMPORT =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|vi\.mock\(\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
let edited = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const oldDir = dirname(file);
  const movedTo = newPath(file);
  const next = text.replace(IMPORT, (whole, lead, quote, specifier) => {
    const target = resolve(oldDir, specifier);
    const targetNew = newPath(target);
    if (targetNew === target && movedTo === file) return whole;
    return `${lead}${quote}${spec(movedTo, targetNew)}${quote}`;
  });
  if (next !== text) {
    writeFileSync(file, next);
    edited++;
  }
}
for (const [from, to] of moves) {
  execFileSync('mkdir', ['-p', dirname(to)]);
  execFileSync('git', ['mv', from, to], { cwd: root, stdio: 'inherit' });
}
console.log(`moved ${moves.size} files, rewrote imports in ${edited}`);
