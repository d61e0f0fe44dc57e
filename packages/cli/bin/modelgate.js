#!/usr/bin/env node
// The bundle is built by `npm run build` (run by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle in its on-disk code cache, so later runs start faster.
// Node 20 has no such cache; the call is skipped there.
module.enableCompileCache?.();

const bundle = new URL('../dist/modelgate.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    "modelgate: error: the CLI is not built yet\nhint: run 'npm run build' at the repository root\n",
  );
  process.exit(2);
}
await import(bundle.href);
