import { describe, expect, it } from 'vitest';
import { EVALUATION_SCHEMA, type EvaluationRecord } from '../../kernel/records/evaluation.ts';
import { evaluationSummary } from './present.ts';

describe('the evaluate job summary', () => {
  it('prints numbers with the report’s formatter: 12345.6 is 12,345.6 here too', () => {
    const record: EvaluationRecord = {
      schema: EVALUATION_SCHEMA,
      task: 'binary',
      data: { path: 'eval.csv', sha256: '0'.repeat(64), rows: 200, label: 'y' },
      metrics: { rows_per_second: { value: 12345.6 }, accuracy: { value: 1, ci: [0.98, 1] } },
      slices: [],
      bootstrap: { resamples: 1000, confidence: 0.95, seed: 42 },
      notes: [],
      created_at: '2025-01-01T00:00:00.000Z',
      tool: { name: 'modelgate', version: 'test' },
    };
    const summary = evaluationSummary(record);
    expect(summary).toMatch(/^\| rows_per_second +\| +12,345\.6 \|/m);
    expect(summary).toMatch(/^\| accuracy +\| +1\.0000 \| \[0\.9800, 1\.0000\] +\|$/m);
  });
});
