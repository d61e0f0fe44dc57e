import { existsSync } from 'node:fs';
import { unpairedEvidence } from '../../compare/evidence.ts';
import type { Table } from '../../data/index.ts';
import { readTable } from '../../data/index.ts';
import { analyzeDrift, type ColumnPair, type Distribution } from '../../drift/analyze.ts';
import { isFolder, readRequestLogs } from '../../drift/logs.ts';
import { columnPairs } from '../../drift/pairs.ts';
import {
  DRIFT_SCHEMA,
  type DriftRecord,
  type DriftSource,
  type PerformanceDrift,
  type PredictionDrift,
} from '../../drift/record.ts';
import { driftHeadline, driftMarker, renderDriftReport } from '../../drift/report.ts';
import { evaluate } from '../../evaluation/evaluate.ts';
import { checkGatesFitTask, decide } from '../../gates/index.ts';
import { loadModel } from '../../inference/model.ts';
import { chooseOutput, DEFAULT_BATCH_SIZE, predict } from '../../inference/predict.ts';
import type { RuntimeLoader } from '../../inference/runtime.ts';
import { InputError } from '../../kernel/errors.ts';
import { shortDigest } from '../../kernel/format.ts';
import { sha256, writeFileAtomic, writeJsonAtomic } from '../../kernel/fs.ts';
import { type Clock, type Logger, systemClock } from '../../kernel/ports.ts';
import type { EvaluationRecord } from '../../kernel/records/evaluation.ts';
import { VERSION } from '../../kernel/version.ts';
import { openRegistry } from '../../registry/open.ts';
import type { ModelVersion, Registry } from '../../registry/types.ts';
import type { MonitorSettings } from './settings.ts';

/** Where drift is told on GitHub (the action's port): one sticky issue per model, and the retrain dispatch. */
export interface DriftAlertPort {
  /** Opens the model's drift issue, or edits the one its marker finds. */
  raise(alert: {
    readonly model: string;
    readonly marker: string;
    readonly title: string;
    readonly body: string;
  }): Promise<{ readonly url: string; readonly action: 'opened' | 'updated' }>;
  /** Dispatches the retrain workflow, passing the drift record's id. */
  dispatch(workflow: string, driftId: string): Promise<void>;
}

export interface MonitorPorts {
  readonly logger: Logger;
  /** How to load onnxruntime-node (an action's tool cache); the default imports it. */
  readonly runtime?: RuntimeLoader;
  /** Opens the registry a spec names (an action passes one that knows GitHub). */
  readonly openRegistry?: (spec: string) => Registry;
  /** Absent outside GitHub, or when the issue is off. */
  readonly alerts?: DriftAlertPort;
  readonly clock?: Clock;
}

export type MonitorOutcome = {
  readonly kind: 'stable' | 'drifted';
  readonly record: DriftRecord;
  readonly report: string;
  readonly distributions: Readonly<Record<string, Distribution>>;
  readonly out?: string;
  readonly reportPath?: string;
  readonly issue?: { readonly url: string; readonly action: 'opened' | 'updated' };
  readonly dispatched?: string;
};

interface Side {
  readonly table: Table;
  readonly source: DriftSource;
}

async function readSide(path: string, source = path): Promise<Side> {
  const table = isFolder(path) ? readRequestLogs(path) : await readTable(path);
  const digest = await table.sha256;
  const read = source === path ? {} : { path };
  return { table, source: { source, rows: table.rows, sha256: digest, ...read } };
}

/** The data a registered version was evaluated on, found by its digest; an InputError says what is missing. */
async function registeredReference(
  settings: MonitorSettings,
  ports: MonitorPorts,
): Promise<{ side: Side; version: ModelVersion }> {
  const reference = settings.reference;
  if (reference.kind !== 'registry') throw new Error('not a registry reference');
  const registry =
    ports.openRegistry?.(settings.registry) ??
    openRegistry(settings.registry, { cwd: settings.cwd, what: 'registry' });
  const version = await registry.resolve(reference.name, reference.ref);
  const label = `${version.name} v${version.version} (${reference.text})`;
  const digest = version.evaluation?.data.sha256 ?? version.lineage.data_sha256;
  if (digest === null || digest === undefined || digest === '') {
    throw new InputError(
      `${label} has no record of the data it was evaluated on, so it cannot be the reference`,
      {
        hint: `give ${settings.names.reference} a data file instead`,
      },
    );
  }
  if (settings.referenceData !== undefined) {
    const side = await readSide(settings.referenceData, reference.text);
    if (side.source.sha256 !== digest) {
      throw new InputError(
        `${settings.names.referenceData} ${settings.referenceData} has sha256 ${shortDigest(side.source.sha256)}, but ${label} was evaluated on data with sha256 ${shortDigest(digest)}`,
        { hint: 'give the very file the version was evaluated on' },
      );
    }
    return { side, version };
  }
  const path = version.evaluation?.data.path;
  if (path !== undefined && existsSync(path)) {
    const side = await readSide(path, reference.text);
    if (side.source.sha256 === digest) return { side, version };
  }
  throw new InputError(
    `the data ${label} was evaluated on (${path ?? 'path unknown'}, sha256 ${shortDigest(digest)}) is not at hand${path !== undefined && existsSync(path) ? `: ${path} has changed since` : ''}`,
    { hint: `give ${settings.names.referenceData} PATH, a copy of that file (its sha256 is checked)` },
  );
}

