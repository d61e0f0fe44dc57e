import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MEASURED_METRICS, METRICS, metricDirection } from '../metrics/index.ts';
import { BUILT_IN_METRICS, gateSectionsSchema, gateSpecJsonSchema } from './schema.ts';
import { parseGateSpec } from './spec.ts';
import { GATE_SPEC_SCHEMA_FILE } from './write-schema.ts';

describe('docs/gate-spec.schema.json', () => {
  it('is what the zod schema generates (regenerate: npx tsx packages/core/src/gates/write-schema.ts)', async () => {
    // Compared as JSON, not as text: Biome owns the file's layout.
    const committed: unknown = JSON.parse(await readFile(GATE_SPEC_SCHEMA_FILE, 'utf8'));
    expect(
      committed,
      'docs/gate-spec.schema.json is stale: run npx tsx packages/core/src/gates/write-schema.ts',
    ).toEqual(gateSpecJsonSchema());
  });

  it('offers every built-in metric by name, each with the rules of its direction', () => {
    const schema = gateSpecJsonSchema() as {
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    const gates = schema.definitions.metricGates as unknown as {
      anyOf: [{ properties: Record<string, { allOf: [{ $ref: string }] }> }];
    };
    const properties = gates.anyOf[0].properties;
    expect(Object.keys(properties).sort()).toEqual([...BUILT_IN_METRICS].sort());
    for (const metric of BUILT_IN_METRICS) {
      const expected = metricDirection(metric) === 'lower' ? 'lowerIsBetterRules' : 'higherIsBetterRules';
      expect(properties[metric]?.allOf[0].$ref).toBe(`#/definitions/${expected}`);
    }
    expect(Object.keys(schema.definitions.higherIsBetterRules?.properties ?? {})).toContain('max_drop');
    expect(Object.keys(schema.definitions.higherIsBetterRules?.properties ?? {})).not.toContain(
      'max_increase',
    );
    expect(Object.keys(schema.definitions.lowerIsBetterRules?.properties ?? {})).toContain('max_increase');
    expect(Object.keys(schema.definitions.lowerIsBetterRules?.properties ?? {})).not.toContain('max_drop');
  });

  it('knows every metric of the single list in metrics/names.ts, each once', () => {
    const all = new Set([
      ...METRICS.binary,
      ...METRICS.multiclass,
      ...METRICS.regression,
      ...MEASURED_METRICS,
    ]);
    expect([...BUILT_IN_METRICS].sort()).toEqual([...all].sort());
  });
});

/**
 * The schema (which editors see) and the parser (which the CLI runs) must agree: whatever the
 * parser rejects for its shape, the schema rejects too. Only checks a JSON Schema cannot state
 * are the parser's alone.
 */
describe('the zod schema and the parser agree', () => {
  const valid = [
    'gates: { accuracy: { min: 0.9, max_drop: 0.01, significance: 0.05 } }',
    'gates: { roc_auc: { max_drop: 1% }, log_loss: { max_increase: "0.5 %" } }',
    'gates: { hits: { higher_is_better: true, min_improvement: 2 } }',
    'gates: { misses: { higher_is_better: false, max_increase: 10% } }',
    'slice_gates: { accuracy: { max_drop: 0.03 } }\nrequire_baseline: true\nmodel: churn',
    'gates:',
  ];
  const badShape = [
    'gates: { acuracy: { min: 0.9 } }',
    'gates: { accuracy: { max_drop: abc } }',
    'gates:\n  accuracy:\n    min: 1,5',
    'gates: { accuracy: { min: 0,9 } }',
    'gates: { accuracy: { min: "0.9" } }',
    'gates: { accuracy: { min: 90% } }',
    'gates: { accuracy: { max_dorp: 0.01 } }',
    'gates: { log_loss: { max_drop: 0.02 } }',
    'gates: { roc_auc: { max_increase: 1% } }',
    'gates: { misses: { higher_is_better: false, max_drop: 1 } }',
    'gates: { log_loss: { higher_is_better: true, max: 1 } }',
    'gates: { hits: { higher_is_better: yes, min: 1 } }',
    'gates: { accuracy: { max_drop: -0.01 } }',
    'gates: { mse: { max_increase: -5% } }',
    'gates: { accuracy: { max_drop: 0.01, significance: 0 } }',
    'gates: { accuracy: { max_drop: 0.01, significance: 1 } }',
    'gates: { accuracy: 0.9 }',
    'gates: { accuracy: }',
    'gates: [accuracy]',
    'require_baseline: yes',
  ];
  // What a JSON Schema cannot say; the parser alone rejects these.
  const badMeaning = [
    'gates: { accuracy: {} }',
    'gates: { accuracy: { min: 0.9, significance: 0.05 } }',
    'gates: { accuracy: { min: 0.9, max: 0.8 } }',
    'gate: { accuracy: { min: 0.9 } }',
  ];

  it.each(valid)('both accept %j', (yaml) => {
    const document = parse(yaml);
    expect(gateSectionsSchema.safeParse(document ?? {}).success).toBe(true);
    expect(() => parseGateSpec(document, 'gates.yml')).not.toThrow();
  });

  it.each(badShape)('both reject %j', (yaml) => {
    const document = parse(yaml);
    expect(gateSectionsSchema.safeParse(document).success).toBe(false);
    expect(() => parseGateSpec(document, 'gates.yml')).toThrow(/^gates\.yml: /);
  });

  it.each(badMeaning)('only the parser rejects %j', (yaml) => {
    const document = parse(yaml);
    expect(gateSectionsSchema.safeParse(document).success).toBe(true);
    expect(() => parseGateSpec(document, 'gates.yml')).toThrow(/^gates\.yml: /);
  });
});
