import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { readTable } from './packages/core/src/data/index.ts';

const file = process.argv[2]!;
for (let k = 0; k < 4; k++) {
  const t0 = performance.now();
  const table = await readTable(file);
  const t1 = performance.now();
  const m = table.matrix(table.columns.slice(0, 32));
  const t2 = performance.now();
  console.log(
    `readTable ${(t1 - t0).toFixed(0)} ms, matrix ${(t2 - t1).toFixed(0)} ms rows=${table.rows} cols=${table.columns.length} ${table.sha256.slice(0, 8)} m0=${m[0]}`,
  );
}
if (process.argv[3] === 'csvparse') {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const recs = parse(bytes);
  console.log(`csv-parse ${(performance.now() - t0).toFixed(0)} ms, ${recs.length} records`);
}
