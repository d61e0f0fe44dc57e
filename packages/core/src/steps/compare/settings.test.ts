import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../config/file.ts';
import { actionInput, cliOption, type OptionNamer } from '../../kernel/options.ts';
import type { RawOptions } from '../../kernel/step.ts';
import { scratch } from '../../kernel/testing.ts';
import { type COMPARE_OPTIONS, compareSettingsFrom } from './settings.ts';

/**
 * compare's one reader of its options, with each caller's names: the same inputs make the same
 * settings for the CLI and the action, and the same errors, each naming the option its way.
 */
const dir = scratch('modelgate-compare-settings-');
writeFileSync(
  join(dir, '.modelgate.yml'),
  'model: cancer\ngates:\n  accuracy: { min: 0.8, max_drop: 0.01 }\nevaluate: { data: eval.csv, label: y }\n',
);
const anonymous = join(dir, 'anonymous');
mkdirSync(anonymous);
writeFileSync(join(dir, 'gates.yml'), 'gates:\n  accuracy: { min: 0.5 }\n');

const NAMERS: Array<[string, OptionNamer]> = [
  ['the CLI', cliOption],
  ['the action', actionInput],
];

async function settings(raw: RawOptions<typeof COMPARE_OPTIONS>, namer: OptionNamer, cwd = dir) {
  const config = await readConfigFile(undefined, cwd, namer);
  return compareSettingsFrom(raw, config, namer, cwd);
}

describe.each(NAMERS)('compare settings, from %s', (_, namer) => {
  it('default the baseline to registry:production, looked up under the config file’s model name', async () => {
    const s = await settings({ candidate: 'c.json' }, namer);
    expect(s.name).toBe('cancer');
    expect(s.baseline).toEqual({
      kind: 'registry',
      ref: 'production',
      registry: 'fs:.modelgate/registry',
      what: 'registry',
    });
    expect(s.baselineRef).toBe('production');
    expect(s.mode).toEqual({ kind: 'records', candidate: 'c.json' });
    expect(s.failOnRegression).toBe(true);
    expect(s.comment).toBeUndefined();
  });

  it('take baseline-model in place of a registry baseline, the default or a given one, and none as none', async () => {
    for (const baseline of [undefined, 'registry:production', 'registry:staging']) {
      const s = await settings({ model: 'm.onnx', 'baseline-model': 'b.onnx', baseline }, namer);
      expect(s.baseline).toEqual({ kind: 'path', path: 'b.onnx' });
      expect(s.baselineRef).toBe('b.onnx');
      expect(s.mode).toMatchObject({
        kind: 'paired',
        evaluate: { model: 'm.onnx', data: 'eval.csv', label: 'y' },
      });
    }
    const none = await settings({ model: 'm.onnx', 'baseline-model': 'b.onnx', baseline: 'none' }, namer);
    expect(none.baseline).toEqual({ kind: 'none' });
    expect(none.baselineRef).toBeNull();
  });

  it('read true/false booleans, and out or verdict-path, report or report-path', async () => {
    const s = await settings(
      {
        candidate: 'c.json',
        baseline: 'b.json',
        comment: 'False',
        'fail-on-regression': 'false',
        'verdict-path': 'v.json',
        report: 'r.md',
      },
      namer,
    );
    expect(s).toMatchObject({ comment: false, failOnRegression: false, out: 'v.json', report: 'r.md' });
    expect(s.baseline).toEqual({ kind: 'path', path: 'b.json' });
  });

  const cases: Array<[string, RawOptions<typeof COMPARE_OPTIONS>, (n: OptionNamer) => string]> = [
    [
      'neither a candidate nor a model',
      {},
      (n) =>
        `give ${n('candidate')} (an evaluation record) or ${n('model')} (with ${n('data')} and ${n('label')})`,
    ],
    [
      'both a candidate and a model',
      { candidate: 'c.json', model: 'm.onnx' },
      (n) => `give ${n('candidate')} or ${n('model')}, not both`,
    ],
    [
      'a baseline model with a candidate record',
      { candidate: 'c.json', 'baseline-model': 'b.onnx' },
      (n) =>
        `${n('baseline-model')} is for the paired mode, with ${n('model')}: with ${n('candidate')}, give the baseline's evaluation record as ${n('baseline')}`,
    ],
    [
      'a baseline model and a baseline record',
      { model: 'm.onnx', 'baseline-model': 'b.onnx', baseline: 'b.json' },
      (n) => `give ${n('baseline-model')} or ${n('baseline')} 'b.json', not both`,
    ],
    [
      'a model with a baseline record',
      { model: 'm.onnx', baseline: 'b.json' },
      (n) =>
        `${n('baseline')} is 'b.json', which is an evaluation record: with ${n('model')}, give ${n('baseline-model')} or a registry:ALIAS baseline (or none for the first model)`,
    ],
    [
      'a registry baseline without an alias',
      { candidate: 'c.json', baseline: 'registry:' },
      (n) => `${n('baseline')} 'registry:' names no alias: write registry:ALIAS (e.g. registry:production)`,
    ],
    [
      'a registry that is not one',
      { candidate: 'c.json', registry: 'ftp:x' },
      (n) => `${n('registry')} 'ftp:x' is not a registry: expected fs:PATH or github:OWNER/REPO`,
    ],
    [
      'a boolean that is not one',
      { candidate: 'c.json', comment: 'yes' },
      (n) => `${n('comment')} is 'yes'; expected true or false`,
    ],
    [
      'fail-on-regression that is not a boolean',
      { candidate: 'c.json', 'fail-on-regression': '0' },
      (n) => `${n('fail-on-regression')} is '0'; expected true or false`,
    ],
  ];
  for (const [name, raw, message] of cases) {
    it(`refuse ${name}, naming the options`, async () => {
      await expect(settings(raw, namer)).rejects.toThrow(message(namer));
    });
  }

  it('refuse a registry baseline, the default included, without the model’s name', async () => {
    const raw = { candidate: 'c.json', gates: join(dir, 'gates.yml') };
    const config = await readConfigFile(undefined, anonymous, namer);
    await expect(compareSettingsFrom(raw, config, namer, anonymous)).rejects.toThrow(
      `${namer('baseline')} is 'registry:production' (the default), which needs the model's registry name: set ${namer('name')} or 'model:' in .modelgate.yml`,
    );
    // The model's name from the gate spec or the option serves; so does no registry baseline.
    expect((await compareSettingsFrom({ ...raw, name: 'cancer' }, config, namer, anonymous)).name).toBe(
      'cancer',
    );
    expect((await compareSettingsFrom({ ...raw, baseline: 'none' }, config, namer, anonymous)).name).toBe(
      'model',
    );
  });

  it('refuse a compare with no gate spec: no gates option and no config file', async () => {
    const config = await readConfigFile(undefined, anonymous, namer);
    await expect(compareSettingsFrom({ candidate: 'c.json' }, config, namer, anonymous)).rejects.toThrow(
      `no gate spec: give ${namer('config')} (a file with 'gates:'), or add .modelgate.yml here`,
    );
  });
});
