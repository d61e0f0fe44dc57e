import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { main } from '../packages/cli/src/main.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'models');
export const CLI_BIN = join(ROOT, 'packages', 'cli', 'bin', 'modelgate.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (fast), capturing what it prints. */
export async function cli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd,
    env,
  });
  return { code, stdout, stderr };
}

/** Runs the built `modelgate` bin as a real process, the way a user does. */
export function bin(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd,
    env: { ...process.env, MODELGATE_DEBUG: '', ...env },
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary directory removed after the file's tests. */
export function tempDir(prefix = 'modelgate-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ActionRun {
  code: number | null;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs a built action the way the runner does: every input from action.yml's defaults, then the
 * given ones, as INPUT_* variables; GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files; onnxruntime-node
 * from this repository (MODELGATE_ONNXRUNTIME_PATH); any extra environment (GITHUB_EVENT_PATH,
 * GITHUB_API_URL, …). Asynchronous, so an in-process emulator can answer the child's requests.
 */
export async function runBuiltAction(
  main: string,
  options: {
    inputs?: Record<string, string>;
    env?: NodeJS.ProcessEnv;
    cwd: string;
    actionYml?: string;
    token?: string;
  },
): Promise<ActionRun> {
  const { parse } = await import('yaml');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const outputFile = join(
    options.cwd,
    `github-output-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`,
  );
  const summaryFile = `${outputFile}.summary.md`;
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    // An action that scores a model finds onnxruntime-node in the repository's own node_modules,
    // as in a runner image that installed it: no test downloads it from a public registry. A test
    // of the download sets this to undefined and serves the tarballs from a loopback registry.
    MODELGATE_ONNXRUNTIME_PATH: ROOT,
    ...options.env,
  };
  const inputs: Record<string, string> = {};
  if (options.actionYml !== undefined) {
    const action = parse(readFileSync(options.actionYml, 'utf8')) as {
      inputs?: Record<string, { default?: string }>;
    };
    for (const [name, input] of Object.entries(action.inputs ?? {})) {
      if (input.default === undefined) continue;
      // The runner expands this expression; stand in for it with the test's token.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal action.yml default
      inputs[name] = input.default === '${{ github.token }}' ? (options.token ?? '') : String(input.default);
    }
  }
  Object.assign(inputs, options.inputs);
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(process.execPath, [main], { cwd: options.cwd, env });
  let log = '';
  child.stdout.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const code = await new Promise<number | null>((resolvePromise) => child.on('close', resolvePromise));
  return {
    code,
    log,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

/** The GITHUB_OUTPUT file format: name<<DELIMITER\nvalue\nDELIMITER. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] as string] = match[3] as string;
  return outputs;
}
