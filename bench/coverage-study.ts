// `npm run coverage-study`: how often modelgate's 95% bootstrap intervals hold the true value.
//
// For each synthetic population (bench/coverage-study/populations.ts: six binary classifiers of
// different class balance, separability and calibration; six regression models with different
// error distributions), the "true" value of each metric is its value on a million rows of the
// population. Then DRAWS samples of n rows are drawn for each n, each gets the interval that
// `evaluate` reports (bootstrapIntervals from packages/core/src/stats, BCa, RESAMPLES resamples,
// bootstrap seed = draw number), and the table gives the share of draws whose interval held the
// true value, with the misses below and above. Asserts nothing: it prints a table.
//
//   COVERAGE_DRAWS (400), COVERAGE_RESAMPLES (1000, the CLI's default), COVERAGE_TRUTH_ROWS
//   (1,000,000), COVERAGE_WORKERS (one per core), COVERAGE_SIZES (100,400,2000),
//   COVERAGE_ONLY (a substring of the population names to run), COVERAGE_Z0=strict (for
//   comparison: BCa's bias term without counting ties with the estimate as half)
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { METRICS } from '../packages/core/src/metrics/index.ts';
import { POPULATIONS } from './coverage-study/populations.ts';
import type { Job, Reply, Tally } from './coverage-study/protocol.ts';

const DRAWS = Number(process.env.COVERAGE_DRAWS ?? 400);
const RESAMPLES = Number(process.env.COVERAGE_RESAMPLES ?? 1000);
const TRUTH_ROWS = Number(process.env.COVERAGE_TRUTH_ROWS ?? 1_000_000);
const WORKERS = Number(process.env.COVERAGE_WORKERS ?? Math.min(availableParallelism(), 8));
const SIZES = (process.env.COVERAGE_SIZES ?? '100,400,2000').split(',').map(Number);
const ONLY = process.env.COVERAGE_ONLY ?? '';
const Z0: 'ties-half' | 'strict' = process.env.COVERAGE_Z0 === 'strict' ? 'strict' : 'ties-half';
/** Draws per job: small enough to keep every worker busy to the end. */
const CHUNK = 50;
/** Coverage under this, at n ≥ 400, is flagged (the issue's threshold). */
const FLAG_BELOW = 93;

const workerFile = fileURLToPath(new URL('./coverage-study/worker.ts', import.meta.url));

/** Runs `jobs` over WORKERS child processes, the results in job order. */
async function runAll(jobs: readonly Job[], label: string): Promise<Reply[]> {
  const results: Reply[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(workerFile, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      const feed = () => {
        if (next >= jobs.length) {
          child.disconnect();
          resolve();
          return;
        }
        child.send(jobs[next++]!);
      };
      child.on('message', (reply: Reply) => {
        results[reply.id] = reply;
        done++;
        if (jobs.length >= 20 && done % Math.ceil(jobs.length / 10) === 0) {
          process.stderr.write(`${label}: ${done} of ${jobs.length} jobs done\n`);
        }
        feed();
      });
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) reject(new Error(`a coverage worker exited with ${code}`));
      });
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(WORKERS, jobs.length)) }, one));
  return results;
}

const populations = POPULATIONS.map((population, index) => ({ population, index })).filter(({ population }) =>
  population.name.includes(ONLY),
);
const started = performance.now();

const truthReplies = await runAll(
  populations.map(({ index }, id) => ({ kind: 'truth', id, population: index, rows: TRUTH_ROWS })),
  'truth',
);
const truths = new Map(
  populations.map(({ index }, k) => [index, (truthReplies[k] as Extract<Reply, { kind: 'truth' }>).values]),
);

const jobs: Job[] = [];
const cells: Array<{ population: number; rows: number; ids: number[] }> = [];
for (const { index } of populations) {
  for (const rows of SIZES) {
    const ids: number[] = [];
    for (let first = 0; first < DRAWS; first += CHUNK) {
      ids.push(jobs.length);
      jobs.push({
        kind: 'draws',
        id: jobs.length,
        population: index,
        rows,
        first,
        count: Math.min(CHUNK, DRAWS - first),
        resamples: RESAMPLES,
        z0: Z0,
        truth: truths.get(index)!,
      });
    }
    cells.push({ population: index, rows, ids });
  }
}
const replies = await runAll(jobs, 'draws');

