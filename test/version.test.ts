import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../packages/core/src/kernel/version.ts';
import { ROOT } from './helpers.ts';

const versionOf = (...path: string[]) =>
  (JSON.parse(readFileSync(join(ROOT, ...path, 'package.json'), 'utf8')) as { version: string }).version;

describe('the version every record carries', () => {
  it('is the version of the root and of every workspace package', () => {
    expect(VERSION).toBe(versionOf());
    for (const name of ['core', 'github', 'server', 'cli'])
      expect(versionOf('packages', name), name).toBe(VERSION);
  });

  it('is the published CLI’s (the release workflow tags packages/cli’s version), and CHANGELOG.md has its section', () => {
    expect(versionOf('packages', 'cli')).toBe(VERSION);
    expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(
      new RegExp(`^## \\[${VERSION.replaceAll('.', '\\.')}\\]`, 'm'),
    );
  });
});
