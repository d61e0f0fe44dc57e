/**
 * Picking the best of N candidates (tuning), honestly: keep the candidates that pass the gates'
 * bounds, take the best by one metric, then say how much of its lead over the runner-up noise
 * can explain, and give the winner an interval that allows for having been picked.
 *
 * - **Shared rows.** Two records were made on the same rows when they name the same data file
 *   digest and label. The records keep no per-row predictions, so the paired bootstrap re-scores
 *   both models on that data (each file found and its sha256 checked against the record, and the
 *   re-scored metric checked against the recorded value); then every resample weighs every row
 *   the same for both, as compare's paired mode does. Otherwise, or when a file is not at hand,
 *   the two records are taken as independent (stats/unpaired.ts: a normal approximation from
 *   their intervals), and the selection says so.
 * - **The winner's curse.** The best of N by a noisy metric overstates itself. The winner's
 *   selection-adjusted interval is its bootstrap interval at confidence 1 − (1 − c)/N (Bonferroni
 *   over the N candidates): with the winner's predictions at hand, a bootstrap at that level;
 *   otherwise its recorded interval widened on each side by z(1 − (1 − c)/2N) / z(1 − (1 − c)/2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkBound } from '../gates/rules.ts';
import { checkGatesFitTask, type GateSpec } from '../gates/spec.ts';
import { DEFAULT_BATCH_SIZE } from '../inference/predict.ts';
import type { RuntimeLoader } from '../inference/runtime.ts';
import { didYouMean, InputError } from '../kernel/errors.ts';
import { formatValue } from '../kernel/format.ts';
import { sha256 } from '../kernel/fs.ts';
import type { Logger } from '../kernel/ports.ts';
import type { EvaluationRecord, MetricValue } from '../kernel/records/evaluation.ts';
import { VERSION } from '../kernel/version.ts';
import { type Direction, MEASURED_METRICS, METRICS, metricDirection } from '../metrics/names.ts';
import { bootstrapIntervals, pairedBootstrap, pairedDistributions } from '../stats/bootstrap.ts';
import { normalQuantile } from '../stats/normal.ts';
import type { Predictions } from '../stats/predictions.ts';
import { unpairedDifference } from '../stats/unpaired.ts';
import { evaluate } from './evaluate.ts';
import type { EvaluateSettings } from './settings.ts';

export const SELECTION_SCHEMA = 'modelgate/selection@1';
/** A re-scored metric must equal the recorded one to this, or the pairing is not trusted. */
const SAME_VALUE = 1e-9;

/** One candidate: its evaluation record and the file it came from. */
export interface Candidate {
  readonly evaluation: string;
  readonly record: EvaluationRecord;
}

export interface CandidateResult {
  evaluation: string;
  model: string | null;
  sha256: string | null;
  value: number | null;
  passed: boolean;
  /** Why it was not eligible: each failed bound, or the metric missing. */
  reasons: string[];
}

export interface Lead {
  /** winner − runner-up in the metric's good direction (> 0: the winner is better). */
  value: number;
  ci: [number, number];
  /** The share of resamples (paired) or the probability (independent) that the lead is ≤ 0. */
  p_noise: number;
  method: 'paired-bootstrap' | 'independent-normal' | 'independent-bootstrap';
  /** Why the records were not paired, when they were not. */
  unpaired_reason?: string;
  statement: string;
}

/** `modelgate/selection@1`. */
export interface SelectionRecord {
  schema: typeof SELECTION_SCHEMA;
  metric: string;
  direction: Direction;
  confidence: number;
  winner: {
    evaluation: string;
    model: string | null;
    sha256: string | null;
    value: number;
    ci: [number, number] | null;
    /** Bonferroni over the candidates: see `adjusted`. */
    adjusted_ci: [number, number] | null;
    /** From train's record (modelgate-train.json) next to the model; null without one. */
    params: unknown;
  };
  runner_up: { evaluation: string; model: string | null; value: number } | null;
  lead: Lead | null;
  adjusted: {
    method: 'bonferroni';
    candidates: number;
    confidence: number;
    how: 'bootstrap' | 'widened-interval';
  } | null;
  candidates: CandidateResult[];
  notes: string[];
  created_at: string;
  tool: { name: 'modelgate'; version: string };
}

export type Selection =
  | { kind: 'selected'; selection: SelectionRecord }
  | { kind: 'none-passed'; candidates: CandidateResult[] };

