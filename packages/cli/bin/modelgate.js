#!/usr/bin/env node
// The bundle is built by scripts/build.mjs at the repository root: `npm ci` there runs it (the
// root's prepare script), and so do `npm pack` and `npm publish` of this package (its prepack
// script), so a published package always carries a fresh one.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle in its on-disk code cache, so later runs start faster.
// Node 20 has no such cache; the call is skipped there.
module.enableCompileCache?.();

const bundle = new URL('../dist/modelgate.js', import.meta.url);
if (!existsSync(bundle)) {
  // A clone has the sources beside bin/ and builds them; an installed package has no sources
  // and always ships its bundle, so there the copy itself is broken.
  const hint = existsSync(new URL('../src/bin.ts', import.meta.url))
    ? "run 'npm run build' at the repository root"
    : "reinstall the package ('npm install modelgate'): it ships the bundle, so this copy is incomplete";
  const { fileURLToPath } = await import('node:url');
  process.stderr.write(
    `modelgate: error: the CLI's bundle ${fileURLToPath(bundle)} is missing\nhint: ${hint}\n`,
  );
  process.exit(2);
}
await import(bundle.href);