/** The tallies of one population at one n, summed over its jobs. */
function tallyOf(population: number, rows: number, metric: string): Tally {
  const cell = cells.find((c) => c.population === population && c.rows === rows)!;
  const sum: Tally = { covered: 0, below: 0, above: 0, none: 0, width: 0 };
  for (const id of cell.ids) {
    const t = (replies[id] as Extract<Reply, { kind: 'tally' }>).tallies[metric]!;
    sum.covered += t.covered;
    sum.below += t.below;
    sum.above += t.above;
    sum.none += t.none;
    sum.width += t.width;
  }
  return sum;
}

const se = Math.sqrt((0.95 * 0.05) / DRAWS) * 100;
const lines: string[] = [];
lines.push(
  Z0 === 'strict'
    ? `95% interval coverage with BCa's z0 = Φ⁻¹(#{θ* < θ̂}/B), ties not counted (a comparison, not modelgate's intervals), ${RESAMPLES} resamples`
    : `95% interval coverage of modelgate's bootstrap intervals (bootstrapIntervals: BCa, ties count half in z0; ${RESAMPLES} resamples, seed = draw number)`,
);
lines.push(
  `${DRAWS} draws per cell; the truth is each metric on ${TRUTH_ROWS.toLocaleString('en-US')} rows of the population.`,
);
lines.push(
  `Binomial standard error of a ${DRAWS}-draw coverage estimate at 95%: ${se.toFixed(2)} points (so 95 ± ${(2 * se).toFixed(1)} is within two).`,
);
lines.push(
  'Each cell: coverage % (misses with the interval below the truth / above it); "none: k" = draws with no interval.',
);
lines.push(`"!" marks coverage under ${FLAG_BELOW}% at n >= 400.`);
const header = (first: string) =>
  `${first.padEnd(36)} ${'metric'.padEnd(19)} ${'truth'.padStart(9)}  ${SIZES.map((n) => `n=${n}`.padEnd(24)).join('')}`;

for (const task of ['binary', 'regression'] as const) {
  const group = populations.filter(({ population }) => population.task === task);
  if (group.length === 0) continue;
  lines.push('');
  lines.push(`## ${task}: ${METRICS[task].join(', ')}`);
  lines.push(header('population'));
  for (const { population, index } of group) {
    for (const metric of METRICS[task]) {
      const truth = truths.get(index)![metric]!;
      const cellsText = SIZES.map((rows) => {
        const t = tallyOf(index, rows, metric);
        const scored = t.covered + t.below + t.above;
        if (scored === 0) return 'no interval'.padEnd(24);
        const coverage = (100 * t.covered) / scored;
        const flag = rows >= 400 && coverage < FLAG_BELOW ? '!' : ' ';
        const none = t.none > 0 ? ` none:${t.none}` : '';
        return `${coverage.toFixed(1).padStart(5)}${flag}(${t.below}/${t.above})${none}`.padEnd(24);
      }).join('');
      lines.push(
        `${population.name.padEnd(36)} ${metric.padEnd(19)} ${truth.toPrecision(4).padStart(9)}  ${cellsText}`,
      );
    }
  }
}
// Pooled over the populations of a task: the family's coverage with a smaller standard error.
lines.push('');
lines.push(
  `## pooled over populations (${DRAWS} draws × the populations of the task; SE ≈ ${se.toFixed(2)}/√populations)`,
);
lines.push(`${'task'.padEnd(11)} ${'metric'.padEnd(19)} ${SIZES.map((n) => `n=${n}`.padEnd(18)).join('')}`);
for (const task of ['binary', 'regression'] as const) {
  const group = populations.filter(({ population }) => population.task === task);
  if (group.length === 0) continue;
  for (const metric of METRICS[task]) {
    const cellsText = SIZES.map((rows) => {
      let covered = 0;
      let scored = 0;
      let below = 0;
      let above = 0;
      for (const { index } of group) {
        const t = tallyOf(index, rows, metric);
        covered += t.covered;
        below += t.below;
        above += t.above;
        scored += t.covered + t.below + t.above;
      }
      if (scored === 0) return 'no interval'.padEnd(18);
      return `${((100 * covered) / scored).toFixed(1).padStart(5)} (${below}/${above})`.padEnd(18);
    }).join('');
    lines.push(`${task.padEnd(11)} ${metric.padEnd(19)} ${cellsText}`);
  }
}
lines.push('');
lines.push(
  `${populations.length} populations × ${SIZES.length} sizes × ${DRAWS} draws in ${((performance.now() - started) / 1000).toFixed(0)} s on ${WORKERS} worker processes`,
);
console.log(lines.join('\n'));