/** The bounds (min / max) of the overall gates and, per slice, of the slice gates. */
function boundFailures(record: EvaluationRecord, spec: GateSpec): string[] {
  const reasons: string[] = [];
  const check = (metrics: Record<string, MetricValue>, gates: GateSpec['gates'], where: string) => {
    for (const gate of gates) {
      for (const rule of gate.rules) {
        if (rule.kind !== 'min' && rule.kind !== 'max') continue;
        const metric = metrics[gate.metric];
        if (metric === undefined || !Number.isFinite(metric.value)) {
          reasons.push(
            `${where}${gate.metric} is not in the record, so its ${rule.kind} bound cannot be checked`,
          );
          continue;
        }
        const outcome = checkBound(rule.kind, metric.value, rule.amount);
        if (outcome.status === 'fail') reasons.push(`${where}${gate.metric}: ${outcome.reason}`);
      }
    }
  };
  check(record.metrics, spec.gates, '');
  for (const slice of record.slices)
    check(slice.metrics, spec.sliceGates, `${slice.column}=${slice.value}: `);
  return reasons;
}

/** Which way the metric is better; an unknown name is an error naming the ones the records have. */
function directionOf(metric: string, candidates: readonly Candidate[], option: string): Direction {
  const direction = metricDirection(metric);
  if (direction !== undefined) {
    const task = candidates[0]?.record.task ?? 'binary';
    if (!METRICS[task].includes(metric) && !MEASURED_METRICS.includes(metric)) {
      throw new InputError(`${option} ${metric}: a ${task} evaluation has no ${metric}`, {
        hint: `a ${task} evaluation has ${[...METRICS[task], ...MEASURED_METRICS].join(', ')}`,
      });
    }
    return direction;
  }
  const known = [...new Set(candidates.flatMap((c) => Object.keys(c.record.metrics)))];
  const guess = didYouMean(metric, known);
  throw new InputError(`${option} ${metric} is not a metric modelgate knows`, {
    hint: guess === undefined ? `the records have ${known.join(', ')}` : `did you mean '${guess}'?`,
  });
}

/** A file the record names, where it is now: as recorded (from the working directory), else beside `near`. */
function locate(recorded: string, digest: string, near: string): string | undefined {
  for (const path of [recorded, join(dirname(near), basename(recorded))]) {
    if (existsSync(path) && sha256(readFileSync(path)) === digest) return path;
  }
  return undefined;
}

function trainParams(model: string | undefined, digest: string | undefined, notes: string[]): unknown {
  if (model === undefined) return null;
  const path = join(dirname(model), 'modelgate-train.json');
  if (!existsSync(path)) return null;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as {
      schema?: string;
      model?: { sha256?: string };
      params?: unknown;
    };
    if (record.schema !== 'modelgate/train@1') return null;
    if (digest !== undefined && record.model?.sha256 !== undefined && record.model.sha256 !== digest) {
      notes.push(
        `${path} describes another model (sha256 ${record.model.sha256.slice(0, 12)}): params left out`,
      );
      return null;
    }
    return record.params ?? null;
  } catch {
    notes.push(`${path} is not valid JSON: params left out`);
    return null;
  }
}

/** The settings that re-score a record's model (or re-read its predictions file) on its rows. */
function rescoreSettings(
  candidate: Candidate,
  runtime: RuntimeLoader | undefined,
): { settings: EvaluateSettings } | { why: string } {
  const { record, evaluation } = candidate;
  const data = record.data;
  const common = {
    label: data.label,
    task: record.task,
    ...(data.classes === undefined ? {} : { classes: data.classes }),
    ...(data.features === undefined ? {} : { features: data.features }),
    sliceBy: [],
    bootstrap: 0,
    confidence: record.bootstrap.confidence,
    seed: record.bootstrap.seed,
    provider: 'cpu' as const,
    batchSize: DEFAULT_BATCH_SIZE,
    ...(runtime === undefined ? {} : { runtime }),
  };
  if (record.model === undefined) {
    const path =
      data.predictions === undefined ? undefined : locate(data.predictions, data.sha256, evaluation);
    if (path === undefined)
      return { why: `the predictions file of ${evaluation} is not at hand with its recorded sha256` };
    return { settings: { ...common, predictions: path } };
  }
  const model = locate(record.model.path, record.model.sha256, evaluation);
  if (model === undefined)
    return {
      why: `the model of ${evaluation} (${record.model.path}) is not at hand with its recorded sha256`,
    };
  const rows = locate(data.path, data.sha256, evaluation);
  if (rows === undefined)
    return { why: `the data file ${data.path} is not at hand with its recorded sha256` };
  return { settings: { ...common, model, data: rows, output: record.model.output } };
}

