import { describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../config/file.ts';
import { actionInput, cliOption } from '../../kernel/options.ts';
import { inputErrorMessage } from '../../kernel/testing.ts';
import { registerStepSettingsFrom } from './settings.ts';

const none: ConfigFile = { path: '.modelgate.yml', config: {} };
const configured: ConfigFile = {
  path: 'ci.yml',
  config: { model: 'churn', registry: { backend: 'fs', path: 'shared/models' } },
};
const files = { model: 'm.onnx', evaluation: 'e.json', verdict: 'v.json' };

describe('register settings', () => {
  it('take the flag or input, then the config file, then the default', () => {
    const fromFile = registerStepSettingsFrom(files, configured, cliOption);
    expect(fromFile).toMatchObject({
      name: 'churn',
      registry: { spec: 'fs:shared/models', what: 'registry' },
    });
    expect(fromFile).toMatchObject({
      requirePassed: true,
      allowDowngrade: false,
      json: false,
      alias: undefined,
    });
    const given = registerStepSettingsFrom(
      { ...files, name: 'fraud', registry: 'github:acme/models' },
      configured,
      actionInput,
    );
    expect(given).toMatchObject({
      name: 'fraud',
      registry: { spec: 'github:acme/models', what: "input 'registry'" },
    });
    expect(registerStepSettingsFrom({ ...files, name: 'x' }, none, cliOption).registry.spec).toBe(
      'fs:.modelgate/registry',
    );
  });

  it('read require-passed and allow-downgrade as booleans, from a bare flag or the text of an input', () => {
    const read = (raw: Record<string, string | boolean>) =>
      registerStepSettingsFrom({ ...files, name: 'x', alias: 'production', ...raw }, none, actionInput);
    expect(read({ 'require-passed': 'false' }).requirePassed).toBe(false);
    expect(read({ 'require-passed': 'False' }).requirePassed).toBe(false);
    expect(read({ 'require-passed': 'true', 'allow-downgrade': 'TRUE' })).toMatchObject({
      requirePassed: true,
      allowDowngrade: true,
    });
    expect(read({ 'no-require-passed': true }).requirePassed).toBe(false);
    expect(read({ 'allow-downgrade': true }).allowDowngrade).toBe(true);
  });

  it('name each bad option as the caller wrote it', () => {
    const message = (raw: Record<string, string | boolean>, namer = cliOption, file = none) =>
      inputErrorMessage(() => registerStepSettingsFrom(raw, file, namer));
    expect(message(files)).toBe(
      "register needs --name (the model's registry name), or 'model:' in .modelgate.yml",
    );
    expect(message(files, actionInput)).toBe(
      "register needs input 'name' (the model's registry name), or 'model:' in .modelgate.yml",
    );
    expect(message({ name: 'x', evaluation: 'e.json' }, actionInput)).toBe(
      "register needs input 'model': the ONNX model file to store",
    );
    expect(message({ name: 'x', model: 'm.onnx' })).toMatch(/^register needs --evaluation: /);
    expect(message({ ...files, name: 'x', 'allow-downgrade': true })).toBe(
      '--allow-downgrade only goes with --alias',
    );
    expect(message({ ...files, name: 'x', 'allow-downgrade': 'yes', alias: 'a' }, actionInput)).toBe(
      "input 'allow-downgrade' is 'yes'; expected true or false",
    );
    expect(message({ ...files, name: 'x', 'require-passed': 'no' })).toBe(
      "--require-passed is 'no'; expected true or false",
    );
    expect(message({ ...files, name: 'x', 'require-passed': 'true', 'no-require-passed': true })).toBe(
      'give --require-passed or --no-require-passed, not both',
    );
    expect(
      message({ ...files, name: 'x' }, cliOption, {
        path: 'ci.yml',
        config: { registry: { backend: 's3' } },
      }),
    ).toMatch(/^config file ci\.yml: 'registry' must be/);
  });

  it('keep the lineage maps as given, with the option they came from', () => {
    const settings = registerStepSettingsFrom({ ...files, name: 'x', params: 'lr: 0.1' }, none, actionInput);
    expect(settings.params).toEqual({ text: 'lr: 0.1', what: "input 'params'" });
    expect(settings.training).toBeUndefined();
  });
});