/** The model's outputs on both sides, as columns: one score per output column, and the class it picks. */
async function predictionDrift(
  settings: MonitorSettings,
  ports: MonitorPorts,
  reference: Table,
  current: Table,
  features: readonly string[],
): Promise<PredictionDrift> {
  const model = await loadModel(settings.model as string, {
    provider: settings.provider,
    ...(ports.runtime === undefined ? {} : { runtime: ports.runtime }),
  });
  const output = chooseOutput(model, settings.output);
  const ref = await predict(model, reference.features(features), output, DEFAULT_BATCH_SIZE);
  const cur = await predict(model, current.features(features), output, DEFAULT_BATCH_SIZE);
  const width = ref.columns;
  const classes = model.classes?.labels;
  const columnOf = (values: Float64Array, c: number) => {
    const rows = values.length / width;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = values[r * width + c] as number;
    return out;
  };
  const argmax = (values: Float64Array) => {
    const rows = values.length / width;
    return Array.from({ length: rows }, (_, r) => {
      let best = 0;
      for (let c = 1; c < width; c++)
        if ((values[r * width + c] as number) > (values[r * width + best] as number)) best = c;
      return classes?.[best] ?? String(best);
    });
  };
  const pairs: ColumnPair[] = [];
  for (let c = 0; c < width; c++) {
    pairs.push({
      name: width === 1 ? 'score' : `score[${classes?.[c] ?? c}]`,
      reference: { kind: 'number', values: columnOf(ref.values, c) },
      current: { kind: 'number', values: columnOf(cur.values, c) },
    });
  }
  if (width > 1) {
    pairs.push({
      name: 'class',
      reference: { kind: 'string', values: argmax(ref.values) },
      current: { kind: 'string', values: argmax(cur.values) },
    });
  }
  const analysis = analyzeDrift(pairs, () => ({ alpha: settings.alpha, minEffect: settings.minEffect }));
  return {
    model: { path: settings.model as string, sha256: model.sha256, output: output.name },
    drifted: analysis.drifted,
    outputs: analysis.features,
  };
}

/** The metrics on the current rows against the registered evaluation (or the reference's), decided by the gates. */
async function performanceDrift(
  settings: MonitorSettings,
  ports: MonitorPorts,
  referencePath: string,
  version: ModelVersion | undefined,
  features: readonly string[],
): Promise<PerformanceDrift> {
  const label = settings.label as string;
  const gates = settings.gates;
  if (gates === undefined) throw new Error('performance drift without gates');
  if (isFolder(settings.current)) {
    throw new InputError(
      `${settings.names.current} ${settings.current} is a request log folder, which holds no label '${label}'`,
      {
        hint: 'give a data file with the label column for performance drift',
      },
    );
  }
  const scoring = {
    model: settings.model as string,
    label,
    features,
    sliceBy: [],
    bootstrap: settings.bootstrap,
    confidence: 0.95,
    seed: settings.seed,
    provider: settings.provider,
    batchSize: DEFAULT_BATCH_SIZE,
    ...(settings.output === undefined ? {} : { output: settings.output }),
    ...(ports.runtime === undefined ? {} : { runtime: ports.runtime }),
  };
  let baseline: EvaluationRecord;
  let baselineSource: string;
  if (version?.evaluation != null) {
    baseline = version.evaluation;
    baselineSource = `${version.name} v${version.version}'s registered evaluation`;
  } else {
    if (isFolder(referencePath)) {
      throw new InputError(
        `performance drift needs a registered evaluation or a labelled reference; ${referencePath} is a request log folder`,
        {
          hint: `give ${settings.names.reference} registry:NAME@ALIAS, or a data file with the label column`,
        },
      );
    }
    baseline = (await evaluate({ ...scoring, data: referencePath }, ports.logger)).record;
    baselineSource = `the model on ${referencePath}`;
  }
  const current = (await evaluate({ ...scoring, data: settings.current }, ports.logger)).record;
  checkGatesFitTask(gates, current.task);
  const decision = decide(
    gates,
    current,
    baseline,
    unpairedEvidence(current, baseline, current.bootstrap.confidence),
  );
  const metrics: PerformanceDrift['metrics'] = {};
  for (const [name, m] of Object.entries(current.metrics)) {
    const before = baseline.metrics[name]?.value;
    metrics[name] = {
      value: m.value,
      ...(m.ci === undefined ? {} : { ci: m.ci }),
      ...(before === undefined ? {} : { baseline: before }),
    };
  }
  return {
    label,
    baseline: { source: baselineSource, sha256: baseline.data.sha256 ?? null },
    passed: decision.passed,
    evidence: 'unpaired',
    metrics,
    rules: decision.rules,
    notes: decision.notes,
  };
}

