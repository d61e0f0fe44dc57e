import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERDICT_SCHEMA } from '../kernel/records/verdict.ts';
import { readVerdictRecord } from './verdict-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelgate-verdict-file-'));

function verdictFile(status: string): string {
  const path = join(dir, `${status}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      schema: VERDICT_SCHEMA,
      passed: true,
      paired: true,
      candidate: { sha256: 'a'.repeat(64) },
      baseline: { sha256: 'b'.repeat(64), ref: 'production' },
      rules: [{ metric: 'accuracy', rule: 'max_drop', status }],
    }),
  );
  return path;
}

describe('readVerdictRecord', () => {
  it('reads every rule status a verdict may hold, inconclusive included', async () => {
    for (const status of ['pass', 'fail', 'inconclusive', 'skip', 'error']) {
      expect((await readVerdictRecord(verdictFile(status))).rules[0]?.status).toBe(status);
    }
  });

  it('names the file and the field for a status it does not know', async () => {
    const path = verdictFile('maybe');
    await expect(readVerdictRecord(path)).rejects.toThrow(
      `verdict ${path}: 'rules.0.status' Invalid option: expected one of "pass"|"fail"|"inconclusive"|"skip"|"error"`,
    );
  });
});
