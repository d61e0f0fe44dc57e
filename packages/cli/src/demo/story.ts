/**
 * The demo's story on the example project, in four stages: a first model goes live; an
 * improved one replaces it through a canary; a bad one is blocked at every gate; the live server
 * still answers with the good one. The steps themselves are in steps.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cliOption,
  compare,
  createFsRegistry,
  type DemoPorts,
  DemoStoryError,
  displayPath,
  type EvaluateSettings,
  evaluate,
  evaluateSettingsFrom,
  formatValue as formatNumber,
  InputError,
  type Logger,
  loadConfig,
  loadGateSpec,
  type ModelVersion,
  writeJsonAtomic,
} from '@modelgate/core';
import { type RunningServer, startServer } from '@modelgate/server';
import type { Io } from '../io.ts';
import { inferOne, sampleTraffic } from './live.ts';
import { createProgress, type PlannedStep, progressMode } from './progress.ts';
import {
  type Candidate,
  compareWithProduction,
  type DemoOptions,
  deployVersion,
  expectVerdict,
  type LiveServer,
  registerCandidate,
  type StoryContext,
  sampleRow,
  serverLogger,
  trainCandidate,
  writeResult,
} from './steps.ts';
import { evaluationSummary, versionsTable } from './terminal.ts';

export type { DemoOptions } from './steps.ts';

const BASELINE: Candidate = {
  key: '1-baseline',
  params: 'baseline.yml',
  describe: 'a quick first model (logistic regression, 6 epochs)',
};
const IMPROVED: Candidate = {
  key: '2-improved',
  params: 'improved.yml',
  describe: 'an improved candidate (MLP, 16 hidden units, L2)',
};
const BAD: Candidate = {
  key: '3-bad',
  params: 'label-bug.yml',
  describe: 'a bad candidate (the same MLP trained on labels a bug flipped, 20%)',
};

/** The canary's traffic steps: half the traffic, then all of it. */
const CANARY_STEPS = '50,100';
/** Requests sent while the canary holds half the traffic: enough to see both versions answer. */
const CANARY_SAMPLE = 40;
/** The metrics shown after an evaluation (the record has them all). */
const HEADLINE_METRICS = ['accuracy', 'roc_auc', 'log_loss', 'f1', 'latency_p95_ms'];

/**
 * The plan, in order, with how long each step takes on a 2-core machine (for the ETA only: the bar scales them by the pace it measures).
 * The story below starts these steps in this order; a test checks the counts agree.
 */
export const DEMO_PLAN: readonly PlannedStep[] = [
  { title: 'train the baseline', expectedSeconds: 0.25 },
  { title: 'evaluate it', expectedSeconds: 0.25 },
  { title: 'gate it: the first model (--baseline none)', expectedSeconds: 0.05 },
  { title: 'register it', expectedSeconds: 0.03 },
  { title: 'start the built-in model server', expectedSeconds: 0.05 },
  { title: 'deploy it', expectedSeconds: 0.15 },
  { title: 'train an improved candidate', expectedSeconds: 0.5 },
  { title: 'compare it paired against registry:production', expectedSeconds: 0.35 },
  { title: 'register it', expectedSeconds: 0.03 },
  { title: 'deploy it with a canary (50% → 100%)', expectedSeconds: 0.3 },
  { title: 'train a bad candidate', expectedSeconds: 0.5 },
  { title: 'compare it paired against registry:production', expectedSeconds: 0.35 },
  { title: 'register it: refused, then kept for the record', expectedSeconds: 0.03 },
  { title: 'try to deploy it', expectedSeconds: 0.05 },
  { title: 'ask the live server', expectedSeconds: 0.02 },
];

/** `demo-state.json`: the end state, for a person or a test to check without parsing the log. */
export interface DemoState {
  readonly schema: 'modelgate/demo-state@1';
  readonly model: string;
  readonly registry: string;
  readonly versions: {
    version: number;
    sha256: string;
    passed: boolean | null;
    aliases: string[];
    params: Record<string, unknown> | null;
  }[];
  readonly production: number;
  readonly refused: { readonly register: string; readonly deploy: readonly string[] };
  readonly canary: { readonly percent: number; readonly answered: Record<string, number> };
  readonly infer: {
    readonly url: string;
    readonly version: string;
    readonly output: string;
    readonly data: number[];
    readonly label: string;
  };
  readonly reports: { readonly improved: string; readonly bad: string };
  readonly server: { readonly url: string };
}

export interface DemoRun {
  readonly state: DemoState;
  /** The server, still running: the caller stops it, or keeps it for `--serve`. */
  readonly server: RunningServer;
  /** Where the admin token was written, for `--serve`. */
  readonly adminTokenFile: string;
}

/** The example project ships in the repository, next to the packages. */
export function findExample(): string {
  // From the sources (packages/cli/src/demo) or the bundle (packages/cli/dist/commands/demo).
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(folder, 'examples', 'breast-cancer');
    if (existsSync(join(candidate, 'train.mjs'))) return candidate;
    folder = dirname(folder);
  }
  throw new InputError('cannot find the example project examples/breast-cancer next to modelgate', {
    hint: 'run the demo from a clone of the modelgate repository',
  });
}

