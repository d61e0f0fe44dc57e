/**
 * The layout of DESIGN.md's "One step, one shape", held by a test: each step in
 * packages/core/src/steps/<step>/, no step importing another, a kernel that imports no step
 * and no library, and adapters (the CLI commands, the actions' main.ts) of at most 50 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CORE = join(ROOT, 'packages/core/src');
const STEPS = join(CORE, 'steps');
const KERNEL = join(CORE, 'kernel');
/** The package's index exports every step; nothing inside the package imports it. */
const PACKAGE_INDEX = join(CORE, 'index.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative imports of a file (static, dynamic and re-exports), resolved to paths. */
function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specifiers = [
    ...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g),
  ];
  return specifiers.map((match) => resolve(dirname(file), match[2] as string));
}

const stepOf = (path: string): string | undefined =>
  path.startsWith(STEPS + sep) ? relative(STEPS, path).split(sep)[0] : undefined;

/** The import edges that break the layout, as `file → target` lines. */
function layoutViolations(files: readonly string[], read = (f: string) => readFileSync(f, 'utf8')): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = stepOf(file);
    const inKernel = file.startsWith(KERNEL + sep);
    for (const target of relativeImports(file, read(file))) {
      const to = stepOf(target);
      const edge = `${relative(ROOT, file)} → ${relative(ROOT, target)}`;
      if (inKernel && !target.startsWith(KERNEL + sep))
        violations.push(`${edge}: the kernel imports outside itself`);
      else if (to === undefined || to === from || file === PACKAGE_INDEX) continue;
      else if (from !== undefined) violations.push(`${edge}: a step imports another step`);
      else violations.push(`${edge}: a library imports a step`);
    }
  }
  return violations;
}

const COMMANDS = join(ROOT, 'packages/cli/src/commands');
const ACTIONS = join(ROOT, 'actions');
const adapters = [
  ...readdirSync(COMMANDS)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(COMMANDS, name)),
  ...readdirSync(ACTIONS)
    .map((name) => join(ACTIONS, name, 'main.ts'))
    .filter((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    }),
];

describe('one step, one shape', () => {
  it('no step imports another step, the kernel imports only itself, and no library imports a step', () => {
    expect(layoutViolations(sources(CORE))).toEqual([]);
  });

  it('catches each kind of bad import (the check can fail)', () => {
    const files = [join(STEPS, 'a/run.ts'), join(KERNEL, 'x.ts'), join(CORE, 'metrics/m.ts')];
    const text: Record<string, string> = {
      [files[0] as string]: "import { b } from '../b/run.ts';",
      [files[1] as string]: "export * from '../metrics/index.ts';",
      [files[2] as string]: "const s = await import('../steps/a/run.ts');",
    };
    expect(layoutViolations(files, (f) => text[f] as string)).toEqual([
      'packages/core/src/steps/a/run.ts → packages/core/src/steps/b/run.ts: a step imports another step',
      'packages/core/src/kernel/x.ts → packages/core/src/metrics/index.ts: the kernel imports outside itself',
      'packages/core/src/metrics/m.ts → packages/core/src/steps/a/run.ts: a library imports a step',
    ]);
  });

  it('every step has its settings, run and present', () => {
    for (const step of readdirSync(STEPS)) {
      for (const part of ['settings.ts', 'run.ts', 'present.ts'])
        expect(statSync(join(STEPS, step, part)).isFile(), `${step}/${part}`).toBe(true);
    }
  });

  it.each(adapters.map((path) => [relative(ROOT, path), path]))(
    '%s is an adapter of at most 50 lines',
    (_, path) => {
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n').length;
      expect(lines).toBeLessThanOrEqual(50);
    },
  );
});
