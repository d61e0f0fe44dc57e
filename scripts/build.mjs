// Builds every bundle: one per action (actions/<step>/main.ts → actions/<step>/dist/index.js)
// and the CLI (packages/cli/dist/modelgate.js). Actions are found by folder, so adding one needs
// no edit here. onnxruntime-node stays external: its native binaries cannot be bundled, so an
// action finds it on the runner (packages/github/src/runtime/, DESIGN.md).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Worker threads' entry points, found next to the code that starts them (new URL('./x.js', import.meta.url)).
const dataWorker = join(root, 'packages', 'core', 'src', 'data', 'worker.ts');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['onnxruntime-node', 'onnxruntime-common'],
  // Bundled CommonJS dependencies call require(); ESM output has none unless we make one.
  banner: {
    js: "import { createRequire as __modelgateCreateRequire } from 'node:module';\nconst require = __modelgateCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: false,
  // The bundles' path comments are relative to this folder: the committed bundles must be the
  // same bytes whichever folder the repository is cloned to, and whichever folder builds them.
  absWorkingDir: root,
};

/**
 * Swaps a freshly built folder in for the old one. Building in place would leave a window in
 * which a concurrently running test (or a second build) finds no bundle at all.
 */
function replace(staging, target) {
  const old = `${target}.${process.pid}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
}

const actionsDir = join(root, 'actions');
const actions = readdirSync(actionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'main.ts')))
  .map((entry) => entry.name);

/**
 * An action's main.ts exports `run()` (so @github/local-action and tests can drive it); the
 * bundle's entry is this two-line module that calls it, the actions/typescript-action layout
 * without an index.ts in every action folder.
 */
const ACTION_ENTRY = 'modelgate-action-entry:';
const actionEntry = {
  name: 'action-entry',
  setup(plugin) {
    // A path relative to the root, because esbuild names the entry by it in a comment.
    plugin.onResolve({ filter: /^modelgate-action-entry:/ }, (args) => ({
      path: args.path.slice(ACTION_ENTRY.length),
      namespace: 'action-entry',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'action-entry' }, (args) => ({
      contents: `import { run } from './main.ts';\nawait run();\n`,
      resolveDir: join(root, dirname(args.path)),
      loader: 'js',
    }));
  },
};

await Promise.all(
  actions.map(async (name) => {
    const dist = join(actionsDir, name, 'dist');
    const staging = `${dist}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const result = await build({
      ...common,
      entryPoints: { index: `${ACTION_ENTRY}actions/${name}/main.ts`, worker: dataWorker },
      outdir: staging,
      plugins: [actionEntry],
      metafile: true,
    });
    writeFileSync(join(staging, 'licenses.txt'), bundledLicenses([result]));
    replace(staging, dist);
  }),
);

const cliSrc = join(root, 'packages', 'cli', 'src');
const cliDist = join(root, 'packages', 'cli', 'dist');
const cliStaging = `${cliDist}.${process.pid}.tmp`;
rmSync(cliStaging, { recursive: true, force: true });
// The CLI is a small router (bin.ts → main.ts) that loads a command's code when it runs
// (COMMANDS in packages/cli/src/main.ts). `evaluate`, which CI runs most (once per shard of a
// matrix), is a bundle of its own: its start-up loads 3 modules, where one build for every
// command splits its code into the 14 chunks that each set of commands shares (10 ms more). The
// other commands are one build, so the GitHub and registry code they share (4 MB with @actions/*
// and @azure/storage-blob) ships once: a bundle for each of them made dist/ 33 MB, not 7 MB.
const HOT_COMMANDS = new Set(['evaluate']);
// The metafiles name what each build took in, for licenses.txt (paths relative to the root).
const cliCommon = { ...common, metafile: true };
const commands = new Set();
const commandsApart = {
  name: 'commands-apart',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/commands\/[a-z-]+\.ts$/ }, (args) => {
      const name = args.path.slice('./commands/'.length, -'.ts'.length);
      commands.add(name);
      return { path: `./commands/${name}/index.js`, external: true };
    });
  },
};
const router = await build({
  ...cliCommon,
  entryPoints: { modelgate: join(cliSrc, 'bin.ts') },
  outdir: cliStaging,
  plugins: [commandsApart],
});
const commandEntry = (name) => join(cliSrc, 'commands', `${name}.ts`);
const cliBuilds = await Promise.all([
  ...[...commands]
    .filter((name) => HOT_COMMANDS.has(name))
    .map((name) =>
      build({
        ...cliCommon,
        // Libraries loaded on first use (hyparquet, csv-parse, …) stay in chunks of their own. The
        // chunks hold the code that starts the data worker, so its entry sits among them.
        entryPoints: { index: commandEntry(name), 'chunks/worker': dataWorker },
        outdir: join(cliStaging, 'commands', name),
        splitting: true,
        chunkNames: 'chunks/[name]-[hash]',
      }),
    ),
  build({
    ...cliCommon,
    entryPoints: {
      ...Object.fromEntries(
        [...commands]
          .filter((name) => !HOT_COMMANDS.has(name))
          .map((name) => [`commands/${name}/index`, commandEntry(name)]),
      ),
      'chunks/worker': dataWorker,
    },
    outdir: cliStaging,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  }),
]);
writeFileSync(join(cliStaging, 'licenses.txt'), bundledLicenses([router, ...cliBuilds]));
replace(cliStaging, cliDist);

/**
 * The license texts of every package that a bundle carries (dist/licenses.txt of each action and
 * of the CLI, as ncc writes it). The bundle keeps no comments (legalComments: 'none'), and the MIT, ISC, BSD and
 * Apache licenses of the code it copies ask for their notices to travel with the copies.
 */
function bundledLicenses(results) {
  const folders = new Set();
  for (const { metafile } of results)
    for (const output of Object.values(metafile.outputs))
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const folder = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
        if (folder !== undefined && bytesInOutput > 0) folders.add(folder);
      }
  const notices = new Map();
  for (const folder of folders) {
    const dir = join(root, folder);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const license =
      typeof manifest.license === 'string'
        ? manifest.license
        : (manifest.license?.type ?? 'no license named in its package.json');
    const files = readdirSync(dir)
      .filter((file) => /^(licen[cs]e|copying|notice)\b/i.test(file))
      .sort();
    const texts = files.map((file) => readFileSync(join(dir, file), 'utf8').trim());
    const id = `${manifest.name}@${manifest.version}`;
    notices.set(id, [
      `${id} (${license})`,
      ...(texts.length > 0 ? texts : ['(no license file in the package)']),
    ]);
  }
  const sections = [...notices].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, lines]) => lines.join('\n\n'));
  return `modelgate's bundle (dist/) carries code from these ${sections.length} packages.\n\n${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

// Reusable workflows are only callable from .github/workflows/ (DESIGN.md); keep the copies exact.
const workflowsDir = join(root, 'workflows');
if (existsSync(workflowsDir)) {
  const target = join(root, '.github', 'workflows');
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'))) {
    copyFileSync(join(workflowsDir, file), join(target, file));
  }
}

console.log(`built ${actions.length} actions (${actions.join(', ')}) and the CLI`);
