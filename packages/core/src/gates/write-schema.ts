/**
 * Regenerates docs/gate-spec.schema.json from the zod schema (the file is derived; a test fails
 * when it is stale): `npx tsx packages/core/src/gates/write-schema.ts`.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../kernel/fs.ts';
import { renderGateSpecJsonSchema } from './schema.ts';

/** Where the committed JSON Schema lives, for editors' YAML plugins. */
export const GATE_SPEC_SCHEMA_FILE = fileURLToPath(
  new URL('../../../../docs/gate-spec.schema.json', import.meta.url),
);

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFileAtomic(GATE_SPEC_SCHEMA_FILE, renderGateSpecJsonSchema());
  // The repository's formatter owns the layout of every JSON file, so `biome check .` stays clean.
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'format', '--write', GATE_SPEC_SCHEMA_FILE], { stdio: 'inherit' });
  console.log(`wrote ${GATE_SPEC_SCHEMA_FILE}`);
}
