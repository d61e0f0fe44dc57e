/**
 * The demo's steps: each runs one pipeline step through the same core function the CLI command
 * and the action call, and prints what happened under the step's heading.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ADMIN_TOKEN_ENV,
  type CompareResult,
  cliOption,
  compare,
  DemoStoryError,
  type DeployStep,
  type DeployStepOutcome,
  deploySettingsFrom,
  describeDeploy,
  type EvaluateSettings,
  type GateSpec,
  type Logger,
  type ModelVersion,
  type Registry,
  readTable,
  runDeploy,
  shortDigest,
  train,
  trainSettingsFrom,
  writeFileAtomic,
  writeJsonAtomic,
} from '@modelgate/core';
import { grpcEndpoint, type RunningServer, type ServerLogger } from '@modelgate/server';
import type { Progress } from './progress.ts';
import { failedRules, verdictTable } from './terminal.ts';

/** One model the story trains: a params file of the example, and what the story expects of it. */
export interface Candidate {
  /** The folder under the demo directory. */
  readonly key: string;
  /** `params/<file>` in the example. */
  readonly params: string;
  readonly describe: string;
}

export interface DemoOptions {
  /** Where the demo writes everything (absolute). */
  readonly dir: string;
  /** The example project (absolute). */
  readonly example: string;
  /** Bootstrap resamples for every evaluation and compare. */
  readonly bootstrap: number;
  readonly progress: Progress;
  /** Also print what each core step logs. */
  readonly verbose: boolean;
  /** The environment the training command inherits. */
  readonly env: NodeJS.ProcessEnv;
  /** Paths are printed relative to this. */
  readonly cwd: string;
}

/** The model server the demo deploys to, on a free port of this machine only. */
export interface LiveServer {
  readonly server: RunningServer;
  readonly token: string;
  readonly tokenFile: string;
}

export interface StoryContext extends DemoOptions {
  readonly registry: Registry;
  readonly registryPath: string;
  readonly name: string;
  /** The evaluation data, and the row sent to the live server. */
  readonly data: string;
  readonly row: { readonly features: number[]; readonly label: string };
  readonly spec: GateSpec;
  readonly logger: Logger;
  readonly settingsFor: (model: string) => EvaluateSettings;
  readonly shown: (path: string) => string;
}

export interface Trained {
  readonly candidate: Candidate;
  readonly folder: string;
  readonly model: string;
  readonly params: Record<string, unknown>;
  readonly training: Record<string, unknown>;
}

/** Runs the example's train.mjs through the train step, as `modelgate train` would. */
export async function trainCandidate(context: StoryContext, candidate: Candidate): Promise<Trained> {
  const { progress, example, shown } = context;
  const folder = join(context.dir, candidate.key);
  await rm(folder, { recursive: true, force: true });
  const model = join(folder, 'model.onnx');
  const paramsFile = join(example, 'params', candidate.params);
  // The node running this demo, so no PATH lookup can pick another one.
  const command = `${shellQuote(process.execPath)} train.mjs`;
  progress.step();
  progress.note(
    `node train.mjs with ${shown(paramsFile)}: ${(await readFile(paramsFile, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .join(', ')}`,
  );
  const settings = trainSettingsFrom(
    {
      command,
      'working-directory': example,
      params: `@${paramsFile}`,
      gpus: 'none',
      'model-path': model,
      'metrics-file': join(folder, 'train-metrics.json'),
    },
    // The example's own settings, not a .modelgate.yml of whatever folder the demo runs in.
    { path: '.modelgate.yml', config: {} },
    cliOption,
  );
  let output = '';
  const outcome = await train(settings, {
    logger: context.logger,
    env: context.env,
    cwd: example,
    output: (chunk) => {
      output += chunk.toString('utf8');
    },
  });
  if (outcome.kind === 'failed') {
    throw new DemoStoryError(`training ${candidate.key} failed: ${outcome.message}\n${output}`);
  }
  for (const line of output.trim().split('\n'))
    if (line.startsWith('trained')) progress.note(`train.mjs: ${line}`);
  const { record } = outcome;
  progress.note(
    `model ${shown(model)}: sha256 ${shortDigest(record.model.sha256)}, ${record.model.bytes} bytes, trained in ${record.duration_seconds} s on the CPU`,
  );
  return {
    candidate,
    folder,
    model,
    params: { ...record.params },
    training: {
      command: 'node train.mjs',
      duration_seconds: record.duration_seconds,
      gpu_count: record.gpu.count,
      ...(record.metrics === undefined ? {} : { metrics: record.metrics }),
    },
  };
}

/** The paired compare against whatever `production` names now, fetched from the registry. */
export async function compareWithProduction(context: StoryContext, trained: Trained): Promise<CompareResult> {
  const { registry, name, spec, progress, shown } = context;
  const production = await registry.resolve(name, 'production');
  progress.note(
    `baseline: v${production.version} (sha256 ${shortDigest(production.sha256)}), fetched from the registry; both scored on the same rows`,
  );
  const result = await compare(
    {
      name,
      spec,
      source: {
        mode: 'paired',
        evaluate: context.settingsFor(trained.model),
        baselineModel: { registry, name, ref: 'production' },
      },
      baselineRef: 'production',
    },
    context.logger,
  );
  const paths = await writeResult(context, trained.folder, result);
  progress.note(`the PR report, as a reviewer sees it: ${shown(paths.report)}`);
  return result;
}

