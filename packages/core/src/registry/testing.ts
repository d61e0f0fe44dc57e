/** Shared by tests: a version record to vary. */
import { completeLineage } from './prepare.ts';
import { type Lineage, MODEL_VERSION_SCHEMA, type ModelVersion } from './types.ts';

/** A lineage that knows nothing. */
export const UNKNOWN_LINEAGE: Lineage = completeLineage({});

/** Version 1 of `churn`, with no records and no lineage, and whatever `fields` give. */
export function testVersion(fields: Partial<ModelVersion> = {}): ModelVersion {
  return {
    schema: MODEL_VERSION_SCHEMA,
    name: 'churn',
    version: 1,
    sha256: 'ab'.repeat(32),
    bytes: 10,
    aliases: [],
    created_at: '2026-01-01T00:00:00.000Z',
    lineage: UNKNOWN_LINEAGE,
    evaluation: null,
    verdict: null,
    url: '/registry/models/churn/versions/1.json',
    ...fields,
  };
}
