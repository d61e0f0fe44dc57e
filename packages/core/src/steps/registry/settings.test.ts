import { describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../config/file.ts';
import { cliOption } from '../../kernel/options.ts';
import { inputErrorMessage } from '../../kernel/testing.ts';
import { registryStepSettingsFrom } from './settings.ts';

const none: ConfigFile = { path: '.modelgate.yml', config: {} };
const read = (args: string[], raw: Record<string, string | boolean> = {}) =>
  registryStepSettingsFrom(raw, args, none, cliOption);
const message = (args: string[], raw: Record<string, string | boolean> = {}) =>
  inputErrorMessage(() => read(args, raw));

describe('registry settings', () => {
  it('read each subcommand with its arguments', () => {
    const registry = { spec: 'fs:.modelgate/registry', what: 'registry' };
    expect(read(['list', 'churn'])).toEqual({ command: 'list', name: 'churn', registry, json: false });
    expect(read(['show', 'churn@production'], { json: true })).toMatchObject({
      command: 'show',
      name: 'churn',
      ref: 'production',
      json: true,
    });
    expect(read(['show', 'churn'])).toMatchObject({ ref: 'latest' });
    expect(read(['alias', 'churn', 'production', 'staging'], { 'allow-downgrade': true })).toMatchObject({
      command: 'alias',
      alias: 'production',
      ref: 'staging',
      allowDowngrade: true,
    });
    expect(read(['alias', 'churn', 'staging'], { remove: true })).toMatchObject({
      command: 'remove-alias',
      alias: 'staging',
    });
    expect(read(['fetch', 'churn@3'], { out: 'm.onnx', registry: 'fs:models' })).toMatchObject({
      command: 'fetch',
      ref: '3',
      out: 'm.onnx',
      registry: { spec: 'fs:models', what: '--registry' },
    });
  });

  it('refuse a flag on a subcommand it does not go with, and a wrong number of arguments', () => {
    expect(message([])).toBe('modelgate registry needs a subcommand: list, show, alias or fetch');
    expect(message(['lst', 'churn'])).toBe(
      "unknown registry subcommand 'lst': expected list, show, alias or fetch",
    );
    expect(message(['list', 'churn'], { remove: true })).toBe('--remove only goes with registry alias');
    expect(message(['show', 'churn'], { out: 'x' })).toBe('--out only goes with registry fetch');
    expect(message(['alias', 'churn', 'a'], { remove: true, 'allow-downgrade': true })).toBe(
      '--allow-downgrade only goes with registry alias NAME ALIAS REF',
    );
    expect(message(['fetch', 'churn@1'])).toBe('registry fetch needs --out PATH: where to write the model');
    expect(message(['alias', 'churn', 'champion'])).toBe(
      'registry alias needs REF: modelgate registry alias NAME ALIAS REF',
    );
    expect(message(['list', 'churn', 'extra'])).toBe(
      'registry list takes 1 argument, got 2: modelgate registry list NAME',
    );
    expect(message(['alias', 'churn', 'Prod', '1'])).toMatch(/^alias 'Prod' is not valid/);
    expect(message(['list', '../etc'])).toMatch(/^model name '\.\.\/etc' is not valid/);
  });
});
