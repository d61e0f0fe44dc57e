// Writes packages/github/src/runtime/pin.json: the onnxruntime-node version the actions load, and
// the sha512 of each registry tarball they download, taken from the root package-lock.json. The
// lockfile stays the one source of truth (STYLE.md): the version the tests run with is the version
// an action downloads, and a download is checked against the digest npm itself checked.
//
//   node scripts/onnxruntime-pin.mjs           rewrite pin.json when it is stale
//   node scripts/onnxruntime-pin.mjs --check   rewrite nothing; exit 1 when it is stale
//
// packages/github/src/runtime/pin.test.ts runs the check, so a stale pin fails `npm test`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PIN_PATH = join(ROOT, 'packages', 'github', 'src', 'runtime', 'pin.json');

/**
 * The packages an action lays out. onnxruntime-node's other dependencies (adm-zip, global-agent)
 * serve only its install script, which fetches CUDA libraries; nothing requires them at run time.
 */
export const PINNED = ['onnxruntime-node', 'onnxruntime-common'];

/** A lockfile entry, looked up as Node resolves it: nested under the requiring package first, then hoisted. */
function entry(lock, name, from) {
  const nested = from === undefined ? undefined : lock.packages?.[`${from}/node_modules/${name}`];
  const hoisted = lock.packages?.[`node_modules/${name}`];
  const found = nested ?? hoisted;
  if (found === undefined) throw new Error(`package-lock.json has no entry for ${name}`);
  if (typeof found.integrity !== 'string' || !found.integrity.startsWith('sha512-')) {
    throw new Error(`package-lock.json has no sha512 integrity for ${name}`);
  }
  return { name, version: found.version, integrity: found.integrity };
}

/** The pin derived from a parsed package-lock.json (lockfileVersion 2 or 3). */
export function pinFromLockfile(lock) {
  const node = entry(lock, 'onnxruntime-node');
  const packages = [
    node,
    ...PINNED.slice(1).map((name) => entry(lock, name, 'node_modules/onnxruntime-node')),
  ];
  return {
    '//': 'Generated from package-lock.json by scripts/onnxruntime-pin.mjs; do not edit.',
    version: node.version,
    packages,
  };
}

/** pin.json's text for the lockfile at `root`. */
export function renderPin(root = ROOT) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return `${JSON.stringify(pinFromLockfile(lock), null, 2)}\n`;
}

/** Compares (and with `write`, rewrites) pin.json; returns whether it was stale. */
export function syncPin({ root = ROOT, path = PIN_PATH, write = false } = {}) {
  const fresh = renderPin(root);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // A missing pin is stale.
  }
  if (current === fresh) return false;
  if (write) writeFileSync(path, fresh);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  try {
    const stale = syncPin({ write: !check });
    if (check && stale) {
      console.error(
        `${PIN_PATH} is stale: run 'node scripts/onnxruntime-pin.mjs' after changing onnxruntime-node in package-lock.json`,
      );
      process.exitCode = 1;
    } else {
      console.log(stale ? `updated ${PIN_PATH}` : 'the onnxruntime pin is up to date');
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
