import { readFileSync } from 'node:fs';
import { readCsv } from './packages/core/src/data/csv.ts';

const bytes = readFileSync(process.argv[2]!);
const times: number[] = [];
for (let k = 0; k < 10; k++) {
  const c0 = process.cpuUsage();
  readCsv('x', bytes);
  const c = process.cpuUsage(c0);
  times.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
console.log(`readCsv cpu min ${times[0]!.toFixed(0)} median ${times[5]!.toFixed(0)} ms`);
