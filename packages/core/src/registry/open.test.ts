import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputErrorMessage } from '../kernel/testing.ts';
import { parseLineageMap } from './lineage.ts';
import { openRegistry, parseRegistrySpec, registrySpecFromConfig } from './open.ts';
import type { Registry } from './types.ts';

describe('registry specs', () => {
  it('parses fs:PATH and github:OWNER/REPO', () => {
    expect(parseRegistrySpec('fs:.modelgate/registry')).toEqual({
      backend: 'fs',
      path: '.modelgate/registry',
    });
    expect(parseRegistrySpec('github:acme/ml-models.v2')).toEqual({
      backend: 'github',
      owner: 'acme',
      repo: 'ml-models.v2',
    });
  });

  it('names the flag and says what was expected for anything else', () => {
    expect(inputErrorMessage(() => parseRegistrySpec('s3://bucket'))).toBe(
      "--registry 's3://bucket' is not a registry: expected fs:PATH or github:OWNER/REPO",
    );
    expect(inputErrorMessage(() => parseRegistrySpec('fs:'))).toBe(
      "--registry 'fs:' names no folder: expected fs:PATH or github:OWNER/REPO",
    );
    for (const spec of ['github:acme', 'github:acme/', 'github:/repo', 'github:a/b/c', 'github:acme/..']) {
      expect(inputErrorMessage(() => parseRegistrySpec(spec, "input 'registry'"))).toBe(
        `input 'registry' '${spec}' is not valid: expected github:OWNER/REPO`,
      );
    }
  });

  it('opens fs: relative to cwd, and github: only through the opener the caller injects', () => {
    const fs = openRegistry('fs:reg', { cwd: '/tmp' });
    expect(fs.location).toBe('fs:reg');
    const opened: string[] = [];
    const fake = { location: 'github:acme/models' } as Registry;
    const github = openRegistry('github:acme/models', {
      cwd: '/tmp',
      github: (owner, repo) => {
        opened.push(`${owner}/${repo}`);
        return fake;
      },
    });
    expect(github).toBe(fake);
    expect(opened).toEqual(['acme/models']);
    expect(inputErrorMessage(() => openRegistry('github:acme/models', { cwd: '/tmp' }))).toMatch(
      /needs GitHub access/,
    );
  });

  it("reads the config's registry section", () => {
    expect(registrySpecFromConfig(undefined, 'c.yml')).toBeUndefined();
    expect(registrySpecFromConfig({ backend: 'fs', path: 'models' }, 'c.yml')).toBe('fs:models');
    expect(registrySpecFromConfig({ backend: 'fs' }, 'c.yml')).toBe('fs:.modelgate/registry');
    expect(registrySpecFromConfig({ backend: 'github', repo: 'acme/models' }, 'c.yml')).toBe(
      'github:acme/models',
    );
    expect(registrySpecFromConfig('fs:x', 'c.yml')).toBe('fs:x');
    expect(inputErrorMessage(() => registrySpecFromConfig({ backend: 's3' }, 'c.yml'))).toMatch(
      /^config file c\.yml: 'registry' must be \{ backend: fs, path: PATH \} or \{ backend: github, repo: OWNER\/REPO \}$/,
    );
    expect(
      inputErrorMessage(() => registrySpecFromConfig({ backend: 'github', repo: 'acme' }, 'c.yml')),
    ).toMatch(/config file c\.yml: registry 'github:acme' is not valid/);
  });
});

describe('lineage maps', () => {
  it('take YAML/JSON inline or from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgate-lineage-'));
    writeFileSync(join(dir, 'params.json'), '{"lr": 0.01, "layers": [64, 32]}');
    expect(await parseLineageMap('{"lr": 0.1}', '--params', dir)).toEqual({ lr: 0.1 });
    expect(await parseLineageMap('lr: 0.1\nepochs: 3', '--params', dir)).toEqual({ lr: 0.1, epochs: 3 });
    expect(await parseLineageMap('params.json', '--params', dir)).toEqual({ lr: 0.01, layers: [64, 32] });
    await expect(parseLineageMap('missing.json', '--params', dir)).rejects.toThrow(
      '--params is neither a YAML/JSON mapping nor a file that can be read: missing.json',
    );
  });
});
