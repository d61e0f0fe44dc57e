// Builds every bundle: one per action (actions/<step>/main.ts → actions/<step>/dist/index.js)
// and the CLI (packages/cli/dist/modelgate.js). Actions are found by folder, so adding one needs
// no edit here. onnxruntime-node stays external: its native binaries cannot be bundled, so each
// action ships the lockfile it installs from on first use (DESIGN.md).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runtimeDir = join(root, 'packages', 'core', 'runtime');
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

await Promise.all(
  actions.map(async (name) => {
    const dist = join(actionsDir, name, 'dist');
    const staging = `${dist}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await build({
      ...common,
      entryPoints: { index: join(actionsDir, name, 'main.ts'), worker: dataWorker },
      outdir: staging,
    });
    // The dist folder is its own tiny npm project, so `npm ci` there installs onnxruntime-node.
    copyFileSync(join(runtimeDir, 'package.json'), join(staging, 'package.json'));
    copyFileSync(join(runtimeDir, 'package-lock.json'), join(staging, 'package-lock.json'));
    writeFileSync(join(staging, '.npmrc'), 'onnxruntime-node-install=skip\n');
    replace(staging, dist);
  }),
);

const cliSrc = join(root, 'packages', 'cli', 'src');
const cliDist = join(root, 'packages', 'cli', 'dist');
const cliStaging = `${cliDist}.${process.pid}.tmp`;
rmSync(cliStaging, { recursive: true, force: true });
// The CLI is a small router (bin.ts → main.ts) plus one bundle per command, built on its own
// and loaded when that command runs (COMMANDS in packages/cli/src/main.ts). A command's code
// then sits in one file, where one build for every command splits it into the chunks that each
// set of commands shares: evaluate loaded 16 modules, which cost 10 ms more start-up than one.
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
await build({
  ...common,
  entryPoints: { modelgate: join(cliSrc, 'bin.ts') },
  outdir: cliStaging,
  plugins: [commandsApart],
});
await Promise.all(
  [...commands].map((name) =>
    build({
      ...common,
      // Libraries loaded on first use (hyparquet, csv-parse, …) stay in chunks of their own. The
      // chunks hold the code that starts the data worker, so its entry sits among them.
      entryPoints: { index: join(cliSrc, 'commands', `${name}.ts`), 'chunks/worker': dataWorker },
      outdir: join(cliStaging, 'commands', name),
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    }),
  ),
);
replace(cliStaging, cliDist);

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
