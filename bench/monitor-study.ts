// `npm run monitor-study`: how often `modelgate monitor` raises a false alarm, with and without
// Benjamini–Hochberg, and whether it finds a real change and nothing else.
//
// Each run draws a reference and a current table of ROWS rows from one population of FEATURES
// columns (packages/core/src/drift/testing.ts: normal, skewed, heavily tied count and uniform
// numeric columns; categorical columns of 3 to 6 categories, one column in five) and runs the
// monitor's drift analysis on them (analyzeDrift, the code `modelgate monitor` runs after
// reading the files). A run "alarms" when:
//   - with BH: some feature's adjusted p-value is under alpha (0.05);
//   - monitor's decision: some feature drifted (adjusted p under alpha and PSI ≥ 0.1);
//   - without BH: some feature's raw p-value is under alpha (every feature tested at 0.05).
// Then the same runs with column f0 shifted by SHIFT standard deviations and the first category
// of column f4 doubled in weight (the others scaled down): both must drift, and nothing else.
// Asserts nothing: it prints a table.
//
//   MONITOR_RUNS (200), MONITOR_FEATURES (50), MONITOR_ROWS (1000), MONITOR_SEED (2026),
//   MONITOR_SHIFT (0.5)
import { driftStudy } from '../packages/core/src/drift/testing.ts';

const RUNS = Number(process.env.MONITOR_RUNS ?? 200);
const FEATURES = Number(process.env.MONITOR_FEATURES ?? 50);
const ROWS = Number(process.env.MONITOR_ROWS ?? 1000);
const SEED = Number(process.env.MONITOR_SEED ?? 2026);
const SHIFT = Number(process.env.MONITOR_SHIFT ?? 0.5);
const thresholds = { alpha: 0.05, minEffect: 0.1 };

const percent = (n: number) => `${((100 * n) / RUNS).toFixed(1)}%`;
const began = performance.now();
const same = driftStudy({ runs: RUNS, features: FEATURES, rows: ROWS, seed: SEED, thresholds });
const shifted = driftStudy({
  runs: RUNS,
  features: FEATURES,
  rows: ROWS,
  seed: SEED,
  thresholds,
  shift: SHIFT,
});
const seconds = (performance.now() - began) / 1000;

console.log(
  `${RUNS} runs, ${FEATURES} features, ${ROWS} rows a side, seed ${SEED}, alpha 0.05, min_effect 0.1\n`,
);
console.log('REF and CUR from the same distribution: runs with any alarm');
console.log(
  `  BH-adjusted p < 0.05 (monitor's test)      ${String(same.bhAlarms).padStart(4)}  ${percent(same.bhAlarms)}`,
);
console.log(
  `  drifted (BH and PSI >= 0.1, monitor's verdict) ${String(same.driftAlarms).padStart(4)}  ${percent(same.driftAlarms)}`,
);
console.log(
  `  raw p < 0.05, no correction              ${String(same.uncorrectedAlarms).padStart(4)}  ${percent(same.uncorrectedAlarms)}`,
);
console.log(`\nf0 shifted by ${SHIFT} sd, f4's first category's weight doubled`);
console.log(`  median PSI: f0 ${shifted.medianPsi[0].toFixed(3)}, f4 ${shifted.medianPsi[1].toFixed(3)}`);
console.log(
  `  runs where both drifted                  ${String(shifted.found).padStart(4)}  ${percent(shifted.found)}`,
);
console.log(
  `  runs where any other feature drifted     ${String(shifted.otherDrifted).padStart(4)}  ${percent(shifted.otherDrifted)}`,
);
console.log(`\n${seconds.toFixed(1)} s`);