/**
 * The demo step's story port on the terminal: its progress (a bar on a terminal, numbered lines
 * elsewhere) on stdout, and the story told with it.
 */
export function demoStory(io: Io): DemoPorts['story'] {
  return async (options) => {
    const progress = createProgress(DEMO_PLAN, {
      mode: progressMode(options.progress, io.env),
      write: io.stdout,
      ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
    });
    try {
      const { state, server, adminTokenFile } = await tellStory({
        ...options,
        progress,
        env: io.env,
        cwd: io.cwd,
      });
      return {
        model: state.model,
        production: state.production,
        registry: state.registry,
        reports: state.reports,
        stateFile: join(options.dir, 'demo-state.json'),
        adminTokenFile,
        server,
      };
    } finally {
      progress.finish();
    }
  };
}

/**
 * The whole pipeline on the example project, in process, with the same core functions the CLI
 * commands and the actions call: train → evaluate → gate → register → deploy, three times.
 * Returns with the model server still running.
 */
export async function tellStory(options: DemoOptions): Promise<DemoRun> {
  const context = await openStory(options);
  const { progress } = context;

  progress.line(`\nStage 1 · ${BASELINE.describe}`);
  const v1 = await firstModel(context);
  const live = await startDemoServer(context);
  try {
    await deployVersion(context, live, { version: v1, strategy: 'replace' });

    progress.line(`\nStage 2 · ${IMPROVED.describe}`);
    const { version: v2, canary } = await improvedCandidate(context, live);

    progress.line(`\nStage 3 · ${BAD.describe}`);
    const refused = await badCandidate(context, live);

    progress.line('\nStage 4 · the server still answers with the good model');
    const answer = await askLiveServer(context, live, v2);

    const versions = await context.registry.list(context.name);
    progress.finish();
    progress.line(`\nThe registry ${context.registry.location}:`);
    progress.line(indent(versionsTable(versions)));
    const state: DemoState = {
      schema: 'modelgate/demo-state@1',
      model: context.name,
      registry: context.registryPath,
      versions: versions.map((v) => ({
        version: v.version,
        sha256: v.sha256,
        passed: v.verdict?.passed ?? null,
        aliases: v.aliases,
        params: v.lineage.params,
      })),
      production: v2.version,
      refused,
      canary,
      infer: { url: live.server.url, ...answer },
      reports: {
        improved: join(options.dir, IMPROVED.key, 'report.md'),
        bad: join(options.dir, BAD.key, 'report.md'),
      },
      server: { url: live.server.url },
    };
    await writeJsonAtomic(join(options.dir, 'demo-state.json'), state);
    return { state, server: live.server, adminTokenFile: live.tokenFile };
  } catch (error) {
    await live.server.close();
    throw error;
  }
}

/** Reads the example's config and gates, and empties the demo's registry. */
async function openStory(options: DemoOptions): Promise<StoryContext> {
  const { dir, example, progress } = options;
  const shown = (path: string) => displayPath(options.cwd, path);
  const logger: Logger = {
    info: (message) => {
      if (options.verbose) progress.note(`· ${message}`);
    },
    warning: (message) => progress.note(`warning: ${message}`),
  };
  const configPath = join(example, '.modelgate.yml');
  const config = await loadConfig(configPath, { required: true });
  const spec = await loadGateSpec(configPath);
  const data = join(example, config.evaluate?.data ?? 'data/eval.csv');
  const label = config.evaluate?.label ?? 'target';
  const sliceBy = config.evaluate?.slice_by ?? [];
  const settingsFor = (model: string): EvaluateSettings =>
    evaluateSettingsFrom(
      { model, data, label, 'slice-by': sliceBy, bootstrap: String(options.bootstrap), provider: 'cpu' },
      cliOption,
    );

  // The story needs an empty registry: a second run tells it again from the start.
  const registryPath = join(dir, 'registry');
  await rm(registryPath, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return {
    ...options,
    registry: createFsRegistry(registryPath, { location: `fs:${shown(registryPath)}` }),
    registryPath,
    name: config.model ?? 'breast-cancer',
    spec,
    logger,
    settingsFor,
    shown,
    row: await sampleRow(data, label, sliceBy),
    data,
  };
}

/** Stage 1: train, evaluate, gate with no baseline, register. */
async function firstModel(context: StoryContext): Promise<ModelVersion> {
  const { progress, shown, logger, name, spec } = context;
  const trained = await trainCandidate(context, BASELINE);
  progress.step();
  const { record } = await evaluate(context.settingsFor(trained.model), logger);
  const evaluationPath = join(trained.folder, 'evaluation.json');
  await writeJsonAtomic(evaluationPath, record);
  progress.note(evaluationSummary(record, HEADLINE_METRICS));
  progress.note(`wrote ${shown(evaluationPath)}`);
  progress.step();
  const gate = await compare(
    {
      name,
      spec,
      source: { mode: 'records', candidate: evaluationPath, baseline: null },
      baselineRef: null,
    },
    logger,
  );
  await writeResult(context, trained.folder, gate);
  expectVerdict(gate.verdict.passed, 'the baseline should pass its gates', gate);
  return registerCandidate(context, trained, gate, { requirePassed: true });
}

async function startDemoServer(context: StoryContext): Promise<LiveServer> {
  const { progress } = context;
  progress.step();
  const token = randomBytes(24).toString('base64url');
  // For --serve: the user's own `modelgate deploy` needs it (as MODELGATE_ADMIN_TOKEN).
  const tokenFile = join(context.dir, 'admin-token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  const server = await startServer({
    registry: context.registry,
    port: 0,
    host: '127.0.0.1',
    // The deploys' smoke checks go over gRPC, so the demo exercises both wires.
    grpcPort: 0,
    adminToken: token,
    provider: 'cpu',
    logger: serverLogger(progress),
  });
  progress.note(
    `listening on ${server.url} and ${server.grpcUrl} (Open Inference Protocol v2 over HTTP and gRPC; admin API behind a token)`,
  );
  return { server, token, tokenFile };
}

