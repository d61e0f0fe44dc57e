import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateOptionsWithConfig, evaluateSettingsWithConfig } from '../evaluation/config.ts';
import { actionInput, cliOption } from '../kernel/options.ts';
import { readConfigFile, registrySpecFrom } from './file.ts';

const file = (evaluate: object, path = '.modelgate.yml') => ({ path, config: { evaluate } });

describe('evaluate settings with the config file', () => {
  it('take each option from the flag, then the evaluate: section, then the default', () => {
    const settings = evaluateSettingsWithConfig(
      { model: 'm.onnx', bootstrap: '50', 'slice-by': [] },
      file({ data: 'eval.csv', label: 'y', bootstrap: 200, slice_by: ['region'], seed: 7 }),
      cliOption,
    );
    expect(settings).toMatchObject({
      model: 'm.onnx',
      data: 'eval.csv',
      label: 'y',
      bootstrap: 50,
      sliceBy: ['region'],
      seed: 7,
      confidence: 0.95,
      provider: 'auto',
    });
  });

  it('let a flag replace a list from the file, never add to it', () => {
    const { raw } = evaluateOptionsWithConfig(
      { 'slice-by': ['size'], classes: 'b,a' },
      { slice_by: ['region'], classes: ['a', 'b'] },
    );
    expect(raw['slice-by']).toEqual(['size']);
    expect(raw.classes).toBe('b,a');
  });

  it("drop the file's predictions when the caller gives a model, and keep its data with predictions", () => {
    expect(evaluateOptionsWithConfig({ model: 'm.onnx' }, { predictions: 'p.csv' }).raw.predictions).toBe(
      undefined,
    );
    // The record names the data the predictions were made on.
    expect(evaluateOptionsWithConfig({ predictions: 'p.csv' }, { data: 'd.csv' }).raw.data).toBe('d.csv');
  });

  it('treat an empty flag or input as not given', () => {
    expect(evaluateOptionsWithConfig({ label: ' ' }, { label: 'y' }).raw.label).toBe('y');
  });

  it("name a bad value by the caller's name when the caller gave it, and by the file's key otherwise", () => {
    const config = file({ data: 'd.csv', label: 'y', bootstrap: 'many' }, 'ci/modelgate.yml');
    expect(() => evaluateSettingsWithConfig({ model: 'm.onnx' }, config, cliOption)).toThrow(
      "'evaluate.bootstrap' in ci/modelgate.yml 'many' is not valid; expected an integer from 0 to 100000",
    );
    const good = file({ data: 'd.csv', label: 'y', seed: 'x' });
    expect(() => evaluateSettingsWithConfig({ model: 'm.onnx', seed: '-1' }, good, cliOption)).toThrow(
      /^--seed '-1'/,
    );
    expect(() => evaluateSettingsWithConfig({ model: 'm.onnx', seed: '-1' }, good, actionInput)).toThrow(
      /^input 'seed' '-1'/,
    );
    expect(() => evaluateSettingsWithConfig({ model: 'm.onnx' }, file({}), cliOption)).toThrow(
      '--data is required with --model',
    );
  });
});

describe('the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-config-'));

  it('is .modelgate.yml when present, and an empty config when not', async () => {
    expect(await readConfigFile(undefined, dir, cliOption)).toEqual({ path: '.modelgate.yml', config: {} });
    writeFileSync(join(dir, '.modelgate.yml'), 'model: churn\n');
    expect(await readConfigFile(undefined, dir, cliOption)).toEqual({
      path: '.modelgate.yml',
      config: { model: 'churn' },
    });
  });

  it('must exist when named, and the error names the option as the caller does', async () => {
    await expect(readConfigFile('nope.yml', dir, cliOption)).rejects.toThrow(
      "--config 'nope.yml': no such file",
    );
    await expect(readConfigFile('nope.yml', dir, actionInput)).rejects.toThrow(
      "input 'config' 'nope.yml': no such file",
    );
  });

  it('names itself as the caller wrote it in a message about its contents', async () => {
    writeFileSync(join(dir, 'bad.yml'), 'evaluate: { lable: y }\n');
    await expect(readConfigFile('bad.yml', dir, cliOption)).rejects.toThrow(
      "config file bad.yml: unknown key 'evaluate.lable'",
    );
  });
});

describe('the registry a step uses', () => {
  it("is the flag or input, then the file's registry:, then fs:.modelgate/registry", () => {
    const withRegistry = { path: 'c.yml', config: { registry: { backend: 'fs', path: 'shared/registry' } } };
    expect(registrySpecFrom('github:acme/models', withRegistry)).toBe('github:acme/models');
    expect(registrySpecFrom(undefined, withRegistry)).toBe('fs:shared/registry');
    expect(registrySpecFrom(' ', { path: 'c.yml', config: {} })).toBe('fs:.modelgate/registry');
  });
});