/** Writes evaluation, verdict and report beside the model, and prints the verdict. */
export async function writeResult(
  context: StoryContext,
  folder: string,
  result: CompareResult,
): Promise<{ report: string }> {
  const { progress } = context;
  await writeJsonAtomic(join(folder, 'evaluation.json'), result.candidate);
  await writeJsonAtomic(join(folder, 'verdict.json'), result.verdict);
  const report = join(folder, 'report.md');
  await writeFileAtomic(report, result.report);
  progress.note(result.report.split('\n')[0]?.replace(/^#+\s*/, '') ?? '');
  progress.note(verdictTable(result.verdict));
  const m = result.verdict.mcnemar;
  if (m !== undefined) {
    progress.note(
      `McNemar's exact test on accuracy: ${m.candidate_only} rows only the candidate gets right, ${m.baseline_only} only the baseline; p = ${m.p_value.toPrecision(2)}`,
    );
  }
  for (const line of failedRules(result.verdict)) progress.note(line);
  return { report };
}

/**
 * Registers the trained model with its evaluation, verdict and lineage. `requirePassed: false`
 * keeps a failed candidate on record: its failed verdict is stored with it, and deploy refuses it.
 */
export async function registerCandidate(
  context: StoryContext,
  trained: Trained,
  result: CompareResult,
  options: { requirePassed: boolean; ownStep?: boolean },
): Promise<ModelVersion> {
  const { progress, registry, name } = context;
  if (options.ownStep !== false) progress.step();
  const version = await registry.register({
    name,
    modelPath: trained.model,
    evaluation: result.candidate,
    verdict: result.verdict,
    lineage: { params: trained.params, training: trained.training },
    requirePassed: options.requirePassed,
  });
  const parent = version.lineage.parent_version === null ? '' : `, parent v${version.lineage.parent_version}`;
  const kept = options.requirePassed
    ? ''
    : ' for the record (--require-passed false), its failed verdict with it';
  progress.note(
    `registered ${name} v${version.version}${kept} (sha256 ${shortDigest(version.sha256)}${parent}) in ${registry.location}`,
  );
  return version;
}

export interface DeployPlan {
  readonly version: ModelVersion;
  readonly strategy: 'replace' | 'canary';
  /** The canary's traffic steps, e.g. `50,100`. */
  readonly canarySteps?: string;
  readonly onStep?: (step: DeployStep) => Promise<void>;
  /** A refusal is the outcome the story expects: no step of its own, and the caller says it. */
  readonly expectRefusal?: boolean;
}

/**
 * A gated deploy through the deploy step, as `modelgate deploy --target server --wire grpc`
 * runs it: the admin API over HTTP, the smoke rows over gRPC as raw tensors (the demo's server
 * speaks both), through the same gRPC port the command and the action hand in.
 */
export async function deployVersion(
  context: StoryContext,
  live: LiveServer,
  plan: DeployPlan,
): Promise<DeployStepOutcome> {
  const { progress, registry, name, example } = context;
  if (!plan.expectRefusal) progress.step();
  const settings = deploySettingsFrom(
    {
      name,
      ref: String(plan.version.version),
      target: 'server',
      url: live.server.url,
      wire: 'grpc',
      'grpc-url': live.server.grpcUrl,
      strategy: plan.strategy,
      ...(plan.canarySteps === undefined ? {} : { 'canary-percent': plan.canarySteps }),
      'smoke-data': join(example, 'data', 'eval.csv'),
      registry: `fs:${context.registryPath}`,
    },
    { path: '(the demo)', config: {} },
    cliOption,
  );
  const outcome = await runDeploy(settings, {
    logger: context.logger,
    openRegistry: () => registry,
    cwd: context.dir,
    env: { ...context.env, [ADMIN_TOKEN_ENV]: live.token },
    grpc: grpcEndpoint,
    onStep: async (step) => {
      progress.note(`${step.action}: ${step.detail}`);
      await plan.onStep?.(step);
    },
  });
  if (plan.expectRefusal) return outcome;
  const { headline } = describeDeploy(outcome);
  if (outcome.kind !== 'deployed') throw new DemoStoryError(headline);
  progress.note(`✓ ${headline}`);
  return outcome;
}

/** Row 1 of the evaluation data: the features a client sends, and its label. */
export async function sampleRow(
  path: string,
  label: string,
  slices: readonly string[],
): Promise<{ features: number[]; label: string }> {
  const table = await readTable(path);
  const features = table.columns.filter((c) => c !== label && !slices.includes(c));
  return {
    features: Array.from(table.matrix(features).subarray(0, features.length)),
    label: table.strings(label)[0] ?? '?',
  };
}

export function serverLogger(progress: Progress): ServerLogger {
  return {
    info: () => {},
    warn: (message) => progress.note(`server warning: ${message}`),
    error: (message) => progress.note(`server error: ${message}`),
  };
}

export function expectVerdict(condition: boolean, what: string, result: CompareResult): void {
  if (condition) return;
  const failed = failedRules(result.verdict);
  throw new DemoStoryError(`${what}, but ${failed.length === 0 ? 'it passed' : failed.join('; ')}`);
}

export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
