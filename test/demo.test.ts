import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, tempDir } from './helpers.ts';

describe('modelgate demo', () => {
  it('runs evaluate and a paired compare on the example project, twice in a row, and says where things are', () => {
    const dir = tempDir();
    for (const run of [
      ['demo', '--dir', dir],
      ['demo', '--dir', dir],
      ['demo', '--dir', dir, '--clean'],
    ]) {
      const result = bin(run);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\[1\/2\] evaluate/);
      expect(result.stdout).toMatch(/\[2\/2\] compare/);
      expect(result.stdout).toMatch(/✅ modelgate: breast-cancer passes its gates/);
    }
    const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
    expect(verdict).toMatchObject({ schema: 'modelgate/verdict@1', passed: true, paired: true });
    expect(existsSync(join(dir, 'evaluation.json'))).toBe(true);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain(
      '<!-- modelgate:report model=breast-cancer -->',
    );
  });
});
