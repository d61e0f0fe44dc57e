import { type Evaluation, evaluate } from '../evaluation/evaluate.ts';
import { subsetPredictions } from '../evaluation/score.ts';
import type { EvaluateSettings } from '../evaluation/settings.ts';
import { type ChangeEvidence, checkGatesFitTask, decide, type GateSpec } from '../gates/index.ts';
import type { RuntimeLoader } from '../inference/runtime.ts';
import { InputError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/ports.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import { readEvaluationRecord } from '../kernel/records/read.ts';
import { VERDICT_SCHEMA, type Verdict } from '../kernel/records/verdict.ts';
import { VERSION } from '../kernel/version.ts';
import { MEASURED_METRICS } from '../metrics/index.ts';
import {
  isRegistryBaseline,
  type RegistryBaselineRef,
  registryBaselineModel,
  registryBaselineRecord,
} from '../registry/baseline.ts';
import { type ReportInput, renderReport } from '../report/index.ts';
import { mcnemarExact, type Predictions, pairedDistributions } from '../stats/index.ts';
import { evidenceKey, pairedEvidence, unpairedEvidence } from './evidence.ts';

/**
 * How the baseline is given: an evaluation record, two models on the same rows, or none yet. A
 * registry baseline (`registry:production`) is the aliased version's stored evaluation in
 * records mode, and its model, fetched and scored on the same rows, in paired mode.
 */
export type CompareSource =
  | { mode: 'records'; candidate: string; baseline: string | RegistryBaselineRef | null }
  | { mode: 'paired'; evaluate: EvaluateSettings; baselineModel: string | RegistryBaselineRef | null };

export interface CompareSettings {
  readonly name: string;
  readonly spec: GateSpec;
  readonly source: CompareSource;
  /** What the baseline is called in the verdict and report: `champion`, `production`, a path. */
  readonly baselineRef: string | null;
  readonly provenance?: ReportInput['provenance'];
  readonly history?: ReportInput['history'];
  readonly summaryUrl?: string;
  /**
   * Loads onnxruntime-node for the paired mode's two models; default: the evaluate settings' own,
   * else a plain import (the CLI). An action passes the loader that finds it on the runner.
   */
  readonly runtime?: RuntimeLoader;
}

export interface CompareResult {
  readonly verdict: Verdict;
  readonly report: string;
  readonly candidate: EvaluationRecord;
  readonly baseline: EvaluationRecord | null;
}

/**
 * Gates a candidate against its baseline and renders the report. Paired mode scores both
 * models on the same rows and bootstraps their difference with shared row weights; records
 * mode compares two evaluation records with independent bootstraps (weaker, and labelled so).
 */
export async function compare(settings: CompareSettings, logger: Logger): Promise<CompareResult> {
  const notes: string[] = [];
  let candidate: EvaluationRecord;
  let baseline: EvaluationRecord | null = null;
  let evidence: ChangeEvidence | undefined;
  let mcnemar: Verdict['mcnemar'];
  const { source } = settings;

  if (source.mode === 'records') {
    candidate = await readEvaluationRecord(source.candidate, 'candidate');
    checkGatesFitTask(settings.spec, candidate.task);
    const given = await baselineRecord(source.baseline, notes, logger);
    if (given !== null) {
      baseline = given.record;
      checkComparable(candidate, baseline, source.candidate, given.label);
      evidence = unpairedEvidence(candidate, baseline, candidate.bootstrap.confidence);
      notes.push(
        'unpaired comparison of two evaluation records: independent bootstraps, the weaker evidence',
      );
    }
  } else {
    // Resolved before the candidate is scored, so a bad registry ref fails fast.
    const baselineModel = await baselineModelOf(source.baselineModel, notes, logger);
    // Both models are scored with the same runtime, loaded once.
    const scoring =
      settings.runtime === undefined ? source.evaluate : { ...source.evaluate, runtime: settings.runtime };
    try {
      logger.info('evaluating the candidate');
      const c = await evaluate(scoring, logger);
      candidate = c.record;
      // Before the baseline is scored: a gate this task can never check is a mistake in the spec.
      checkGatesFitTask(settings.spec, candidate.task);
      if (baselineModel !== null) {
        logger.info('evaluating the baseline on the same rows');
        const b = await evaluate({ ...scoring, model: baselineModel.path }, logger);
        baseline = b.record;
        // A fetched registry model lives in a temporary file: name it by where it came from.
        if (baseline.model !== undefined) baseline.model.path = baselineModel.label;
        checkComparable(candidate, baseline, source.evaluate.model ?? 'candidate', baselineModel.label);
        const options = {
          resamples: source.evaluate.bootstrap,
          confidence: source.evaluate.confidence,
          seed: source.evaluate.seed,
        };
        if (options.resamples > 0) {
          logger.info(`paired bootstrap of the differences (${options.resamples} resamples)`);
          evidence = pairedEvidence(
            await pairedDeltas(settings.spec, c, b.predictions, options),
            options.confidence,
          );
        } else {
          notes.push('bootstrap off (0 resamples): change rules are decided on point estimates');
        }
        mcnemar = mcnemarOf(c.predictions, b.predictions);
      }
    } finally {
      await baselineModel?.cleanup();
    }
  }

  const decision = decide(settings.spec, candidate, baseline, evidence);
  const verdict: Verdict = {
    schema: VERDICT_SCHEMA,
    passed: decision.passed,
    paired: evidence?.kind === 'paired',
    candidate: { sha256: candidate.model?.sha256 ?? null },
    baseline:
      baseline === null ? null : { sha256: baseline.model?.sha256 ?? null, ref: settings.baselineRef },
    rules: decision.rules,
    ...(mcnemar === undefined ? {} : { mcnemar }),
    notes: [...notes, ...decision.notes],
    created_at: new Date().toISOString(),
    tool: { name: 'modelgate', version: VERSION },
  };
  const report = renderReport({
    name: settings.name,
    verdict,
    candidate,
    baseline,
    ...(settings.provenance === undefined
      ? {}
      : {
          provenance: {
            ...settings.provenance,
            ...(settings.baselineRef === null ? {} : { baselineRef: settings.baselineRef }),
          },
        }),
    ...(settings.history === undefined ? {} : { history: settings.history }),
    ...(settings.summaryUrl === undefined ? {} : { summaryUrl: settings.summaryUrl }),
  });
  return { verdict, report, candidate, baseline };
}

/** The baseline record of a records-mode compare: a file, a registry version's stored evaluation, or none. */
async function baselineRecord(
  baseline: string | RegistryBaselineRef | null,
  notes: string[],
  logger: Logger,
): Promise<{ record: EvaluationRecord; label: string } | null> {
  if (baseline === null) return null;
  if (!isRegistryBaseline(baseline)) {
    return { record: await readEvaluationRecord(baseline, 'baseline'), label: baseline };
  }
  const found = await registryBaselineRecord(baseline, logger);
  notes.push(found.note);
  return found.found ? { record: found.value, label: found.label } : null;
}

/** The baseline model of a paired compare: a file, a registry version's model (fetched), or none. */
async function baselineModelOf(
  baseline: string | RegistryBaselineRef | null,
  notes: string[],
  logger: Logger,
): Promise<{ path: string; label: string; cleanup(): Promise<void> } | null> {
  if (baseline === null) return null;
  if (!isRegistryBaseline(baseline)) return { path: baseline, label: baseline, cleanup: async () => {} };
  const found = await registryBaselineModel(baseline, logger);
  notes.push(found.note);
  return found.found ? { path: found.value, label: found.label, cleanup: found.cleanup } : null;
}

/** Two records are comparable when they score the same task on the same label. */
function checkComparable(
  candidate: EvaluationRecord,
  baseline: EvaluationRecord,
  cPath: string,
  bPath: string,
): void {
  if (candidate.task !== baseline.task) {
    throw new InputError(
      `candidate ${cPath} is a ${candidate.task} evaluation but baseline ${bPath} is ${baseline.task}`,
    );
  }
  const cc = candidate.data.classes?.join(',');
  const bc = baseline.data.classes?.join(',');
  if (cc !== bc) {
    throw new InputError(`candidate ${cPath} has classes (${cc}) but baseline ${bPath} has (${bc})`, {
      hint: 'evaluate both with the same classes option',
    });
  }
}

/** Bootstrap distributions of candidate − baseline for every metric, and per slice for the slice-gated ones. */
async function pairedDeltas(
  spec: GateSpec,
  candidate: Evaluation,
  baseline: Predictions,
  options: { resamples: number; confidence: number; seed: number },
): Promise<Map<string, Float64Array>> {
  const deltas = new Map<string, Float64Array>();
  const computed = Object.keys(candidate.record.metrics).filter((m) => !MEASURED_METRICS.includes(m));
  const overall = await pairedDistributions(candidate.predictions, baseline, computed, options);
  for (const [metric, values] of Object.entries(overall)) deltas.set(evidenceKey(metric, undefined), values);

  const sliceMetrics = spec.sliceGates.map((g) => g.metric).filter((m) => computed.includes(m));
  if (sliceMetrics.length === 0) return deltas;
  for (const { column, value, rows } of candidate.sliceRows) {
    const c = subsetPredictions(candidate.predictions, rows);
    const b = subsetPredictions(baseline, rows);
    const slice = await pairedDistributions(c, b, sliceMetrics, options);
    for (const [metric, values] of Object.entries(slice))
      deltas.set(evidenceKey(metric, { column, value }), values);
  }
  return deltas;
}

function mcnemarOf(candidate: Predictions, baseline: Predictions): Verdict['mcnemar'] {
  if (candidate.task === 'regression' || baseline.task === 'regression') return undefined;
  const correct = (p: Predictions & { labels: Int32Array; predicted: Int32Array }) =>
    Uint8Array.from(p.labels, (label, i) => (label === p.predicted[i] ? 1 : 0));
  const result = mcnemarExact(correct(candidate), correct(baseline));
  return { candidate_only: result.candidateOnly, baseline_only: result.baselineOnly, p_value: result.pValue };
}
