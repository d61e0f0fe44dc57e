import * as core from '@actions/core';
import {
  actionInput,
  type ConfigFile,
  DEFAULT_CONFIG_FILE,
  type OptionNamer,
  type OptionTable,
  type Presentation,
  type RawOptions,
  readConfigFile,
} from '@modelgate/core';
import { configInput, listInput, optionalInput, runAction } from './action.ts';
import { writeJobSummary } from './job-summary.ts';

/**
 * A step's inputs by its option table: the runner passes '' for an input left out, which reads
 * as absent; a `strings` input takes lines or commas; a `boolean` stays text, for the step's
 * settings to check and name.
 */
export function readInputs<T extends OptionTable>(table: T): RawOptions<T> {
  const raw: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(table)) {
    const value = kind === 'strings' ? listInput(name) : optionalInput(name);
    if (value !== undefined) raw[name] = value;
  }
  return raw as RawOptions<T>;
}

/**
 * A step's presentation in the job: its lines in the log, its summary in the job summary, its
 * outputs set, and its "no" (exit code 1) as the one line the step fails with.
 */
export async function publish(presentation: Presentation): Promise<void> {
  for (const line of presentation.lines) core.info(line.text);
  // Outputs first: a summary that cannot be written must not cost the next step its inputs.
  for (const [name, value] of Object.entries(presentation.outputs)) core.setOutput(name, value);
  if (presentation.summary !== undefined) {
    const written = await writeJobSummary(presentation.summary, { fullReportAt: presentation.fullReportAt });
    if (written.kind === 'skipped') core.debug(`no job summary: ${written.reason}`);
  }
  if (presentation.exitCode !== 0) core.setFailed(presentation.failure ?? 'the step failed');
}

/**
 * An action, declared: its inputs and the step's three parts. {@link actionStep} turns it into
 * the `run` every action's bundle calls: inputs → settings → run → present → outputs, a failure
 * as one `::error::` line (runAction).
 */
export interface ActionStep<T extends OptionTable, S, O> {
  /** The log group the work runs in; none for a step whose own output is the log (train). */
  readonly group?: (settings: S) => string;
  readonly options: T;
  /** Whether the step reads the `config` input's file (default true). */
  readonly config?: boolean;
  readonly settings: (raw: RawOptions<NoInfer<T>>, config: ConfigFile, namer: OptionNamer) => S | Promise<S>;
  readonly run: (settings: S) => Promise<O>;
  readonly present: (outcome: O) => Presentation;
}

export function actionStep<T extends OptionTable, S, O>(step: ActionStep<T, S, O>): () => Promise<void> {
  return () =>
    runAction(async () => {
      const cwd = process.cwd();
      const config =
        step.config === false
          ? { path: DEFAULT_CONFIG_FILE, config: {} }
          : await readConfigFile(configInput(), cwd, actionInput);
      const settings = await step.settings(readInputs(step.options), config, actionInput);
      const { group } = step;
      const outcome = await (group === undefined
        ? step.run(settings)
        : core.group(group(settings), () => step.run(settings)));
      await publish(step.present(outcome));
    });
}