/**
 * Compares the current data with the reference, feature by feature (and the model's outputs,
 * and its metrics when labels are given), writes the drift record and report atomically, and
 * on drift raises the model's issue and dispatches the retrain when the ports are given. Every
 * input problem is found before anything is written.
 */
export async function runMonitor(settings: MonitorSettings, ports: MonitorPorts): Promise<MonitorOutcome> {
  const { logger } = ports;
  let version: ModelVersion | undefined;
  let reference: Side;
  if (settings.reference.kind === 'registry') {
    ({ side: reference, version } = await registeredReference(settings, ports));
  } else reference = await readSide(settings.reference.path);
  const current = await readSide(settings.current);
  const label = settings.label;
  if (label !== undefined && !current.table.columns.includes(label)) {
    throw new InputError(`label column '${label}' is not in ${settings.names.current} ${settings.current}`, {
      hint: 'leave the label out for data drift alone',
    });
  }
  logger.info(`comparing ${current.table.rows} current rows with ${reference.table.rows} reference rows`);
  const pairs = columnPairs(reference.table, current.table, {
    ...(settings.features === undefined ? {} : { features: settings.features }),
    exclude: label === undefined ? [] : [label],
    referenceOption: settings.names.reference,
    currentOption: settings.names.current,
  });
  const analysis = analyzeDrift(pairs, settings.thresholds);
  // The model's input: the features its registered evaluation names, else the numeric columns
  // compared, in the reference's order (a text column is tested as data, never fed to the model).
  const names =
    version?.evaluation?.data.features ??
    pairs.filter((p) => p.reference.kind === 'number').map((p) => p.name);
  const prediction =
    settings.model === undefined
      ? undefined
      : await predictionDrift(settings, ports, reference.table, current.table, names);
  const performance =
    settings.model === undefined || label === undefined
      ? undefined
      : await performanceDrift(
          settings,
          ports,
          reference.source.path ?? reference.source.source,
          version,
          names,
        );
  const created = (ports.clock ?? systemClock).now().toISOString();
  const drifted = analysis.drifted || prediction?.drifted === true || performance?.passed === false;
  const id = `${created.replace(/[-:]|\.\d+/g, '')}-${sha256(new TextEncoder().encode(`${reference.source.sha256}${current.source.sha256}${created}`)).slice(0, 8)}`;
  const record: DriftRecord = {
    schema: DRIFT_SCHEMA,
    id,
    created_at: created,
    ...(settings.name === undefined ? {} : { model: settings.name }),
    reference: reference.source,
    current: current.source,
    alpha: settings.alpha,
    min_effect: settings.minEffect,
    drifted,
    features: analysis.features,
    ...(prediction === undefined ? {} : { prediction }),
    ...(performance === undefined ? {} : { performance }),
    tool: { name: 'modelgate', version: VERSION },
  };
  const report = renderDriftReport(record, analysis.distributions);
  if (settings.out !== undefined) await writeJsonAtomic(settings.out, record);
  if (settings.report !== undefined) await writeFileAtomic(settings.report, report);
  const outcome: MonitorOutcome = {
    kind: drifted ? 'drifted' : 'stable',
    record,
    report,
    distributions: analysis.distributions,
    ...(settings.out === undefined ? {} : { out: settings.out }),
    ...(settings.report === undefined ? {} : { reportPath: settings.report }),
  };
  if (!drifted || ports.alerts === undefined) return outcome;
  const model = settings.name ?? 'default';
  let told: MonitorOutcome = outcome;
  if (settings.issue) {
    const issue = await ports.alerts.raise({
      model,
      marker: driftMarker(model),
      title: `modelgate: ${driftHeadline(record)}`,
      body: report,
    });
    logger.info(`drift issue ${issue.action}: ${issue.url}`);
    told = { ...told, issue };
  }
  if (settings.dispatchWorkflow === undefined) return told;
  await ports.alerts.dispatch(settings.dispatchWorkflow, id);
  logger.info(`dispatched ${settings.dispatchWorkflow} with drift id ${id}`);
  return { ...told, dispatched: settings.dispatchWorkflow };
}
