import { describe, expect, it } from 'vitest';
import { bin, cli } from './helpers.ts';

const COMMANDS = [
  'evaluate',
  'merge',
  'select',
  'compare',
  'register',
  'registry',
  'deploy',
  'serve',
  'train',
  'monitor',
  'demo',
];

/** The lines under `Examples:`, up to the next blank line, joined where a line ends with `\`. */
function examples(help: string): string[] {
  const block = help.split(/^Examples:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

describe('modelgate --help', () => {
  it('lists every command, with examples and the exit codes', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
    expect(examples(top.stdout).length).toBeGreaterThan(3);
    expect(top.stdout).toMatch(/^Exit codes:\n {2}0 [^\n]*\n {2}1 [\s\S]*\n {2}2 +bad input/m);
  });

  it('prints usage, examples and exit codes for every command, through the real bin too', async () => {
    for (const command of COMMANDS) {
      const help = await cli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/^Usage: modelgate /);
      expect(examples(help.stdout).length, command).toBeGreaterThan(0);
      const codes = help.stdout.split(/^Exit codes: /m)[1] ?? '';
      expect(codes, command).toMatch(/^0 /);
      expect(codes, command).toMatch(/\b2 bad input/);
      expect(help.stderr).toBe('');
    }
    expect(bin(['demo', '-h']).stdout).toMatch(/Exit codes:/);
  });

  it('uses in its examples only flags that the command documents', async () => {
    for (const command of COMMANDS) {
      const help = (await cli([command, '--help'])).stdout;
      for (const line of examples(help)) {
        const invocation = /(?:^|\s)(?:npx )?modelgate (\w+)(.*)$/.exec(line);
        if (invocation === null) continue;
        const [, used, rest] = invocation as unknown as [string, string, string];
        expect(COMMANDS, line).toContain(used);
        // Documented above the examples: in the usage lines or the options.
        const documented = (used === command ? help : (await cli([used, '--help'])).stdout).split(
          /^Examples:/m,
        )[0];
        for (const flag of rest.match(/(?<=\s)--[a-z][a-z-]*/g) ?? []) {
          expect(documented, `${line}: ${flag}`).toContain(flag);
        }
      }
    }
  });
});
