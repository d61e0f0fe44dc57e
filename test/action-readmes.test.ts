import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs script without type declarations
import * as generator from '../scripts/action-readmes.mjs';
import { ROOT, tempDir } from './helpers.ts';

interface Generator {
  syncActionReadmes(options?: { root?: string; write?: boolean }): string[];
  updateReadme(readme: string, action: unknown, where?: string): string;
  renderSection(section: string, action: unknown): string;
  actionFolders(root?: string): string[];
}
const { syncActionReadmes, updateReadme, renderSection, actionFolders } = generator as Generator;

/** A copy of the actions folder to break on purpose. */
function copyOfActions(): string {
  const root = tempDir('modelgate-readmes-');
  cpSync(join(ROOT, 'actions'), join(root, 'actions'), {
    recursive: true,
    filter: (source) => !/[/\\](dist|node_modules)([/\\.]|$)/.test(source),
  });
  return root;
}

describe('action READMEs', () => {
  it('every action folder has a README whose inputs and outputs tables match its action.yml', () => {
    const folders = actionFolders();
    expect(folders.map((f) => f.split(/[/\\]/).pop())).toEqual([
      'compare-to-baseline',
      'deploy',
      'evaluate',
      'merge',
      'monitor',
      'register',
      'select',
      'train',
    ]);
    // `node scripts/action-readmes.mjs` regenerates them.
    expect(syncActionReadmes({ write: false })).toEqual([]);
  });

  it('lists every input with its description, whether it is required and its default, and every output', () => {
    for (const folder of actionFolders()) {
      const action = parse(readFileSync(join(folder, 'action.yml'), 'utf8'));
      const readme = readFileSync(join(folder, 'README.md'), 'utf8');
      for (const [name, input] of Object.entries(action.inputs as Record<string, { required?: boolean }>)) {
        expect(readme).toMatch(
          new RegExp(`^\\| \`${name}\` \\| .+ \\| ${input.required ? 'yes' : 'no'} \\|`, 'm'),
        );
      }
      for (const name of Object.keys(action.outputs))
        expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\| `, 'm'));
    }
  });

  it('fails when a description in action.yml changes and the README table is not regenerated', () => {
    const root = copyOfActions();
    const yml = join(root, 'actions', 'evaluate', 'action.yml');
    writeFileSync(
      yml,
      readFileSync(yml, 'utf8').replace(
        'Name of the label column.',
        'Name of the label column (the ground truth).',
      ),
    );
    expect(syncActionReadmes({ root })).toEqual(['actions/evaluate/README.md']);
    // Regenerating brings it back in line, and touches only the generated part.
    const before = readFileSync(join(root, 'actions', 'evaluate', 'README.md'), 'utf8');
    expect(syncActionReadmes({ root, write: true })).toEqual(['actions/evaluate/README.md']);
    const after = readFileSync(join(root, 'actions', 'evaluate', 'README.md'), 'utf8');
    expect(after).toContain('Name of the label column (the ground truth).');
    expect(after.split('## Inputs')[0]).toBe(before.split('## Inputs')[0]);
    expect(syncActionReadmes({ root })).toEqual([]);
  });

  it('fails when an input or output is added or removed', () => {
    const root = copyOfActions();
    const yml = join(root, 'actions', 'register', 'action.yml');
    const text = readFileSync(yml, 'utf8');
    writeFileSync(yml, text.replace('outputs:\n', 'outputs:\n  created-at:\n    description: "When."\n'));
    expect(syncActionReadmes({ root })).toEqual(['actions/register/README.md']);
    writeFileSync(yml, text.replace(/ {2}training:\n(?: {4}.*\n)+/, ''));
    expect(syncActionReadmes({ root })).toEqual(['actions/register/README.md']);
  });

  it('refuses a README without the table markers instead of passing it', () => {
    const root = copyOfActions();
    writeFileSync(join(root, 'actions', 'deploy', 'README.md'), '# deploy\n\nNo tables here.\n');
    expect(() => syncActionReadmes({ root })).toThrow(/actions\/deploy\/README.md has no inputs table/);
  });

  it('escapes pipes and newlines so a description cannot break the table', () => {
    const table = renderSection('inputs', {
      inputs: { mode: { description: 'a | b\nsecond line', required: true, default: 'x|y' } },
    });
    expect(table.split('\n')[2]).toBe('| `mode` | a \\| b<br>second line | yes | `x\\|y` |');
    expect(
      updateReadme(
        'intro\n<!-- action-readmes:inputs begin (generated from action.yml by scripts/action-readmes.mjs; do not edit) -->\nold\n<!-- action-readmes:inputs end -->\n<!-- action-readmes:outputs begin (generated from action.yml by scripts/action-readmes.mjs; do not edit) -->\n<!-- action-readmes:outputs end -->\n',
        {},
      ),
    ).toContain('This action has no inputs.');
  });
});