/** Both records' predictions on their shared rows, or why they cannot be paired. */
async function pairedPredictions(
  winner: Candidate,
  runnerUp: Candidate,
  metric: string,
  logger: Logger,
  runtime: RuntimeLoader | undefined,
): Promise<{ winner: Predictions; runnerUp: Predictions } | { why: string }> {
  const [a, b] = [winner.record, runnerUp.record];
  if (a.data.sha256 !== b.data.sha256 || a.data.label !== b.data.label) {
    return { why: 'the two records were made on different data (sha256 or label)' };
  }
  if (MEASURED_METRICS.includes(metric)) return { why: `${metric} is measured, not computed from rows` };
  const predictions: Predictions[] = [];
  logger.info(
    `re-scoring ${winner.evaluation} and ${runnerUp.evaluation} on their shared rows for a paired bootstrap`,
  );
  for (const candidate of [winner, runnerUp]) {
    const found = rescoreSettings(candidate, runtime);
    if ('why' in found) return found;
    let scored: Awaited<ReturnType<typeof evaluate>>;
    try {
      scored = await evaluate(found.settings, logger);
    } catch (error) {
      // Without the pairing the records still compare, independently: say why, do not fail.
      return { why: `re-scoring ${candidate.evaluation} failed: ${(error as Error).message}` };
    }
    const { record, predictions: rows } = scored;
    const again = record.metrics[metric]?.value;
    const recorded = candidate.record.metrics[metric]?.value;
    if (again === undefined || recorded === undefined || !(Math.abs(again - recorded) <= SAME_VALUE)) {
      return {
        why: `re-scoring ${candidate.evaluation} gave ${metric} ${again}, not the recorded ${recorded}`,
      };
    }
    predictions.push(rows);
  }
  return { winner: predictions[0] as Predictions, runnerUp: predictions[1] as Predictions };
}

function statement(lead: Omit<Lead, 'statement'>, metric: string, confidence: number): string {
  const level = `${Math.round(confidence * 1000) / 10}%`;
  const share = `${Math.round(lead.p_noise * 1000) / 10}%`;
  const interval = `[${formatValue(lead.ci[0])}, ${formatValue(lead.ci[1])}]`;
  const kind =
    lead.method === 'paired-bootstrap' ? 'of the paired resamples' : 'chance under independent noise';
  return lead.ci[0] > 0
    ? `noise is unlikely to explain the lead of ${formatValue(lead.value)} in ${metric}: its ${level} interval ${interval} excludes 0 (the runner-up does as well in ${share} ${kind})`
    : `noise can explain the lead of ${formatValue(lead.value)} in ${metric}: its ${level} interval ${interval} includes 0 (the runner-up does as well in ${share} ${kind})`;
}

/** The lead of the winner over the runner-up, paired when the records share rows. */
async function leadOf(
  winner: Candidate,
  runnerUp: Candidate,
  metric: string,
  direction: Direction,
  confidence: number,
  logger: Logger,
  runtime: RuntimeLoader | undefined,
): Promise<{ lead: Lead | null; winnerPredictions?: Predictions }> {
  const sign = direction === 'higher' ? 1 : -1;
  const paired = await pairedPredictions(winner, runnerUp, metric, logger, runtime);
  const { resamples, seed } = winner.record.bootstrap;
  if (!('why' in paired) && resamples > 0) {
    const o = { resamples, confidence, seed };
    const summary = (await pairedBootstrap(paired.winner, paired.runnerUp, [metric], o))[metric];
    const distribution = (await pairedDistributions(paired.winner, paired.runnerUp, [metric], o))[metric];
    if (summary !== undefined && distribution !== undefined) {
      const defined = Array.from(distribution).filter((d) => !Number.isNaN(d));
      const noise = defined.filter((d) => sign * d <= 0).length / Math.max(1, defined.length);
      const ci: [number, number] = sign > 0 ? summary.ci : [-summary.ci[1], -summary.ci[0]];
      const lead = { value: sign * summary.delta, ci, p_noise: noise, method: 'paired-bootstrap' as const };
      return {
        lead: { ...lead, statement: statement(lead, metric, confidence) },
        winnerPredictions: paired.winner,
      };
    }
  }
  const evidence = (c: Candidate) => ({
    value: c.record.metrics[metric]?.value ?? Number.NaN,
    ...(c.record.metrics[metric]?.ci === undefined ? {} : { ci: c.record.metrics[metric]?.ci }),
    confidence: c.record.bootstrap.confidence,
  });
  const [better, worse] = sign > 0 ? [winner, runnerUp] : [runnerUp, winner];
  const difference = unpairedDifference(evidence(better), evidence(worse), confidence);
  const why = 'why' in paired ? paired.why : 'the records were made without a bootstrap';
  if (difference === undefined) return { lead: null };
  const lead = {
    value: difference.delta,
    ci: difference.ci,
    p_noise: difference.pNonPositive,
    method:
      difference.method === 'bootstrap-distributions'
        ? ('independent-bootstrap' as const)
        : ('independent-normal' as const),
    unpaired_reason: why,
  };
  return { lead: { ...lead, statement: statement(lead, metric, confidence) } };
}

