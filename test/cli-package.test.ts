// The `modelgate` npm package as a user gets it: `npm pack` of packages/cli, installed into an
// empty project outside this repository, runs the same evaluate and compare as the repository's
// own CLI. It checks what only the tarball can get wrong: a file left out of `files`, a runtime
// dependency the bundle leaves out but package.json does not name, a path that only resolves
// inside the monorepo.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, FIXTURES, ROOT, tempDir } from './helpers.ts';

const PACKAGE_DIR = join(ROOT, 'packages', 'cli');
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};

/**
 * The packed tarball's limit. It is 1.5 MB: a router, evaluate on its own, one build that the
 * other commands share, and the licenses. One bundle per command made it 6.7 MB (five copies of
 * the 4 MB GitHub and registry code); a size past this limit is most likely such a copy again.
 */
const MAX_PACKED_BYTES = 2_500_000;
/** The same for the unpacked size: 7.6 MB today, 33 MB with one bundle per command. */
const MAX_UNPACKED_BYTES = 12_000_000;

/**
 * The install copies onnxruntime-node (288 MB unpacked) from npm's cache, and asks the registry
 * for the package documents that `npm ci` does not cache: 4 s here, far more on a slow disk.
 */
const INSTALL_TIMEOUT_MS = 240_000;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/**
 * npm's environment without what `npm test` passes down about this repository (its prefix, its
 * package, its workspaces), so npm works on the temporary project alone. The cache, registry,
 * certificate and proxy settings stay: CI's mirror and cache still serve the install.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const kept =
    /^npm_config_(cache|registry|cafile|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl)$/i;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.test(key)),
  );
  // onnxruntime-node's postinstall would download CUDA libraries (DESIGN.md); npm 11 without an
  // allowScripts entry does not run it, npm 10 does.
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', MODELGATE_DEBUG: '' };
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    env: npmEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Run {
  const result = spawnSync(command, args, { cwd, env: npmEnv(), encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const dir = tempDir('modelgate-package-');
const project = join(dir, 'project');
let packed: PackResult;
/** The installed package's `modelgate`, run the way its README says: npx, never from the registry. */
const installed = (args: string[]) => run('npx', ['--no', '--', 'modelgate', ...args], project);
/** The repository's own CLI, on the same files from the same folder. */
const repository = (args: string[]) => run(process.execPath, [CLI_BIN, ...args], project);

beforeAll(() => {
  // The global setup has just built dist/. Packing without the prepack script keeps its rebuild
  // from swapping dist/ under the tests that run beside this file.
  const [result] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], PACKAGE_DIR),
  ) as PackResult[];
  packed = result as PackResult;
  // A node_modules folder above the project would let a missing dependency resolve from it.
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'node_modules')))
      throw new Error(`${folder} has a node_modules folder: the install would not be an empty project`);
    if (dirname(folder) === folder) break;
  }
  cpSync(join(FIXTURES, 'binary-sigmoid'), project, { recursive: true });
  copyFileSync(join(ROOT, 'examples', 'breast-cancer', 'model.onnx'), join(project, 'near-twin.onnx'));
  writeFileSync(join(project, 'package.json'), '{ "name": "modelgate-user", "private": true }\n');
  npm(['install', join(dir, packed.filename), '--prefer-offline', '--no-audit', '--no-fund'], project);
}, INSTALL_TIMEOUT_MS);

