import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionInput, cliOption } from '../kernel/options.ts';
import { paramEnvironment, paramEnvName, parseParams } from './params.ts';
import { scratch } from './testing.ts';

describe('parseParams', () => {
  it('reads JSON and YAML mappings alike', () => {
    expect(parseParams('{"lr": 0.01, "epochs": 5, "layers": [64, 32]}', cliOption)).toEqual({
      lr: 0.01,
      epochs: 5,
      layers: [64, 32],
    });
    expect(parseParams('lr: 0.01\nepochs: 5\noptimizer: adam\n', cliOption)).toEqual({
      lr: 0.01,
      epochs: 5,
      optimizer: 'adam',
    });
  });

  it('treats nothing as no params', () => {
    expect(parseParams(undefined, cliOption)).toEqual({});
    expect(parseParams('  \n', cliOption)).toEqual({});
    expect(parseParams('# only a comment', cliOption)).toEqual({});
  });

  it('reads @FILE', () => {
    const file = join(scratch(), 'params.yaml');
    writeFileSync(file, 'lr: 0.5\n');
    expect(parseParams(`@${file}`, cliOption)).toEqual({ lr: 0.5 });
    expect(() => parseParams('@/no/such/params.yaml', cliOption)).toThrow(
      /--params file \/no\/such\/params.yaml cannot be read/,
    );
  });

  it('refuses a document that is not a mapping, naming the input', () => {
    expect(() => parseParams('[1, 2]', actionInput)).toThrow(
      "input 'params' must be a mapping of names to values, not a list",
    );
    expect(() => parseParams('0.01', cliOption)).toThrow(
      '--params must be a mapping of names to values, not the number 0.01',
    );
  });

  it('refuses text that is neither YAML nor JSON', () => {
    expect(() => parseParams('{"lr": ', cliOption)).toThrow(/^--params is not valid YAML or JSON/);
    expect(() => parseParams('a: 1\na: 2', cliOption)).toThrow(/not valid YAML or JSON.*unique/);
  });

  it('refuses two names that become the same variable', () => {
    expect(() => parseParams('{"learning-rate": 1, "learning_rate": 2}', cliOption)).toThrow(
      "--params: parameters 'learning-rate' and 'learning_rate' both become MODELGATE_PARAM_LEARNING_RATE",
    );
  });
});

describe('paramEnvironment', () => {
  it('names variables in upper case with every other character as _', () => {
    expect(paramEnvName('learning-rate')).toBe('MODELGATE_PARAM_LEARNING_RATE');
    expect(paramEnvName('run name.v2')).toBe('MODELGATE_PARAM_RUN_NAME_V2');
  });

  it('passes strings through untouched and writes everything else as JSON', () => {
    expect(
      paramEnvironment({
        note: `it's "quoted"  $HOME; rm -rf /`,
        lr: 0.01,
        big: 12345678901234,
        on: true,
        off: null,
        layers: [64, 32],
        opt: { name: 'adam' },
      }),
    ).toEqual({
      MODELGATE_PARAM_NOTE: `it's "quoted"  $HOME; rm -rf /`,
      MODELGATE_PARAM_LR: '0.01',
      MODELGATE_PARAM_BIG: '12345678901234',
      MODELGATE_PARAM_ON: 'true',
      MODELGATE_PARAM_OFF: '',
      MODELGATE_PARAM_LAYERS: '[64,32]',
      MODELGATE_PARAM_OPT: '{"name":"adam"}',
    });
  });

  it('refuses a NUL character, which no variable can carry', () => {
    expect(() => paramEnvironment({ bad: 'a\0b' })).toThrow(/parameter 'bad' holds a NUL character/);
  });
});
