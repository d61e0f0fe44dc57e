import { describe, expect, it } from 'vitest';
import { EVALUATION_SCHEMA } from '../../kernel/records/evaluation.ts';
import { testVersion } from '../../registry/testing.ts';
import { presentRegistry } from './present.ts';

const version = testVersion({
  version: 2,
  bytes: 12345,
  created_at: '2026-01-01T00:00:00.123Z',
  evaluation: {
    schema: EVALUATION_SCHEMA,
    task: 'binary',
    data: { path: 'eval.csv', sha256: 'cd'.repeat(32), rows: 20000, label: 'y' },
    metrics: { accuracy: { value: 0.95 }, rows_per_second: { value: 12345.6 } },
    slices: [],
    bootstrap: { resamples: 0, confidence: 0.95, seed: 1 },
    notes: [],
    created_at: '2026-01-01T00:00:00.000Z',
    tool: { name: 'modelgate', version: 'test' },
  },
});

const text = (outcome: Parameters<typeof presentRegistry>[0]) =>
  presentRegistry(outcome).lines[0]?.text ?? '';

describe('the registry presentation', () => {
  it('shows a version with every number through the one formatter: 12345.6 is 12,345.6 here too', () => {
    const shown = text({ kind: 'shown', version, location: 'fs:r', json: false });
    expect(shown).toMatch(/^ {2}bytes +12,345$/m);
    expect(shown).toContain(
      `binary, 20,000 rows (data sha256 ${'cd'.repeat(6)}): accuracy 0.9500, rows_per_second 12,345.6`,
    );
    expect(shown).toMatch(/^ {2}lineage +unknown$/m);
  });

  it('lists versions in aligned columns with short digests, or as JSON', () => {
    const listed = text({
      kind: 'listed',
      name: 'churn',
      versions: [version],
      location: 'fs:r',
      json: false,
    });
    expect(listed.split('\n')).toEqual([
      'churn: 1 version in fs:r',
      '  version  created               sha256        verdict  aliases  commit',
      `  v2       2026-01-01T00:00:00Z  ${'ab'.repeat(6)}  none     -        -`,
    ]);
    expect(
      JSON.parse(text({ kind: 'listed', name: 'churn', versions: [version], location: 'fs:r', json: true })),
    ).toHaveLength(1);
  });

  it('says where an alias moved from', () => {
    const moved = (previous: number | undefined) =>
      text({ kind: 'aliased', alias: 'production', version, previous, location: 'fs:r', json: false });
    expect(moved(undefined)).toBe('churn: production → v2 (new alias)');
    expect(moved(2)).toBe('churn: production → v2 (unchanged)');
    expect(moved(1)).toBe('churn: production → v2 (was v1)');
  });
});