describe('the modelgate tarball', () => {
  it('holds the bin, the bundle, its licenses, the README and LICENSE, and no sources or tests', () => {
    const paths = packed.files.map((file) => file.path).sort();
    expect(paths).toContain('bin/modelgate.js');
    expect(paths).toContain('dist/modelgate.js');
    expect(paths).toContain('dist/commands/evaluate/index.js');
    expect(paths).toContain('dist/licenses.txt');
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    const unexpected = paths.filter(
      (path) =>
        !/^(bin\/modelgate\.js|dist\/.+\.js|dist\/licenses\.txt|package\.json|README\.md|LICENSE)$/.test(
          path,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(
      paths.filter((path) => /(^|\/)(src|test|__fixtures__)\/|\.test\.|\.ts$|\.map$/.test(path)),
    ).toEqual([]);
  });

  it('puts the data worker beside every folder of chunks that may start it', () => {
    const paths = new Set(packed.files.map((file) => file.path));
    const chunkFolders = new Set(
      [...paths].filter((path) => /\/chunks\/[^/]+\.js$/.test(path)).map((path) => dirname(path)),
    );
    expect(chunkFolders.size).toBeGreaterThan(0);
    for (const folder of chunkFolders) expect(paths.has(`${folder}/worker.js`), folder).toBe(true);
  });

  it(`stays under ${MAX_PACKED_BYTES} bytes packed and ${MAX_UNPACKED_BYTES} unpacked`, () => {
    expect(packed.size).toBeLessThan(MAX_PACKED_BYTES);
    expect(packed.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
  });

  it('names as dependencies exactly the packages that the bundle imports and does not carry', () => {
    const dist = join(project, 'node_modules', 'modelgate', 'dist');
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    // esbuild writes each static import at the start of a line; dynamic ones and require() anywhere.
    const specifier =
      /^(?:import|export)\s[^;]*?\sfrom\s*"([^"\s]+)";$|^import\s*"([^"\s]+)";$|\bimport\(\s*"([^"\s]+)"\s*\)|\brequire\(\s*"([^"\s]+)"\s*\)/gm;
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      for (const match of readFileSync(join(dist, file), 'utf8').matchAll(specifier)) {
        const name = (match[1] ?? match[2] ?? match[3] ?? match[4]) as string;
        if (name.startsWith('.') || name.startsWith('node:') || builtins.has(name)) continue;
        imported.add(
          name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string),
        );
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('carries LICENSE as the repository has it', () => {
    expect(readFileSync(join(PACKAGE_DIR, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
    );
  });
});

describe('modelgate installed from the tarball into an empty project', () => {
  it('prints the package version', () => {
    const result = installed(['--version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${manifest.version}\n`);
  });

  it('writes the evaluation record that the repository CLI writes, field by field, metrics exactly', () => {
    const args = [
      'evaluate',
      '--model',
      'model.onnx',
      '--data',
      'data.csv',
      '--label',
      'target',
      '--slice-by',
      'size',
    ];
    const ours = installed([...args, '--out', 'installed.json']);
    const theirs = repository([...args, '--out', 'repository.json']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(theirs.code, theirs.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(project, 'installed.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(project, 'repository.json'), 'utf8'));
    // When it ran, and how fast: the only fields two runs of one build may differ in.
    const measured = ['rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'];
    expect(Object.keys(a.metrics).sort()).toEqual(Object.keys(b.metrics).sort());
    for (const name of Object.keys(b.metrics)) {
      if (measured.includes(name)) expect(a.metrics[name].value, name).toBeGreaterThan(0);
      else expect(a.metrics[name], name).toEqual(b.metrics[name]);
    }
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const field of Object.keys(b)) {
      if (field === 'created_at') expect(Number.isNaN(Date.parse(a.created_at))).toBe(false);
      else if (field !== 'metrics') expect(a[field], field).toEqual(b[field]);
    }
    expect(a.model.path).toBe('model.onnx');
    expect(a.tool).toEqual({ name: 'modelgate', version: manifest.version });
  });

  it('gates a model against a baseline, paired, with the repository CLI verdict (a command of the shared build)', () => {
    writeFileSync(
      join(project, 'gates.yml'),
      'model: cancer\ngates:\n  accuracy: { max_drop: 0.005, significance: 0.05 }\n',
    );
    const args = [
      'compare',
      '--model',
      'near-twin.onnx',
      '--baseline-model',
      'model.onnx',
      '--data',
      'data.csv',
      '--label',
      'target',
      '--slice-by',
      'size',
      '--gates',
      'gates.yml',
      '--bootstrap',
      '200',
    ];
    const ours = installed([...args, '--out', 'installed-verdict.json', '--report', 'installed.md']);
    const theirs = repository([...args, '--out', 'repository-verdict.json', '--report', 'repository.md']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(theirs.code, theirs.stderr).toBe(0);
    const { created_at: when, ...verdict } = JSON.parse(
      readFileSync(join(project, 'installed-verdict.json'), 'utf8'),
    );
    const { created_at: _, ...expected } = JSON.parse(
      readFileSync(join(project, 'repository-verdict.json'), 'utf8'),
    );
    expect(Number.isNaN(Date.parse(when))).toBe(false);
    expect(verdict).toEqual(expected);
  });

  it('exits 2 on a missing model file with one modelgate: error: line that names it, and no stack trace', () => {
    const result = installed([
      'evaluate',
      '--model',
      'missing.onnx',
      '--data',
      'data.csv',
      '--label',
      'target',
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('modelgate: error:'))).toHaveLength(1);
    expect(lines[0]).toMatch(/^modelgate: error: .*missing\.onnx/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('says to reinstall, not to build, when an installed copy has lost its bundle', () => {
    const copy = join(dir, 'no-bundle');
    cpSync(join(project, 'node_modules', 'modelgate', 'bin'), join(copy, 'bin'), { recursive: true });
    const result = run(process.execPath, [join(copy, 'bin', 'modelgate.js'), '--version'], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `modelgate: error: the CLI's bundle ${join(copy, 'dist', 'modelgate.js')} is missing\n` +
        "hint: reinstall the package ('npm install modelgate'): it ships the bundle, so this copy is incomplete\n",
    );
  });
});