/** The winner's interval at 1 − (1 − c)/N: a bootstrap on its predictions, or its recorded one widened. */
async function adjustedInterval(
  winner: Candidate,
  metric: string,
  candidates: number,
  predictions: Predictions | undefined,
): Promise<{ ci: [number, number] | null; adjusted: SelectionRecord['adjusted'] }> {
  const { resamples, seed, confidence } = winner.record.bootstrap;
  const level = 1 - (1 - confidence) / candidates;
  const metricValue = winner.record.metrics[metric];
  if (predictions !== undefined && resamples > 0) {
    const ci = (await bootstrapIntervals(predictions, [metric], { resamples, confidence: level, seed }))[
      metric
    ];
    if (ci !== undefined) {
      return { ci, adjusted: { method: 'bonferroni', candidates, confidence: level, how: 'bootstrap' } };
    }
  }
  if (metricValue?.ci === undefined) return { ci: null, adjusted: null };
  const scale =
    normalQuantile(1 - (1 - confidence) / (2 * candidates)) / normalQuantile(0.5 + confidence / 2);
  const [low, high] = metricValue.ci;
  const v = metricValue.value;
  return {
    ci: [v - (v - low) * scale, v + (high - v) * scale],
    adjusted: { method: 'bonferroni', candidates, confidence: level, how: 'widened-interval' },
  };
}

/**
 * Keeps the candidates that pass the bounds of `spec`, picks the best by `metric`, and measures
 * its lead and its selection-adjusted interval. Records of different tasks are an error.
 */
export async function selectCandidate(
  candidates: readonly Candidate[],
  metric: string,
  spec: GateSpec,
  logger: Logger,
  /** How the caller names the metric option in errors (`--metric`, `input 'metric'`). */
  option = '--metric',
  /** How to load onnxruntime-node for the paired re-scoring (an action's tool cache); the default imports it. */
  runtime?: RuntimeLoader,
): Promise<Selection> {
  const first = candidates[0];
  if (first === undefined) throw new InputError('no evaluation records to select from');
  for (const c of candidates) {
    if (c.record.task !== first.record.task) {
      throw new InputError(
        `${c.evaluation} is a ${c.record.task} evaluation and ${first.evaluation} a ${first.record.task} one: candidates must solve one task`,
      );
    }
  }
  const direction = directionOf(metric, candidates, option);
  checkGatesFitTask(spec, first.record.task);
  const results: CandidateResult[] = candidates.map((c) => {
    const value = c.record.metrics[metric]?.value;
    const reasons = boundFailures(c.record, spec);
    if (value === undefined || !Number.isFinite(value)) reasons.unshift(`${metric} is not in the record`);
    return {
      evaluation: c.evaluation,
      model: c.record.model?.path ?? null,
      sha256: c.record.model?.sha256 ?? null,
      value: value ?? null,
      passed: reasons.length === 0,
      reasons,
    };
  });
  const eligible = candidates
    .map((candidate, i) => ({ candidate, value: results[i]?.value as number, passed: results[i]?.passed }))
    .filter((c) => c.passed)
    // Best first; ties keep the order given.
    .sort((a, b) => (direction === 'higher' ? b.value - a.value : a.value - b.value));
  const best = eligible[0];
  if (best === undefined) return { kind: 'none-passed', candidates: results };

  const notes: string[] = [];
  const confidence = best.candidate.record.bootstrap.confidence;
  const second = eligible[1];
  const { lead, winnerPredictions } =
    second === undefined
      ? { lead: null, winnerPredictions: undefined }
      : await leadOf(best.candidate, second.candidate, metric, direction, confidence, logger, runtime);
  if (second === undefined)
    notes.push('only one candidate passed the bounds: there is no runner-up to measure a lead against');
  const adjusted = await adjustedInterval(best.candidate, metric, candidates.length, winnerPredictions);
  const record = best.candidate.record;
  const modelPath =
    record.model === undefined
      ? undefined
      : (locate(record.model.path, record.model.sha256, best.candidate.evaluation) ?? record.model.path);
  return {
    kind: 'selected',
    selection: {
      schema: SELECTION_SCHEMA,
      metric,
      direction,
      confidence,
      winner: {
        evaluation: best.candidate.evaluation,
        model: modelPath ?? null,
        sha256: record.model?.sha256 ?? null,
        value: best.value,
        ci: record.metrics[metric]?.ci ?? null,
        adjusted_ci: adjusted.ci,
        params: trainParams(modelPath, record.model?.sha256, notes),
      },
      runner_up:
        second === undefined
          ? null
          : {
              evaluation: second.candidate.evaluation,
              model: second.candidate.record.model?.path ?? null,
              value: second.value,
            },
      lead,
      adjusted: adjusted.adjusted,
      candidates: results,
      notes,
      created_at: new Date().toISOString(),
      tool: { name: 'modelgate', version: VERSION },
    },
  };
}
