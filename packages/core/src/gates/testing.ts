/**
 * Small builders for the gates' tests: evaluation records with just the metrics a rule reads,
 * specs from YAML text, and plain-object ChangeEvidence fakes.
 */
import { parse } from 'yaml';
import { EVALUATION_SCHEMA, type EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { ChangeEvidence, SliceKey } from './decide.ts';
import { type GateSpec, parseGateSpec } from './spec.ts';

/** A gate spec from YAML text, as `.modelgate.yml` would hold it. */
export function specOf(yaml: string): GateSpec {
  return parseGateSpec(parse(yaml), 'gates.yml');
}

type Values = Record<string, number>;

/** A binary-task evaluation record holding `metrics` and the given slices. */
export function recordOf(
  metrics: Values,
  slices: ReadonlyArray<{ column: string; value: string; metrics: Values }> = [],
): EvaluationRecord {
  const asMetrics = (values: Values) =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
  return {
    schema: EVALUATION_SCHEMA,
    task: 'binary',
    data: { path: 'eval.csv', sha256: '0'.repeat(64), rows: 200, label: 'y' },
    metrics: asMetrics(metrics),
    slices: slices.map((slice) => ({ ...slice, rows: 50, metrics: asMetrics(slice.metrics) })),
    bootstrap: { resamples: 1000, confidence: 0.95, seed: 42 },
    notes: [],
    created_at: '2025-01-01T00:00:00.000Z',
    tool: { name: 'modelgate', version: 'test' },
  };
}

/** What the fake knows about one metric's Δ (candidate − baseline). */
export interface DeltaStats {
  interval?: [number, number];
  lower?: number;
  upper?: number;
}

/** A fake's record of one `bound` call, so tests can state which side a rule asks for. */
export interface BoundCall {
  metric: string;
  alpha: number;
  side: 'lower' | 'upper';
  slice?: SliceKey;
}

/**
 * A ChangeEvidence that answers from a table keyed by metric, or by `metric@column=value` for a
 * slice. It records every `bound` call.
 */
export function evidenceOf(
  kind: 'paired' | 'unpaired',
  table: Record<string, DeltaStats>,
): ChangeEvidence & { readonly calls: BoundCall[] } {
  const key = (metric: string, slice?: SliceKey) =>
    slice === undefined ? metric : `${metric}@${slice.column}=${slice.value}`;
  const calls: BoundCall[] = [];
  return {
    kind,
    calls,
    interval: (metric, slice) => table[key(metric, slice)]?.interval,
    bound: (metric, alpha, side, slice) => {
      calls.push({ metric, alpha, side, ...(slice === undefined ? {} : { slice }) });
      return table[key(metric, slice)]?.[side];
    },
  };
}
