import { describe, expect, it } from 'vitest';
import { testVersion, UNKNOWN_LINEAGE } from '../../registry/testing.ts';
import { presentRegister } from './present.ts';

const version = testVersion({
  version: 7,
  bytes: 123456,
  aliases: ['production'],
  lineage: { ...UNKNOWN_LINEAGE, commit: 'c'.repeat(40), ref: 'refs/heads/main', pr: 12, parent_version: 6 },
  url: '/registry/models/churn/versions/7.json',
});

describe('the register presentation', () => {
  it('says what was stored, counts with the one formatter, and sets version, sha256 and url', () => {
    const shown = presentRegister({
      kind: 'registered',
      version,
      location: 'fs:.modelgate/registry',
      alias: { name: 'production', moved: true },
      json: false,
    });
    expect(shown.lines.map((l) => l.text)).toEqual([
      'registered churn v7 in fs:.modelgate/registry',
      `  sha256   ${version.sha256} (123,456 bytes)`,
      '  aliases  production',
      `  lineage  commit ${'c'.repeat(12)}, ref refs/heads/main, PR #12, parent v6`,
      '  record   /registry/models/churn/versions/7.json',
    ]);
    expect(shown.outputs).toEqual({ version: '7', sha256: version.sha256, url: version.url });
    expect(shown.summary).toMatch(/^### modelgate: registered churn v7\n/);
    expect(shown.summary).toContain('123,456 bytes');
    expect(shown.exitCode).toBe(0);
  });

  it('prints the version record alone with json, and notes an alias a concurrent register kept', () => {
    const shown = presentRegister({
      kind: 'registered',
      version: { ...version, aliases: [] },
      location: 'fs:r',
      alias: { name: 'production', moved: false, stays: 8 },
      json: true,
    });
    expect(shown.lines).toHaveLength(1);
    expect(JSON.parse(shown.lines[0]?.text ?? '')).toMatchObject({ version: 7, aliases: [] });
    expect(shown.summary).toContain('- aliases: none\n- alias `production` stays on v8');
  });
});
