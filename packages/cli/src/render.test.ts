import {
  EVALUATION_SCHEMA,
  type EvaluationRecord,
  formatValue as formatNumber,
  formatValue,
  metricsTable,
  type RuleResult,
  renderReport,
} from '@modelgate/core';
import { describe, expect, it } from 'vitest';
import { verdictTable } from './demo/terminal.ts';

const record: EvaluationRecord = {
  schema: EVALUATION_SCHEMA,
  task: 'binary',
  data: { path: 'eval.csv', sha256: '0'.repeat(64), rows: 200, label: 'y' },
  metrics: { model_size_bytes: { value: 12345.6 }, accuracy: { value: 0.93, ci: [0.9, 0.96] } },
  slices: [],
  bootstrap: { resamples: 1000, confidence: 0.95, seed: 42 },
  notes: [],
  created_at: '2025-01-01T00:00:00.000Z',
  tool: { name: 'modelgate', version: 'test' },
};

describe('one number formatter for the terminal and the report', () => {
  it('prints 12345.6 the same way in both', () => {
    expect(formatNumber(12345.6)).toBe('12,345.6');
    expect(formatValue(12345.6)).toBe('12,345.6');
    expect(metricsTable(record)).toMatch(/^model_size_bytes +12,345\.6$/m);
    const report = renderReport({
      name: 'm',
      verdict: {
        schema: 'modelgate/verdict@1',
        passed: true,
        paired: false,
        candidate: { sha256: null },
        baseline: null,
        rules: [],
        notes: [],
        created_at: '',
        tool: { name: 'modelgate', version: 'test' },
      },
      candidate: record,
      baseline: null,
    });
    expect(report).toContain('| `model_size_bytes` ↓ | — | 12,345.6 |');
  });

  it('gives every rule its status and an inconclusive one its own, with what it counts as', () => {
    const common = { candidate: 0.9, baseline: 0.95, delta: -0.05, reason: '' };
    const rules: RuleResult[] = [
      {
        ...common,
        metric: 'accuracy',
        rule: 'max_drop',
        threshold: 0.03,
        threshold_text: '0.03',
        significance: 0.05,
        ci: [-0.08, -0.02],
        status: 'inconclusive',
        on_inconclusive: 'fail',
      },
      { ...common, metric: 'accuracy', rule: 'min', threshold: 0.8, threshold_text: '0.8', status: 'pass' },
    ];
    const table = verdictTable({
      schema: 'modelgate/verdict@1',
      passed: true,
      paired: true,
      candidate: { sha256: null },
      baseline: { sha256: null, ref: null },
      rules,
      notes: [],
      created_at: '',
      tool: { name: 'modelgate', version: 'test' },
    });
    expect(table).toMatch(
      /^accuracy +max_drop 0\.03 \(α=0\.05\) +0\.9500 +0\.9000 +-0\.0500 +\[-0\.0800, -0\.0200\] +\? inconclusive → fail$/m,
    );
    expect(table).toMatch(/^accuracy +min 0\.8 .*✓ pass$/m);
  });
});