/** Stage 2: train, compare paired with production, register, canary deploy with live traffic. */
async function improvedCandidate(
  context: StoryContext,
  live: LiveServer,
): Promise<{ version: ModelVersion; canary: DemoState['canary'] }> {
  const { progress, name, row } = context;
  const trained = await trainCandidate(context, IMPROVED);
  progress.step();
  const gate = await compareWithProduction(context, trained);
  expectVerdict(gate.verdict.passed, 'the improved candidate should pass its gates', gate);
  const version = await registerCandidate(context, trained, gate, { requirePassed: true });
  let canary: DemoState['canary'] = { percent: 0, answered: {} };
  await deployVersion(context, live, {
    version,
    strategy: 'canary',
    canarySteps: CANARY_STEPS,
    // While the canary holds part of the traffic, send requests as any client would.
    onStep: async (step) => {
      const percent = step.percent;
      if (step.action !== 'verify' || percent === undefined || percent <= 0 || percent >= 100) return;
      const answered = await sampleTraffic(live.server.url, name, row.features, CANARY_SAMPLE);
      const split = Object.entries(answered)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([v, n]) => `v${v} answered ${n}`)
        .join(', ');
      progress.note(`${CANARY_SAMPLE} live requests with the canary at ${percent}%: ${split}`);
      canary = { percent, answered };
    },
  });
  return { version, canary };
}

/**
 * Stage 3: the gate fails the candidate; register refuses it; it is kept for the record with
 * its failed verdict (`require-passed: false`); deploy refuses it.
 */
async function badCandidate(context: StoryContext, live: LiveServer): Promise<DemoState['refused']> {
  const { progress } = context;
  const trained = await trainCandidate(context, BAD);
  progress.step();
  const gate = await compareWithProduction(context, trained);
  expectVerdict(!gate.verdict.passed, 'the bad candidate should fail its gates', gate);

  progress.step();
  let register: string;
  try {
    await registerCandidate(context, trained, gate, { requirePassed: true, ownStep: false });
    throw new DemoStoryError('the registry accepted a model whose verdict failed');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    register = error.message;
    progress.note(`✗ refused (the default, as the register action does in CI): ${error.message}`);
  }
  const version = await registerCandidate(context, trained, gate, { requirePassed: false, ownStep: false });

  progress.step();
  const outcome = await deployVersion(context, live, { version, strategy: 'replace', expectRefusal: true });
  if (outcome.kind !== 'refused')
    throw new DemoStoryError(`the deploy of v${version.version} was not refused`);
  for (const reason of outcome.reasons) progress.note(`✗ refused: ${reason}`);
  progress.note('nothing changed on the server');
  return { register, deploy: outcome.reasons };
}

/** Stage 4: one request through the public endpoint; it must be answered by production, the improved model. */
async function askLiveServer(
  context: StoryContext,
  live: LiveServer,
  improved: ModelVersion,
): Promise<Omit<DemoState['infer'], 'url'>> {
  const { progress, name, row, shown, registry } = context;
  progress.step();
  const url = live.server.url;
  const answer = await inferOne(url, name, row.features);
  const production = await registry.resolve(name, 'production');
  const probabilities = answer.data.map((p) => formatNumber(p)).join(', ');
  const predicted = String(answer.data.indexOf(Math.max(...answer.data)));
  progress.note(
    `POST ${url}/v2/models/${name}/infer with row 1 of ${shown(context.data)} (label ${row.label})`,
  );
  progress.note(
    `→ v${answer.version} answered: ${answer.output} [${probabilities}], so class ${predicted}${predicted === row.label ? ', as labelled' : `, labelled ${row.label}`}`,
  );
  if (answer.version !== String(production.version) || production.version !== improved.version) {
    throw new DemoStoryError(
      `v${answer.version} answered, but production is v${production.version} and the improved model is v${improved.version}`,
    );
  }
  progress.note(
    `production is v${production.version}, the improved model: the bad candidate never went live`,
  );
  return { version: answer.version, output: answer.output, data: answer.data, label: row.label };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
