import { describe, expect, it } from 'vitest';
import type { Verdict } from '../kernel/records/verdict.ts';
import type { ModelVersion } from '../registry/types.ts';
import { gateRefusals } from './gate.ts';

const DIGEST = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function verdict(passed: boolean, candidate: string | null = DIGEST): Verdict {
  return {
    schema: 'modelgate/verdict@1',
    passed,
    paired: false,
    candidate: { sha256: candidate },
    baseline: null,
    rules: passed
      ? []
      : [
          {
            metric: 'accuracy',
            rule: 'min',
            threshold: 0.9,
            threshold_text: '0.9',
            candidate: 0.8,
            baseline: null,
            delta: null,
            status: 'fail',
            reason: '0.800 < 0.9',
          },
        ],
    notes: [],
    created_at: '2026-01-01T00:00:00Z',
    tool: { name: 'modelgate', version: '0.1.0' },
  };
}

function version(n: number, v: Verdict | null): ModelVersion {
  return {
    schema: 'modelgate/model-version@1',
    name: 'churn',
    version: n,
    sha256: DIGEST,
    bytes: 10,
    aliases: [],
    created_at: '2026-01-01T00:00:00Z',
    lineage: {
      commit: null,
      ref: null,
      run_url: null,
      pr: null,
      parent_version: null,
      data_sha256: null,
      params: null,
      training: null,
    },
    evaluation: null,
    verdict: v,
    url: 'x',
  };
}

const open = { requireGate: true, allowDowngrade: false, current: undefined, alias: 'production' };

describe('the deploy gate', () => {
  it('lets through a version whose verdict passed for its own sha256', () => {
    expect(gateRefusals(version(3, verdict(true)), open)).toEqual([]);
  });

  it('refuses a failed verdict, naming the rules that failed', () => {
    expect(gateRefusals(version(3, verdict(false)), open)).toEqual([
      'the verdict of churn v3 (sha256 aaaaaaaaaaaa) did not pass: accuracy min fail (0.800 < 0.9)',
    ]);
  });

  it('refuses a version with no verdict, or one about another file or about no model', () => {
    expect(gateRefusals(version(3, null), open)[0]).toMatch(/has no verdict in the registry/);
    expect(gateRefusals(version(3, verdict(true, OTHER)), open)[0]).toMatch(
      /is about another model \(sha256 bbbbbbbbbbbb\): it does not vouch for this one/,
    );
    expect(gateRefusals(version(3, verdict(true, null)), open)[0]).toMatch(/names no model/);
  });

  it('checks no verdict when require-gate is off, but still refuses a downgrade', () => {
    const off = { ...open, requireGate: false };
    expect(gateRefusals(version(3, null), off)).toEqual([]);
    expect(gateRefusals(version(3, null), { ...off, current: version(4, null) })).toEqual([
      "churn v3 is older than v4, which 'production' names now: a downgrade needs allow-downgrade",
    ]);
  });

  it('allows a downgrade when asked, and a redeploy of the same version', () => {
    expect(
      gateRefusals(version(3, verdict(true)), { ...open, current: version(4, null), allowDowngrade: true }),
    ).toEqual([]);
    expect(gateRefusals(version(4, verdict(true)), { ...open, current: version(4, null) })).toEqual([]);
  });
});
